/**
 * The text of the agent's last answer in a chat history page. History items are agent events
 * (`claude-assistant`, `claude-result`, Codex `response_item`, Opencode `part-text`, …): Claude
 * answers are text content blocks, a result may carry `result`; other agents put text under `text`
 * or `message`. The user's messages (the instruction, our follow-ups) are in the history too: skipped.
 */
export function lastAgentText(events: { type: string; payload: unknown }[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    if (!event || !/assistant|result|response_item|message|part-text/.test(event.type)) continue;
    if (writtenByUser(event)) continue;
    const text = textOf(event.payload);
    if (text) return text;
  }
  return undefined;
}

/**
 * The user's own message (ours: the instruction or a follow-up), which histories keep beside the
 * agent's events: `claude-user`, Codex `event_msg` of type `user_message` and `response_item`s of
 * role `user`, Opencode `message.updated` whose `info.role` is `user`.
 */
function writtenByUser(event: { type: string; payload: unknown }): boolean {
  if (/(^|-)user$/.test(event.type)) return true;
  const payload = (event.payload ?? {}) as {
    type?: unknown;
    role?: unknown;
    message?: { role?: unknown };
    info?: { role?: unknown };
  };
  if (payload.type === 'user_message' || payload.type === 'user') return true;
  const roles = [
    payload.role,
    payload.info?.role,
    typeof payload.message === 'object' && payload.message?.role,
  ];
  return roles.includes('user');
}

function textOf(value: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    const parts = value
      .map((block) => (isTextBlock(block) ? block.text : textOf(block, depth + 1)))
      .filter((part): part is string => Boolean(part));
    return parts.length > 0 ? parts.join('\n') : undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of ['result', 'text']) {
    if (typeof record[key] === 'string' && record[key]) return record[key] as string;
  }
  for (const key of ['message', 'content', 'payload']) {
    const nested = typeof record[key] === 'string' ? (record[key] as string) : textOf(record[key], depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

function isTextBlock(block: unknown): block is { type: 'text'; text: string } {
  const b = block as { type?: unknown; text?: unknown };
  return typeof block === 'object' && block !== null && b.type === 'text' && typeof b.text === 'string';
}
