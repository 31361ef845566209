/**
 * Fidelity of what the simulator pushes: the SSE stream (issue 11, point 1) and webhook bodies
 * (point 2), validated against the documents (the OpenAPI copy, the guide), not against our client.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { normaliseReplicaEvent } from '../../src/contracts';
import { EngineEvent, ReplicaWebhookBody } from '../../src/replicas';
import { parseSimConfig } from '../../src/simulator/sim-config';
import { componentValidator, makeAjv } from '../replicas/openapi-copy';
import { forceState, startSimWithClient } from '../support/simulator';
import { ofType, startWebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver';
import { ofEvent, readEventStream, type WireEvent } from './event-stream-reader';

type Harness = Awaited<ReturnType<typeof startSimWithClient>>;
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

const ajv = makeAjv();
const engineEvent = componentValidator(ajv, 'EngineEvent');
const agentEvent = componentValidator(ajv, 'AgentEvent');
const replicaListItem = componentValidator(ajv, 'ReplicaListItem');
const repositoryStatus = componentValidator(ajv, 'RepositoryStatus');

/** Every event validates against the copy's `EngineEvent`, and the client's schema reads it. */
function expectEngineEvents(events: WireEvent[]) {
  const invalid = events
    .filter((event): boolean => !engineEvent(event) || !EngineEvent.safeParse(event).success)
    .map((event) => `${event.type}: ${JSON.stringify(event.payload)}`);
  expect(invalid).toEqual([]);
}

let h: Harness;
let hooks: Receiver;
let counter = 0;

beforeAll(async () => {
  // Provisioning slow enough to connect the stream first; turns long enough to act during them.
  h = await startSimWithClient({
    config: {
      timings: { provisionMs: 150, turnMs: 150, sseHeartbeatMs: 25 },
      behaviour: { prProbability: 1 },
    },
  });
  hooks = await startWebhookReceiver();
});
afterAll(async () => {
  await h?.close();
  await hooks?.close();
});

async function create(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const { replica } = await h.client.createReplica({
    name: `fidelity-events-${counter}`,
    message: 'upgrade the lint config',
    environment_id: h.environmentFor('acme/api'),
    webhook_url: hooks.url,
    ...overrides,
  });
  return replica;
}

