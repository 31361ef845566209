import { parseSse } from '../../src/replicas';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator';

export interface WireEvent {
  id: string;
  ts: string;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Reads `GET /v1/replica/{id}/events` off the wire: the raw text (to check the message format), every
 * event in arrival order, `next` to await an event, and `ended` once the server closes the stream.
 */
export async function readEventStream(simUrl: string, replicaId: string) {
  const controller = new AbortController();
  const res = await fetch(`${simUrl}/v1/replica/${replicaId}/events`, {
    headers: { authorization: `Bearer ${DEFAULT_SIM_API_KEY}` },
    signal: controller.signal,
  });
  if (res.status !== 200) throw new Error(`event stream answered ${res.status}`);
  const events: WireEvent[] = [];
  const chunks: string[] = [];
  const waiters: { match: (e: WireEvent) => boolean; resolve: (e: WireEvent) => void }[] = [];
  async function* recorded(body: AsyncIterable<Uint8Array>) {
    const decoder = new TextDecoder();
    for await (const chunk of body) {
      chunks.push(decoder.decode(chunk, { stream: true }));
      yield chunk as Buffer;
    }
  }
  const ended = (async () => {
    try {
      for await (const message of parseSse(recorded(res.body as unknown as AsyncIterable<Uint8Array>))) {
        const event = JSON.parse(message.data) as WireEvent;
        events.push(event);
        for (const waiter of [...waiters]) {
          if (!waiter.match(event)) continue;
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return {
    events,
    /** Everything received so far, as sent. */
    text: () => chunks.join(''),
    /** The first event (already received or future) matching `match`. */
    next(match: (event: WireEvent) => boolean): Promise<WireEvent> {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    /** Resolves when the server ends the stream. */
    ended,
    close: () => controller.abort(),
  };
}

export const ofEvent =
  (type: string, where: (payload: Record<string, unknown>) => boolean = () => true) =>
  (event: WireEvent) =>
    event.type === type && where(event.payload);
