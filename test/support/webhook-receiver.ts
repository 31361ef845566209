import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: { id?: string; type?: string; replica_id?: string; data?: Record<string, unknown> };
}

/**
 * A loopback HTTP endpoint that records webhook deliveries. `respond` decides each answer's status
 * (`'hang'` never answers); `next` resolves on the first delivery matching a predicate.
 */
export async function startWebhookReceiver(
  respond: (n: number, hook: ReceivedWebhook) => number | 'hang' = () => 200,
) {
  const received: ReceivedWebhook[] = [];
  const waiters: { match: (hook: ReceivedWebhook) => boolean; resolve: (hook: ReceivedWebhook) => void }[] =
    [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const hook: ReceivedWebhook = {
        headers: req.headers,
        raw,
        body: JSON.parse(raw.toString('utf8')) as ReceivedWebhook['body'],
      };
      received.push(hook);
      for (const waiter of [...waiters]) {
        if (waiter.match(hook)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(hook);
        }
      }
      const status = respond(received.length, hook);
      if (status === 'hang') return;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The first delivery (already received or future) for which `match` holds. */
    next(match: (hook: ReceivedWebhook) => boolean): Promise<ReceivedWebhook> {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const ofType = (type: string, replicaId?: string) => (hook: ReceivedWebhook) =>
  hook.headers['x-replicas-event'] === type &&
  (!replicaId || hook.headers['x-replicas-replica-id'] === replicaId);