describe('1. GET /v1/replica/{id}/events emits OpenAPI EngineEvent', () => {
  it('"See the `EngineEvent` schema for all possible event types": a first turn, in order, every event valid', async () => {
    const replica = await create();
    const stream = await readEventStream(h.sim.url, replica.id);
    const completed = await stream.next(ofEvent('chat.turn.completed'));
    stream.close();
    expectEngineEvents(stream.events);
    const turn = stream.events.slice(0, stream.events.indexOf(completed) + 1);
    expect(turn.map((e) => e.type)).toEqual([
      'engine.ready',
      'hooks.started',
      'repo.discovered',
      'hooks.completed',
      'repo.status.changed',
      'chat.created',
      'chat.turn.accepted',
      'chat.turn.started',
      'chat.updated',
      'engine.status.changed',
      'chat.turn.delta',
      'repo.status.changed',
      'chat.turn.delta',
      'chat.turn.completed',
    ]);
    const [accepted, started] = ['chat.turn.accepted', 'chat.turn.started'].map(
      (type) => stream.events.find((e) => e.type === type)?.payload,
    );
    expect(accepted).toMatchObject({ queued: false, position: 0 });
    expect(started?.messageId).toBe(accepted?.messageId);
    // "Repository status changed (branch, diff, PR URL, start hooks status)": the PR reaches a streaming client.
    const changed = stream.events.filter((e) => e.type === 'repo.status.changed').at(-1);
    const { replica: details } = await h.client.getReplica(replica.id);
    expect(changed?.payload.repos).toEqual([
      expect.objectContaining({
        name: 'acme/api',
        currentBranch: `replicas/${replica.name}`,
        defaultBranch: 'main',
        prUrls: details.pull_requests.map((pr) => pr.url),
        startHooksCompleted: true,
      }),
    ]);
    expect(completed.payload).toEqual({ chatId: accepted?.chatId, isComplete: true });
  });

  it.each(['claude', 'codex', 'cursor', 'opencode'])(
    '"A streaming delta from the coding agent": %s deltas are AgentEvents, the same items the history keeps',
    async (agent) => {
      const replica = await create({ coding_agent: agent });
      const stream = await readEventStream(h.sim.url, replica.id);
      await stream.next(ofEvent('chat.turn.completed'));
      stream.close();
      expectEngineEvents(stream.events);
      const deltas = stream.events.filter((e) => e.type === 'chat.turn.delta').map((e) => e.payload.event);
      expect(deltas.length).toBeGreaterThan(0);
      const history = await h.client.getHistory(replica.id);
      for (const event of history.events) expect(agentEvent(event), JSON.stringify(event)).toBe(true);
      expect(history.events.slice(-deltas.length)).toEqual(deltas);
      expect(history.coding_agent).toBe(agent);
    },
  );

  it('"A message was accepted and queued for processing": a follow-up is accepted as queued, then started', async () => {
    const replica = await create();
    const stream = await readEventStream(h.sim.url, replica.id);
    await stream.next(ofEvent('chat.turn.started'));
    const sent = await h.client.sendMessage(replica.id, { message: 'also fix the README' });
    expect(sent.status).toBe('queued');
    const accepted = await stream.next(ofEvent('chat.turn.accepted', (p) => p.messageId === sent.message_id));
    expect(accepted.payload).toMatchObject({ chatId: sent.chat_id, queued: true, position: 1 });
    await stream.next(ofEvent('chat.turn.started', (p) => p.messageId === sent.message_id));
    const completions = stream.events.filter((e) => e.type === 'chat.turn.completed');
    expect(completions).toHaveLength(1);
    stream.close();
    expectEngineEvents(stream.events);
  });

  it('"Each event is delivered as an SSE message in the format `data: <JSON>\\n\\n`. A heartbeat ping is sent every 15 seconds"', async () => {
    expect(parseSimConfig({}).timings.sseHeartbeatMs).toBe(15_000);
    const replica = await create();
    const stream = await readEventStream(h.sim.url, replica.id);
    await stream.next(ofEvent('chat.turn.completed'));
    await vi.waitFor(() => expect(stream.text()).toContain(': heartbeat\n\n'));
    stream.close();
    const blocks = stream
      .text()
      .split('\n\n')
      .filter((block) => block !== '');
    for (const block of blocks) expect(block).toMatch(/^(data: \{.*\}|: heartbeat)$/s);
  });

  it('"chat.created … Echo of the `clientRequestId`"; "chat.interrupted"; "chat.deleted"', async () => {
    const replica = await create();
    await hooks.next(ofType('replica.ready', replica.id));
    const stream = await readEventStream(h.sim.url, replica.id);
    const chat = await h.client.createChat(replica.id, { provider: 'codex', clientRequestId: 'req-7' });
    const created = await stream.next(ofEvent('chat.created'));
    expect(created.payload).toMatchObject({ clientRequestId: 'req-7', chat: { id: chat.id } });
    await h.client.sendMessage(replica.id, { message: 'side quest', chat_id: chat.id });
    await h.client.deleteChat(replica.id, chat.id);
    await stream.next(ofEvent('chat.deleted', (p) => p.chatId === chat.id));
    stream.close();
    const ofChat = stream.events.filter((e) => e.payload.chatId === chat.id).map((e) => e.type);
    expect(ofChat).toEqual([
      'chat.turn.accepted',
      'chat.turn.started',
      'chat.interrupted',
      'chat.turn.completed',
      'chat.deleted',
    ]);
    expect(
      stream.events.find((e) => e.type === 'chat.turn.completed' && e.payload.chatId === chat.id),
    ).toMatchObject({ payload: { isComplete: false } });
    expectEngineEvents(stream.events);
  });

  it('"error: An error occurred": a failing sandbox ends the turn incomplete, sends `error` and closes', async () => {
    const replica = await create();
    const stream = await readEventStream(h.sim.url, replica.id);
    await stream.next(ofEvent('chat.turn.started'));
    await forceState(h.sim.url, replica.id, 'error', 'out of memory');
    await stream.ended;
    expect(stream.events.slice(-4).map((e) => e.type)).toEqual([
      'chat.turn.completed',
      'chat.updated',
      'engine.status.changed',
      'error',
    ]);
    expect(stream.events.at(-4)?.payload).toMatchObject({ isComplete: false });
    expect(stream.events.at(-1)?.payload).toEqual({ code: 'sandbox_failed', message: 'out of memory' });
    expectEngineEvents(stream.events);
  });

  it('the stream closes when the workspace sleeps; reconnecting answers 409 (guide: events "return 409 Conflict when the workspace is in sleeping")', async () => {
    const replica = await create();
    const stream = await readEventStream(h.sim.url, replica.id);
    await stream.next(ofEvent('engine.ready'));
    await forceState(h.sim.url, replica.id, 'sleeping');
    await stream.ended;
    await expect(readEventStream(h.sim.url, replica.id)).rejects.toThrow(/409/);
  });
});

