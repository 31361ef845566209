/**
 * The text of the agent's last answer in a chat history page. History items are agent events
 * (`claude-assistant`, `claude-result`, Codex `response_item`, …): Claude answers are text content
 * blocks, a result may carry `result`; other agents put text under `text` or `message`.
 */
export function lastAgentText(events: { type: string; payload: unknown }[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    if (!event || !/assistant|result|response_item|message/.test(event.type)) continue;
    const text = textOf(event.payload);
    if (text) return text;
  }
  return undefined;
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
