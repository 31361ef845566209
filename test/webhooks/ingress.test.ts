import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer } from '../../src/stack/dev-server';
import { runCommand } from '../../src/cli/command';
import { webhooksCommand } from '../../src/cli/commands/webhooks';
import { captureConsole, withEnv } from '../support/console';
import { createIngressServer, type IngressServer } from '../../src/webhooks/ingress-server';
import { signBody } from '../../src/replicas';
import { deriveWebhookSecret } from '../../src/webhooks/callback-targets';
import type { ReplicaEvent } from '../../src/contracts';
import { eventsQuery, type eventSinkWorkflow } from '../fixtures/event-sink-workflow';
import { freeLoopbackPort } from '../support/free-port';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal';

const MASTER_SECRET = 'test-master-secret-that-is-long-enough-0123456789';
const workflowsPath = path.join(__dirname, '..', 'fixtures', 'event-sink-workflow.ts');

type Headers = Record<string, string | undefined>;

interface Delivery {
  body?: string | Buffer | Readable;
  /** Overrides the defaults; `undefined` removes a header. */
  headers?: Headers;
  eventId?: string;
  type?: string;
}

/** A delivery as the platform would send it: signed with the workflow's secret unless headers say otherwise. */
function deliveryHeaders(
  workflowId: string,
  body: string | Buffer,
  extra: Headers = {},
): Record<string, string> {
  const headers: Headers = {
    'content-type': 'application/json',
    'x-replicas-event': 'replica.turn_completed',
    'x-replicas-event-id': randomUUID(),
    'x-replicas-replica-id': 'replica-1',
    'x-replicas-signature': signBody(deriveWebhookSecret(MASTER_SECRET, workflowId), body),
    ...extra,
  };
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

async function post(ingress: IngressServer, workflowId: string, delivery: Delivery = {}) {
  const body = delivery.body ?? JSON.stringify({ turn: 1, summary: 'did a thing' });
  const signed = body instanceof Readable ? '' : body;
  const headers = deliveryHeaders(workflowId, signed, {
    ...(delivery.eventId ? { 'x-replicas-event-id': delivery.eventId } : {}),
    ...(delivery.type ? { 'x-replicas-event': delivery.type } : {}),
    ...delivery.headers,
  });
  const res = await request(`${ingress.url}/webhooks/replicas/${encodeURIComponent(workflowId)}`, {
    method: 'POST',
    headers,
    body,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

async function get(ingress: IngressServer, pathname: string) {
  const res = await request(`${ingress.url}${pathname}`);
  return { status: res.statusCode, text: await res.body.text() };
}

describe('webhook ingress on the shared dev server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let ingress: IngressServer;
  const taskQueue = uniqueTaskQueue('ingress');

  beforeAll(async () => {
    env = await connectToDevServer();
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath });
    running = worker.run();
    ingress = createIngressServer({ client: env.client, masterSecret: MASTER_SECRET });
    await ingress.listen();
  });
  afterAll(async () => {
    await ingress?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const startSink = (): Promise<WorkflowHandle<typeof eventSinkWorkflow>> =>
    env.client.workflow.start<typeof eventSinkWorkflow>('eventSinkWorkflow', {
      taskQueue,
      workflowId: uniqueTaskQueue('sink'),
    });

  /** Stops the sink with a valid delivery and returns every event it kept, in order. */
  async function stopSink(handle: WorkflowHandle<typeof eventSinkWorkflow>): Promise<ReplicaEvent[]> {
    expect((await post(ingress, handle.workflowId, { type: 'replica.error' })).status).toBe(200);
    return handle.result();
  }

  it('signals a valid delivery to the workflow named in the path and answers 200 after', async () => {
    const handle = await startSink();
    const eventId = randomUUID();
    const url = 'https://github.com/acme/api/pull/7';
    const res = await post(ingress, handle.workflowId, {
      eventId,
      body: JSON.stringify({
        data: { repository_statuses: [{ repository: 'acme/api', branch: 'fix-lint', pr_urls: [url] }] },
      }),
      headers: { 'x-replicas-delivery': 'delivery-7', 'x-replicas-replica-id': 'replica-42' },
    });
    expect(res).toMatchObject({ status: 200, json: { ok: true } });
    // Normalised at the edge: the workflow receives typed fields, never the body.
    const events = await handle.query(eventsQuery);
    expect(events).toEqual([
      {
        eventId,
        type: 'replica.turn_completed',
        replicaId: 'replica-42',
        prs: [{ repository: 'acme/api', number: 7, url, branch: 'fix-lint' }],
      },
    ]);
    await stopSink(handle);
  });

  it('acknowledges events no job acts on (replica.ready, replica.deleted) without signalling them', async () => {
    const handle = await startSink();
    for (const type of ['replica.ready', 'replica.deleted']) {
      const res = await post(ingress, handle.workflowId, { type, eventId: type });
      expect(res).toMatchObject({ status: 200, json: { ok: true, ignored: true } });
    }
    const kept = (await stopSink(handle)).map((e) => e.eventId);
    expect(kept).not.toContain('replica.ready');
    expect(kept).not.toContain('replica.deleted');
    expect(ingress.metrics.requestCount('ignored')).toBeGreaterThanOrEqual(1);
  });

  it('accepts a redelivered event id twice and the workflow keeps one copy', async () => {
    const handle = await startSink();
    const eventId = randomUUID();
    const first = await post(ingress, handle.workflowId, { eventId });
    const second = await post(ingress, handle.workflowId, { eventId });
    expect([first.status, second.status]).toEqual([200, 200]);
    const events = await stopSink(handle);
    expect(events.map((e) => e.eventId)).toEqual([eventId, expect.any(String)]);
  });

  it('rejects bad deliveries with the right status and never signals them', async () => {
    const handle = await startSink();
    const id = handle.workflowId;
    const body = JSON.stringify({ turn: 2 });
    const otherSecret = deriveWebhookSecret(MASTER_SECRET, `${id}-other`);
    const signature = signBody(deriveWebhookSecret(MASTER_SECRET, id), body);
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    const huge = JSON.stringify({ blob: 'x'.repeat(1024 * 1024) });
    const cases: Array<[string, Delivery, number, string]> = [
      [
        'forged signature',
        { body, headers: { 'x-replicas-signature': `sha256=${'ab'.repeat(32)}` } },
        401,
        'invalid',
      ],
      ['flipped signature', { body, headers: { 'x-replicas-signature': flipped } }, 401, 'invalid'],
      [
        'other workflow secret',
        { body, headers: { 'x-replicas-signature': signBody(otherSecret, body) } },
        401,
        '',
      ],
      [
        'tampered body',
        { body: body.replace('2', '3'), headers: { 'x-replicas-signature': signature } },
        401,
        '',
      ],
      ['no signature', { body, headers: { 'x-replicas-signature': undefined } }, 401, 'X-Replicas-Signature'],
      ['no event type', { headers: { 'x-replicas-event': undefined } }, 400, 'X-Replicas-Event header'],
      ['no event id', { headers: { 'x-replicas-event-id': undefined } }, 400, 'X-Replicas-Event-Id'],
      ['no replica id', { headers: { 'x-replicas-replica-id': undefined } }, 400, 'X-Replicas-Replica-Id'],
      ['not JSON (signed)', { body: '{"turn": 2' }, 400, 'JSON'],
      ['wrong content type', { headers: { 'content-type': 'text/plain' } }, 415, 'content type'],
      [
        'replayed body, rewritten event header',
        {
          body: JSON.stringify({ id: 'evt_1', type: 'replica.ready', replica_id: 'replica-1' }),
          headers: { 'x-replicas-event': 'replica.error', 'x-replicas-event-id': 'evt_1' },
        },
        400,
        'X-Replicas-Event header does not match',
      ],
      [
        'replayed body, rewritten event id',
        {
          body: JSON.stringify({ id: 'evt_1', type: 'replica.turn_completed', replica_id: 'replica-1' }),
          headers: { 'x-replicas-event-id': 'evt_2' },
        },
        400,
        'X-Replicas-Event-Id header does not match',
      ],
      ['oversize body', { body: huge }, 413, 'too large'],
      ['oversize streamed body', { body: Readable.from([Buffer.from(huge)]) }, 413, 'too large'],
    ];
    for (const [name, delivery, status, error] of cases) {
      const res = await post(ingress, id, delivery);
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(res.json).toMatchObject({ error: expect.stringContaining(error), details: expect.any(String) });
      expect(JSON.stringify(res.json)).not.toContain(MASTER_SECRET);
    }
    // Signals from one client arrive in order, so the stop event proves none of the above got through.
    expect((await stopSink(handle)).map((e) => e.type)).toEqual(['replica.error']);
  });

  it('answers 410 for an unknown or closed workflow, 404 and 405 for other routes', async () => {
    expect((await post(ingress, `no-such-workflow-${randomUUID()}`)).status).toBe(410);
    const handle = await startSink();
    await stopSink(handle);
    expect(await post(ingress, handle.workflowId)).toMatchObject({
      status: 410,
      json: { error: expect.any(String) },
    });
    expect((await get(ingress, '/webhooks/replicas/some-id')).status).toBe(405);
    expect((await get(ingress, '/webhooks/other')).status).toBe(404);
    expect((await get(ingress, '/')).status).toBe(404);
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    expect(await get(ingress, '/healthz')).toEqual({ status: 200, text: JSON.stringify({ status: 'ok' }) });
    const metrics = await get(ingress, '/metrics');
    expect(metrics.status).toBe(200);
    const signalled = /^replica_fleet_webhook_requests_total\{outcome="signalled"\} (\d+)$/m.exec(
      metrics.text,
    );
    expect(Number(signalled?.[1])).toBeGreaterThan(0);
    expect(metrics.text).toMatch(/^replica_fleet_webhook_requests_total\{outcome="unauthorized"\} [1-9]/m);
    expect(metrics.text).toMatch(/^replica_fleet_webhook_signal_seconds_bucket\{le="\+Inf"\} [1-9]/m);
    const count = /^replica_fleet_webhook_signal_seconds_count (\d+)$/m.exec(metrics.text);
    expect(Number(count?.[1])).toBeGreaterThan(0);
  });

  it('finishes an in-flight delivery on close() and refuses new connections meanwhile', async () => {
    const closing = createIngressServer({ client: env.client, masterSecret: MASTER_SECRET });
    await closing.listen();
    const handle = await startSink();
    const body = JSON.stringify({ late: true });
    const headers = deliveryHeaders(handle.workflowId, body, {
      'content-length': String(body.length),
      'x-replicas-event-id': 'late-event',
    });
    const socket = net.connect(closing.port, '127.0.0.1');
    const head = Object.entries({ ...headers, host: '127.0.0.1', expect: '100-continue' })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST /webhooks/replicas/${encodeURIComponent(handle.workflowId)} HTTP/1.1\r\n${head}\r\n`);
    // "100 Continue" proves the server is handling the request before close() starts.
    let received = '';
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes('100 Continue')) resolve();
      }),
    );
    let closed = false;
    const closeDone = closing.close().then(() => (closed = true));
    const refused = await new Promise<boolean>((resolve) =>
      net
        .connect(closing.port, '127.0.0.1')
        .once('error', () => resolve(true))
        .once('connect', () => resolve(false)),
    );
    expect(refused).toBe(true);
    expect(closed).toBe(false);
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    socket.write(body);
    await ended;
    expect(received).toMatch(/HTTP\/1\.1 200 OK[\s\S]*\{"ok":true\}/);
    await closeDone;
    socket.destroy();
    expect((await stopSink(handle)).map((e) => e.eventId)).toEqual(['late-event', expect.anything()]);
  });
});

describe('webhook ingress while Temporal is down', () => {
  it('answers 503 with Retry-After while Temporal is down and 200 once it is back', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ingress-temporal-'));
    const serverOptions = {
      dataDir,
      port: await freeLoopbackPort(),
      uiPort: await freeLoopbackPort(),
      namespace: 'default',
    };
    let server = await startDevServer(serverOptions);
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
    const taskQueue = uniqueTaskQueue('ingress-down');
    const runWorker = async <R>(fn: () => Promise<R>): Promise<R> => {
      const nativeConnection = await NativeConnection.connect({ address: server.address });
      try {
        const w = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: { code } });
        return await w.runUntil(fn);
      } finally {
        await nativeConnection.close();
      }
    };
    const ingress = createIngressServer({
      client,
      masterSecret: MASTER_SECRET,
      signalTimeoutMs: 2_000,
      log: () => {},
    });
    await ingress.listen();
    try {
      const handle = await client.workflow.start<typeof eventSinkWorkflow>('eventSinkWorkflow', {
        taskQueue,
        workflowId: 'sink-down',
      });
      expect(await runWorker(() => handle.query('events'))).toEqual([]);
      await server.stop();

      const eventId = randomUUID();
      const down = await post(ingress, handle.workflowId, { eventId });
      expect(down).toMatchObject({
        status: 503,
        headers: { 'retry-after': '5' },
        json: { error: expect.any(String) },
      });
      expect((await get(ingress, '/healthz')).status).toBe(503);

      server = await startDevServer(serverOptions);
      expect(await post(ingress, handle.workflowId, { eventId })).toMatchObject({ status: 200 });
      expect((await get(ingress, '/healthz')).status).toBe(200);
      const events = await runWorker(async () => {
        expect((await post(ingress, handle.workflowId, { type: 'replica.error' })).status).toBe(200);
        return handle.result();
      });
      expect(events.map((e) => e.eventId)).toEqual([eventId, expect.any(String)]);
      expect(ingress.metrics.requestCount('unavailable')).toBe(1);
    } finally {
      await ingress.close();
      await connection.close();
      await server.stop();
    }
  }, 60_000);
});

describe('replica-fleet webhooks command', () => {
  const run = (argv: string[]) => captureConsole(() => runCommand(webhooksCommand, argv));

  it('prints help', async () => {
    expect((await run(['--help'])).code).toBe(0);
  });

  it('names a missing or short REPLICA_FLEET_WEBHOOK_SECRET without echoing it (exit 2)', async () => {
    const missing = await withEnv({ REPLICA_FLEET_WEBHOOK_SECRET: undefined }, () => run(['--port', '0']));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/REPLICA_FLEET_WEBHOOK_SECRET/);
    const short = 'too-short-secret-value';
    const tooShort = await withEnv({ REPLICA_FLEET_WEBHOOK_SECRET: short }, () => run(['--port', '0']));
    expect(tooShort.code).toBe(2);
    expect(tooShort.err).toMatch(/REPLICA_FLEET_WEBHOOK_SECRET.*32/);
    expect(tooShort.err).not.toContain(short);
  });
});

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
