import { now, type SimAgentEvent } from './model';

/**
 * The agent's own events, as the history keeps them and `chat.turn.delta` streams them (OpenAPI
 * `AgentEvent`): each provider has its own `type` names and payload shapes.
 */
interface Dialect {
  /** The user's message; `undefined` where the provider's documented events have no user type. */
  user(text: string): Omit<SimAgentEvent, 'timestamp'> | undefined;
  /** What the agent answered, ending with its turn-result event where the provider has one. */
  answer(text: string): Omit<SimAgentEvent, 'timestamp'>[];
}

const claude: Dialect = {
  user: (text) => ({
    type: 'claude-user',
    payload: {
      type: 'user',
      parent_tool_use_id: null,
      message: { role: 'user', content: [{ type: 'text', text }] },
    },
  }),
  answer: (text) => [
    {
      type: 'claude-assistant',
      payload: {
        type: 'assistant',
        parent_tool_use_id: null,
        message: { role: 'assistant', content: [{ type: 'text', text }] },
      },
    },
    // `subtype: success` is how a clean turn end reads; `result` carries the final text.
    {
      type: 'claude-result',
      payload: { type: 'result', subtype: 'success', is_error: false, result: text },
    },
  ],
};

const codex: Dialect = {
  user: (text) => ({ type: 'event_msg', payload: { type: 'user_message', message: text } }),
  answer: (text) => [
    {
      type: 'response_item',
      payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] },
    },
  ],
};

const cursor: Dialect = {
  user: () => undefined,
  answer: (text) => [
    { type: 'cursor-assistant', payload: { text } },
    { type: 'cursor-status', payload: { status: 'completed' } },
  ],
};

const opencode: Dialect = {
  user: (text) => ({ type: 'opencode-message.updated', payload: { info: { role: 'user' }, text } }),
  answer: (text) => [
    { type: 'opencode-part-text', payload: { text } },
    { type: 'opencode-session.idle', payload: {} },
  ],
};

const dialects: Record<string, Dialect> = { claude, codex, cursor, opencode };
const dialectOf = (provider: string): Dialect => dialects[provider] ?? claude;
const stamped = (event: Omit<SimAgentEvent, 'timestamp'>): SimAgentEvent => ({ timestamp: now(), ...event });

export function userEvents(provider: string, text: string): SimAgentEvent[] {
  const event = dialectOf(provider).user(text);
  return event ? [stamped(event)] : [];
}

export function answerEvents(provider: string, text: string): SimAgentEvent[] {
  return dialectOf(provider).answer(text).map(stamped);
}

/** What the simulated agent says it did: the task it was given and the PRs the turn opened. */
export function answerText(message: string, openedPrUrls: string[]): string {
  const task = message.split('\n')[0]?.slice(0, 120) ?? '';
  const outcome = openedPrUrls.length
    ? `Opened ${openedPrUrls.join(', ')}.`
    : 'Pushed the changes; no new pull request was needed.';
  return `Done: ${task}. ${outcome}`;
}
