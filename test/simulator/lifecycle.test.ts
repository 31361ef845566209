import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReplicasApiError, type ReplicasClient } from '../../src/replicas';
import { verifySignature } from '../../src/replicas';
import { forceState, startSimWithClient } from '../support/simulator';
import { ofType, startWebhookReceiver } from '../support/webhook-receiver';

type Harness = Awaited<ReturnType<typeof startSimWithClient>>;
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

let h: Harness;
let hooks: Receiver;
let client: ReplicasClient;
const SECRET = 'a-webhook-secret-of-reasonable-length';

beforeAll(async () => {
  h = await startSimWithClient({ config: { behaviour: { prProbability: 1 } } });
  hooks = await startWebhookReceiver();
  client = h.client;
});
afterAll(async () => {
  await h.close();
  await hooks.close();
});

let counter = 0;
async function create(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const { replica } = await client.createReplica({
    name: `lifecycle-${counter}`,
    message: 'upgrade the lint config',
    environment_id: h.environmentFor('acme/api'),
    webhook_url: { url: hooks.url, secret: SECRET },
    ...overrides,
  });
  return replica;
}

async function rejection(promise: Promise<unknown>): Promise<ReplicasApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplicasApiError);
  return error as ReplicasApiError;
}

describe('simulator lifecycle', () => {
  it('creates preparing at once with the version header, then active with a processing first turn and replica.ready', async () => {
    const replica = await create();
    expect(replica.status).toBe('preparing');
    const ready = await hooks.next(ofType('replica.ready', replica.id));
    expect(ready.body.replica_id).toBe(replica.id);
    const { replica: details } = await client.getReplica(replica.id);
    expect(details.status).toBe('active');
    expect(details.chats?.[0]?.processing).toBe(true);
  });

  it('blocks until active without the version header (legacy)', async () => {
    counter += 1;
    const { replica } = await client.createReplica(
      { name: `legacy-${counter}`, message: 'hi', environment_id: h.environmentFor('acme/web') },
      { legacyBlocking: true },
    );
    expect(replica.status).toBe('active');
  });

  it('finishes a turn: processing ends, branch and PR filled, signed replica.turn_completed with every header', async () => {
    const replica = await create();
    const hook = await hooks.next(ofType('replica.turn_completed', replica.id));
    expect(hook.headers['x-replicas-event-id']).toMatch(/^evt_/);
    expect(hook.headers['x-replicas-delivery']).toMatch(/^dlv_/);
    expect(hook.headers['x-replicas-replica-id']).toBe(replica.id);
    expect(verifySignature(SECRET, hook.raw, hook.headers['x-replicas-signature'] as string)).toBe(true);
    expect(
      verifySignature(
        'another-secret-entirely-000000000',
        hook.raw,
        hook.headers['x-replicas-signature'] as string,
      ),
    ).toBe(false);
    const data = hook.body.data as {
      repository_statuses: { repository: string; branch: string; pr_urls: string[] }[];
    };
    expect(data.repository_statuses[0]?.repository).toBe('acme/api');
    expect(data.repository_statuses[0]?.pr_urls[0]).toMatch(/^https:\/\/github\.com\/acme\/api\/pull\/\d+$/);
    const { replica: details } = await client.getReplica(replica.id);
    expect(details.chats?.every((c) => !c.processing)).toBe(true);
    expect(details.repository_statuses?.[0]?.branch).toBe(`replicas/${replica.name}`);
    expect(details.pull_requests.map((pr) => pr.url)).toEqual(data.repository_statuses[0]?.pr_urls);
  });

  it('sends no signature header when webhook_url is a bare string', async () => {
    const replica = await create({ webhook_url: hooks.url });
    const hook = await hooks.next(ofType('replica.ready', replica.id));
    expect(hook.headers['x-replicas-signature']).toBeUndefined();
  });

  it('queues messages while the agent is busy and runs them in order', async () => {
    const replica = await create();
    await hooks.next(ofType('replica.ready', replica.id));
    const queued = await client.sendMessage(replica.id, { message: 'also fix the README' });
    expect(queued).toMatchObject({ status: 'queued', position: 1 });
    const { chats } = await client.listChats(replica.id);
    const queue = await client.getQueue(replica.id, chats[0]?.id as string);
    expect(queue.queue.map((m) => m.message)).toEqual(['also fix the README']);
    await vi.waitFor(() =>
      expect(hooks.received.filter(ofType('replica.turn_completed', replica.id))).toHaveLength(2),
    );
    const idle = await client.sendMessage(replica.id, { message: 'one more thing' });
    expect(idle.status).toBe('sent');
  });

  it('answers 409 on wake and every engine-proxy endpoint while in error, and on the proxies while sleeping', async () => {
    const replica = await create();
    await hooks.next(ofType('replica.ready', replica.id));
    const { chats } = await client.listChats(replica.id);
    const chatId = chats[0]?.id as string;
    const proxies = () => [
      client.sendMessage(replica.id, { message: 'hello' }),
      client.listChats(replica.id),
      client.createChat(replica.id, { provider: 'claude' }),
      client.getHistory(replica.id),
      client.getQueue(replica.id, chatId),
      client.getHookLogs(replica.id),
      client.listCanvas(replica.id),
      client.getCanvasItem(replica.id, 'summary.md'),
    ];
    await forceState(h.sim.url, replica.id, 'sleeping');
    for (const call of proxies()) expect((await rejection(call)).status).toBe(409);
    await forceState(h.sim.url, replica.id, 'error', 'out of memory');
    const errorEvent = await hooks.next(ofType('replica.error', replica.id));
    expect(errorEvent.body.data).toMatchObject({ message: 'out of memory' });
    for (const call of proxies()) expect((await rejection(call)).status).toBe(409);
    expect((await rejection(client.wakeReplica(replica.id))).kind).toBe('conflict');
    expect((await client.getReplica(replica.id)).replica.status).toBe('error');
  });

  it('keeps every created replica in its stats, deleted ones too: name, PRs opened, error message', async () => {
    const opened = await create();
    const failed = await create();
    const hook = await hooks.next(ofType('replica.turn_completed', opened.id));
    await hooks.next(ofType('replica.ready', failed.id));
    await forceState(h.sim.url, failed.id, 'error', 'disk full');
    await client.deleteReplica(opened.id);
    const urls = (hook.body.data as { pr_urls: string[] }).pr_urls;
    expect(urls).toHaveLength(1);
    expect(h.sim.stats().createdReplicas[opened.id]).toEqual({ name: opened.name, pullRequests: urls });
    expect(h.sim.stats().createdReplicas[failed.id]).toMatchObject({ name: failed.name, error: 'disk full' });
  });

  it('wakes a sleeping workspace: waking, then active with replica.ready', async () => {
    const replica = await create();
    await hooks.next(ofType('replica.turn_completed', replica.id));
    await forceState(h.sim.url, replica.id, 'sleeping');
    const readyBefore = hooks.received.filter(ofType('replica.ready', replica.id)).length;
    const requested = h.sim.stats().wakes.requested;
    await client.wakeReplica(replica.id);
    expect(h.sim.stats().wakes.requested).toBe(requested + 1);
    expect((await client.getReplica(replica.id)).replica.waking).toBe(true);
    await vi.waitFor(() =>
      expect(hooks.received.filter(ofType('replica.ready', replica.id)).length).toBe(readyBefore + 1),
    );
    const { replica: awake } = await client.getReplica(replica.id);
    expect(awake).toMatchObject({ status: 'active', waking: false });
  });

  it('sleeps after inactivity; delete_when_done deletes after the turn with replica.deleted; delete_after_inactivity deletes when idle', async () => {
    const sleepy = await startSimWithClient({ config: { timings: { sleepAfterMs: 40 } } });
    try {
      const { replica } = await sleepy.client.createReplica({
        name: 'sleepy',
        message: 'x',
        environment_id: sleepy.environmentFor('acme/api'),
      });
      await vi.waitFor(async () =>
        expect((await sleepy.client.getReplica(replica.id)).replica.status).toBe('sleeping'),
      );
    } finally {
      await sleepy.close();
    }
    const replica = await create({ lifecycle_policy: 'delete_when_done' });
    await hooks.next(ofType('replica.deleted', replica.id));
    expect((await rejection(client.getReplica(replica.id))).kind).toBe('not_found');
    const idle = await startSimWithClient({ config: { timings: { deleteAfterInactivityMs: 40 } } });
    try {
      const { replica: transient } = await idle.client.createReplica({
        name: 'transient',
        message: 'x',
        environment_id: idle.environmentFor('acme/api'),
        lifecycle_policy: 'delete_after_inactivity',
      });
      await vi.waitFor(async () =>
        expect((await rejection(idle.client.getReplica(transient.id))).kind).toBe('not_found'),
      );
    } finally {
      await idle.close();
    }
  });

  it('rejects bad keys (401), other organisations and unknown ids (404), and invalid bodies (400 with details)', async () => {
    const two = await startSimWithClient({ apiKeys: ['org-a', 'org-b'] });
    try {
      const { replica } = await two.client.createReplica({
        name: 'mine',
        message: 'x',
        environment_id: two.environmentFor('acme/api'),
      });
      const orgB = new (two.client.constructor as typeof ReplicasClient)({
        baseUrl: two.sim.url,
        apiKey: 'org-b',
      });
      expect((await rejection(orgB.getReplica(replica.id))).status).toBe(404);
      expect((await rejection(orgB.deleteReplica(replica.id))).status).toBe(404);
      await orgB.close();
      const stranger = new (two.client.constructor as typeof ReplicasClient)({
        baseUrl: two.sim.url,
        apiKey: 'wrong',
      });
      expect((await rejection(stranger.listReplicas())).kind).toBe('unauthorized');
      await stranger.close();
      const raw = await fetch(`${two.sim.url}/v1/replica`, {
        method: 'POST',
        headers: { authorization: 'Bearer org-a', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'has space', message: '' }),
      });
      expect(raw.status).toBe(400);
      const body = (await raw.json()) as { error: string; details: string };
      expect(body.details).toMatch(/name: must not contain whitespace/);
      expect(body.details).toMatch(/message/);
      expect((await rejection(two.client.getReplica('00000000-0000-4000-8000-000000000000'))).status).toBe(
        404,
      );
    } finally {
      await two.close();
    }
  });

  it('streams events over SSE as data-only messages with a heartbeat', async () => {
    const beat = await startSimWithClient({ config: { timings: { sseHeartbeatMs: 20, turnMs: 300 } } });
    try {
      const { replica } = await beat.client.createReplica({
        name: 'sse',
        message: 'x',
        environment_id: beat.environmentFor('acme/api'),
      });
      await vi.waitFor(async () =>
        expect((await beat.client.getReplica(replica.id)).replica.status).toBe('active'),
      );
      const res = await fetch(`${beat.sim.url}/v1/replica/${replica.id}/events`, {
        headers: { authorization: 'Bearer sim-local-key' },
      });
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (!text.includes('chat.turn.completed') || !text.includes(': heartbeat')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      expect(text).toMatch(/^data: \{"id":/m);
      expect(text).not.toMatch(/^id:/m);
      expect(text).toContain(': heartbeat');
      const events = [];
      for await (const event of beat.client.events(replica.id, { maxReconnects: 0 })) {
        events.push(event.type);
        if (event.type === 'engine.ready') break;
      }
      expect(events).toEqual(['engine.ready']);
    } finally {
      await beat.close();
    }
  });
});
