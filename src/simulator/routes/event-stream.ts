import { ENGINE_VERSION, streamEvent, type StreamEvent } from '../event-hub';
import type { SimReplica } from '../model';
import type { ApiContext } from './context';

/**
 * `GET /v1/replica/{id}/events` as the OpenAPI describes it: every `EngineEvent` as one
 * `data: <JSON>\n\n` message (no `id:` lines, so clients dedupe on the payload's `id`), a heartbeat
 * comment every `sseHeartbeatMs` (15 s by default), and the connection closing when the engine goes
 * away (sleep, error, delete). A running engine greets with `engine.ready`; a preparing one sends it
 * once it is up.
 */
export function streamEvents(ctx: ApiContext, replica: SimReplica): void {
  const { res } = ctx;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const write = (event: StreamEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
  if (replica.status === 'active') write(streamEvent('engine.ready', { version: ENGINE_VERSION }));
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), ctx.config.timings.sseHeartbeatMs);
  const unsubscribe = ctx.engine.events.subscribe(replica.id, { event: write, end: () => res.end() });
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  res.on('close', stop);
  res.on('finish', stop);
}
