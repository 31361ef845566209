import { setTimeout as delay } from 'node:timers/promises';
import { ReplicasApiError } from './errors';

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Parses a text/event-stream body into messages; comment lines (heartbeats) are skipped. */
export async function* parseSse(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = 'message';
  let id: string | undefined;
  function* take(line: string): Generator<SseMessage> {
    if (line === '') {
      if (data.length) yield { event, data: data.join('\n'), ...(id !== undefined && { id }) };
      data = [];
      event = 'message';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (;;) {
      const newline = buffer.search(/\r\n|\r|\n/);
      // A trailing CR may be the first half of a CRLF split across chunks: wait for the next one.
      if (newline < 0 || (newline === buffer.length - 1 && buffer.endsWith('\r'))) break;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      yield* take(line);
    }
  }
  if (buffer.endsWith('\r')) yield* take(buffer.slice(0, -1));
}

export interface ReconnectOptions {
  signal?: AbortSignal;
  /** Wait between reconnects; doubles up to 30 s while attempts keep failing. */
  reconnectDelayMs?: number;
  /** Give up after this many reconnects in a row without a message (default: unlimited). */
  maxReconnects?: number;
}

/**
 * Follows an SSE endpoint across dropped connections: reconnects with `Last-Event-ID` and skips
 * messages already yielded. 4xx answers (409 asleep/error, 404 gone) end the stream with that error.
 */
export async function* reconnectingSse(
  open: (lastEventId: string | undefined) => Promise<AsyncIterable<Buffer | string>>,
  options: ReconnectOptions = {},
): AsyncGenerator<SseMessage> {
  const seen = new Set<string>();
  let lastEventId: string | undefined;
  let failures = 0;
  const baseDelay = options.reconnectDelayMs ?? 1000;
  while (!options.signal?.aborted) {
    try {
      const body = await open(lastEventId);
      for await (const message of parseSse(body)) {
        failures = 0;
        if (message.id !== undefined) {
          lastEventId = message.id;
          if (seen.has(message.id)) continue;
          seen.add(message.id);
          if (seen.size > 10_000) seen.delete(seen.values().next().value as string);
        }
        yield message;
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof ReplicasApiError && !error.retryable) throw error;
    }
    failures += 1;
    if (options.maxReconnects !== undefined && failures > options.maxReconnects) {
      throw new ReplicasApiError({
        kind: 'network',
        method: 'GET',
        path: 'event stream',
        apiError: `gave up after ${failures - 1} reconnects`,
      });
    }
    try {
      await delay(Math.min(30_000, baseDelay * 2 ** Math.max(0, failures - 1)), undefined, {
        signal: options.signal,
      });
    } catch {
      return;
    }
  }
}
