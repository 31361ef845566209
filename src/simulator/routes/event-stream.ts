import { randomUUID } from 'node:crypto';
import type { SimReplica } from '../model';
import { now } from '../model';
import type { StreamEvent } from '../replica-engine';
import type { ApiContext } from './context';

/**
 * `GET /v1/replica/{id}/events`: `data: {id, ts, type, payload}` messages (with `id:` lines, so a
 * reconnecting client can send `Last-Event-ID`), a heartbeat comment every `sseHeartbeatMs`, and the
 * end of the stream when the workspace sleeps, fails or is deleted.
 */
export function streamEvents(ctx: ApiContext, replica: SimReplica): void {
  const { res } = ctx;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const write = (event: StreamEvent) => res.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
  write({ id: randomUUID(), ts: now(), type: 'hello', payload: { version: '1' } });
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), ctx.config.timings.sseHeartbeatMs);
  const unsubscribe = ctx.engine.subscribe(replica.id, (event) => {
    write(event);
    if (['replica.sleeping', 'replica.deleted', 'error'].includes(event.type)) res.end();
  });
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  res.on('close', stop);
  res.on('finish', stop);
}