describe('2. webhook bodies carry what receivers of the platform read', () => {
  const bodyOf = (hook: ReceivedWebhook) => hook.body as Record<string, unknown>;

  function expectDocumentedBody(hook: ReceivedWebhook, replicaId: string) {
    const body = bodyOf(hook);
    expect(ReplicaWebhookBody.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ type: hook.headers['x-replicas-event'], replica_id: replicaId });
    expect(body.id).toBe(hook.headers['x-replicas-event-id']);
    // The replica object is the list item of the OpenAPI copy.
    expect(replicaListItem(body.replica), JSON.stringify(replicaListItem.errors)).toBe(true);
    expect(body.replica).toMatchObject({ id: replicaId });
  }

  it('replica.turn_completed: "Payload includes per-repository branches and any newly opened PR URLs"', async () => {
    const replica = await create();
    const hook = await hooks.next(ofType('replica.turn_completed', replica.id));
    expectDocumentedBody(hook, replica.id);
    const data = bodyOf(hook).data as { repository_statuses: unknown[]; pr_urls: string[]; chat_id: string };
    for (const status of data.repository_statuses) expect(repositoryStatus(status)).toBe(true);
    expect(data.repository_statuses).toEqual([
      expect.objectContaining({
        repository: 'acme/api',
        branch: `replicas/${replica.name}`,
        default_branch: 'main',
        pr_urls: data.pr_urls,
      }),
    ]);
    expect(data.pr_urls).toEqual([expect.stringMatching(/^https:\/\/github\.com\/acme\/api\/pull\/\d+$/)]);
    expect(bodyOf(hook).replica).toMatchObject({ status: 'active', name: replica.name });
    // The job's parser reads the PRs (with their branch) from this body.
    const event = normaliseReplicaEvent(
      { eventId: 'e', type: 'replica.turn_completed', replicaId: replica.id },
      hook.body,
    );
    expect(event.prs).toEqual([
      expect.objectContaining({
        url: data.pr_urls[0],
        repository: 'acme/api',
        branch: `replicas/${replica.name}`,
      }),
    ]);
  });

  it('replica.error: "the payload includes the failure message"; replica.ready and replica.deleted: the replica object, empty data', async () => {
    const replica = await create();
    const ready = await hooks.next(ofType('replica.ready', replica.id));
    expectDocumentedBody(ready, replica.id);
    await forceState(h.sim.url, replica.id, 'error', 'sandbox ran out of memory');
    const failed = await hooks.next(ofType('replica.error', replica.id));
    expectDocumentedBody(failed, replica.id);
    expect(bodyOf(failed)).toMatchObject({
      replica: { status: 'error' },
      data: { message: 'sandbox ran out of memory' },
    });
    const event = normaliseReplicaEvent(
      { eventId: 'e', type: 'replica.error', replicaId: replica.id },
      failed.body,
    );
    expect(event.errorMessage).toBe('sandbox ran out of memory');
    await h.client.deleteReplica(replica.id);
    const deleted = await hooks.next(ofType('replica.deleted', replica.id));
    expectDocumentedBody(deleted, replica.id);
    // "replica.deleted: the workspace was deleted. Payload data is empty."
    expect(bodyOf(deleted).data).toEqual({});
  });
});
