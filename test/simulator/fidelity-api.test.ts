/**
 * Fidelity of the simulator's answers (issue 11, points 3–5, and message senders): each test cites
 * the sentence of the pages or the element of the OpenAPI copy that decides it, and checks raw
 * answers against the copy, not against our client.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import * as A from '../../src/replicas/schemas/automation';
import * as E from '../../src/replicas/schemas/environment';
import * as R from '../../src/replicas/schemas/replica';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator';
import { componentValidator, makeAjv, openApiDoc } from '../replicas/openapi-copy';
import { forceState, startSimWithClient } from '../support/simulator';
import { ofType, startWebhookReceiver } from '../support/webhook-receiver';

type Harness = Awaited<ReturnType<typeof startSimWithClient>>;
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
type Json = Record<string, unknown>;

const ajv = makeAjv();
const valid = (name: string, value: unknown) => {
  const validate = componentValidator(ajv, name);
  return validate(value) || JSON.stringify(validate.errors);
};

let h: Harness;
/** Turns that stay busy, so follow-ups queue and sleeping mid-turn is observable. */
let slow: Harness;
let hooks: Receiver;
let counter = 0;

beforeAll(async () => {
  [h, slow] = await Promise.all([
    startSimWithClient({ config: { behaviour: { prProbability: 1 } } }),
    startSimWithClient({ config: { timings: { turnMs: 400 } } }),
  ]);
  hooks = await startWebhookReceiver();
});
afterAll(async () => {
  await Promise.all([h?.close(), slow?.close(), hooks?.close()]);
});

/** A raw call: the simulator's own answer, untouched by client-side validation. */
async function api(harness: Harness, method: string, path: string, body?: unknown, headers: Json = {}) {
  const res = await fetch(`${harness.sim.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${DEFAULT_SIM_API_KEY}`,
      'content-type': 'application/json',
      ...(headers as Record<string, string>),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function create(harness: Harness, overrides: Json = {}) {
  counter += 1;
  const { replica } = await harness.client.createReplica({
    name: `fidelity-api-${counter}`,
    message: 'upgrade the lint config',
    environment_id: harness.environmentFor('acme/api'),
    webhook_url: hooks.url,
    ...overrides,
  });
  return replica;
}

async function finishedTurn(harness: Harness) {
  const replica = await create(harness);
  await hooks.next(ofType('replica.turn_completed', replica.id));
  return replica;
}

const properties = (schema: string) =>
  Object.keys(
    (openApiDoc.components as { schemas: Record<string, { properties?: Json }> }).schemas[schema]
      ?.properties ?? {},
  );

describe('3. lenient requests: unknown fields are ignored, documented fields accepted', () => {
  it('"The OpenAPI schemas do not forbid extra properties": unknown fields on every body are ignored, not 400', async () => {
    const unknown = {
      thinking: 'hard',
      branch: 'main',
      repository: 'acme/api',
      metadata: { a: 1 },
      source: 'ci',
    };
    const created = await api(
      h,
      'POST',
      '/v1/replica',
      { name: 'lenient', message: 'x', environment_id: h.environmentFor('acme/api'), ...unknown },
      { 'x-replicas-api-version': '2026-05-17' },
    );
    expect(created.status).toBe(201);
    expect(created.body.replica).not.toHaveProperty('thinking');
    const id = (created.body.replica as Json).id as string;
    await vi.waitFor(async () => expect((await h.client.getReplica(id)).replica.status).toBe('active'));
    expect((await api(h, 'POST', `/v1/replica/${id}/messages`, { message: 'more', ...unknown })).status).toBe(
      200,
    );
    expect((await api(h, 'POST', `/v1/replica/${id}/chats`, { provider: 'claude', ...unknown })).status).toBe(
      201,
    );
    const env = await api(h, 'POST', '/v1/environments', { name: 'lenient-env', ...unknown });
    expect(env.status).toBe(201);
    const automation = await api(h, 'POST', '/v1/automations', {
      name: 'lenient-auto',
      prompt: 'x',
      environment_id: h.environmentFor('acme/api'),
      triggers: [{ type: 'cron', config: { schedule: '0 9 * * 1-5' } }],
      ...unknown,
    });
    expect(automation.status).toBe(201);
    expect(automation.body.automation).not.toHaveProperty('metadata');
  });

  it('still 400 for wrong types, enum values, whitespace in `name` ("^\\S+$") and out-of-range numbers', async () => {
    const env = h.environmentFor('acme/api');
    const version = { 'x-replicas-api-version': '2026-05-17' };
    const rejected = [
      await api(h, 'POST', '/v1/replica', { name: 'has space', message: 'x', environment_id: env }, version),
      await api(h, 'POST', '/v1/replica', { name: 'typed', message: 5, environment_id: env }, version),
      await api(
        h,
        'POST',
        '/v1/replica',
        { name: 'enum', message: 'x', environment_id: env, thinking_level: 'extreme' },
        version,
      ),
      await api(h, 'GET', '/v1/replica?limit=101'),
      await api(h, 'POST', '/v1/automations', {
        name: 'range',
        prompt: 'x',
        environment_id: env,
        triggers: [{ type: 'cron', config: { schedule: '0 9 * * *' } }],
        debounce_seconds: 86_401,
      }),
    ];
    for (const answer of rejected) {
      expect(answer.status).toBe(400);
      expect(valid('Error', answer.body)).toBe(true);
    }
  });

  it.each([
    ['CreateReplicaRequest', R.CreateReplicaRequest],
    ['SendReplicaMessageRequest', R.SendMessageRequest],
    ['CreateChatRequest', R.CreateChatRequest],
    ['ReorderQueueRequest', R.ReorderQueueRequest],
    ['CreateEnvironmentRequest', E.CreateEnvironmentRequest],
    ['UpdateEnvironmentRequest', E.UpdateEnvironmentRequest],
    ['CreateEnvironmentVariableRequest', E.CreateVariableRequest],
    ['CreateEnvironmentFileRequest', E.CreateFileRequest],
    ['UpdateEnvironmentFileRequest', E.UpdateFileRequest],
    ['CreateEnvironmentSkillRequest', E.CreateSkillRequest],
    ['CreateEnvironmentMcpRequest', E.CreateMcpRequest],
    ['UpdateEnvironmentMcpRequest', E.UpdateMcpRequest],
    ['CreateAutomationRequest', A.CreateAutomationRequest],
    ['UpdateAutomationRequest', A.UpdateAutomationRequest],
    ['TriggerAutomationRequest', A.TriggerAutomationRequest],
  ] as [string, z.ZodObject][])(
    "the request schema accepts every property of the copy's %s",
    (name, schema) => {
      expect(properties(name).filter((key) => !(key in schema.shape))).toEqual([]);
    },
  );

  it('SendReplicaMessageRequest `senderUserId`/`senderEmail` and CreateChatRequest `id`/`createdAt`/`clientRequestId` are honoured', async () => {
    const replica = await finishedTurn(h);
    const chatId = '8f2d7c1e-0d44-4b50-8888-8dd25736052a';
    const chat = await api(h, 'POST', `/v1/replica/${replica.id}/chats`, {
      provider: 'codex',
      id: chatId,
      createdAt: '2026-05-17T10:00:00.000Z',
      clientRequestId: 'req-1',
    });
    expect(chat.status).toBe(201);
    expect(chat.body).toMatchObject({
      id: chatId,
      created_at: '2026-05-17T10:00:00.000Z',
      provider: 'codex',
    });
    // A retried create with the same client-generated id answers the same chat.
    expect(
      (await api(h, 'POST', `/v1/replica/${replica.id}/chats`, { provider: 'codex', id: chatId })).body.id,
    ).toBe(chatId);
    expect((await h.client.listChats(replica.id)).chats.filter((c) => c.id === chatId)).toHaveLength(1);
  });
});

describe('4. history items are the agent events, and a turn records what the agent said', () => {
  it("HistoryEvent.type \"e.g., 'claude-user', 'claude-assistant'\": user message, answer and result, not wrapped twice", async () => {
    const replica = await finishedTurn(h);
    const history = await api(h, 'GET', `/v1/replica/${replica.id}/history`);
    const events = history.body.events as { type: string; payload: Json }[];
    expect(events.map((e) => e.type)).toEqual(['claude-user', 'claude-assistant', 'claude-result']);
    for (const event of events) {
      expect(valid('AgentEvent', event)).toBe(true);
      expect(event.payload).not.toHaveProperty('payload');
    }
    expect(events[0]?.payload).toMatchObject({
      type: 'user',
      message: { content: [{ type: 'text', text: 'upgrade the lint config' }] },
    });
    const said = (events[1]?.payload.message as { content: { text: string }[] }).content[0]?.text;
    expect(said).toMatch(/upgrade the lint config/);
    const { replica: details } = await h.client.getReplica(replica.id);
    expect(said).toContain(details.pull_requests[0]?.url);
    // "`claude-result` signals turn completion"; `subtype: success` a clean one.
    expect(events[2]?.payload).toMatchObject({
      type: 'result',
      subtype: 'success',
      is_error: false,
      result: said,
    });
  });

  it('a Codex chat keeps the CodexAgentEvent types (`event_msg`, `response_item`)', async () => {
    const replica = await finishedTurn(h);
    const sent = await h.client.sendMessage(replica.id, {
      message: 'port it to Codex',
      coding_agent: 'codex',
    });
    await vi.waitFor(async () =>
      expect((await h.client.getHistory(replica.id, { chat_id: sent.chat_id as string })).total).toBe(2),
    );
    const history = await api(h, 'GET', `/v1/replica/${replica.id}/history?chat_id=${sent.chat_id}`);
    const events = history.body.events as { type: string; payload: Json }[];
    expect(events.map((e) => [e.type, e.payload.type])).toEqual([
      ['event_msg', 'user_message'],
      ['response_item', 'message'],
    ]);
    for (const event of events) expect(valid('AgentEvent', event)).toBe(true);
    expect(history.body.coding_agent).toBe('codex');
  });
});

describe('5. lifecycle details of the pages and the OpenAPI', () => {
  it('Get Replica: "If the workspace is sleeping …, it will be woken and the response will indicate this with `waking: true`"', async () => {
    const replica = await finishedTurn(h);
    const readyBefore = hooks.received.filter(ofType('replica.ready', replica.id)).length;
    await forceState(h.sim.url, replica.id, 'sleeping');
    const wakesOnRead = h.sim.stats().wakes.onRead;
    const asleep = await api(h, 'GET', `/v1/replica/${replica.id}`);
    expect(valid('GetReplicaResponse', asleep.body)).toBe(true);
    expect(asleep.body.replica).toMatchObject({ status: 'sleeping', waking: true });
    expect(h.sim.stats().wakes.onRead).toBe(wakesOnRead + 1);
    // waking → active after wakeMs, with replica.ready ("finished waking"), as an explicit wake.
    await vi.waitFor(() =>
      expect(hooks.received.filter(ofType('replica.ready', replica.id)).length).toBe(readyBefore + 1),
    );
    expect((await h.client.getReplica(replica.id)).replica).toMatchObject({
      status: 'active',
      waking: false,
    });
  });

  it('a turn suspended by sleep resumes after a GET wakes the workspace, and runs once', async () => {
    const replica = await create(slow);
    await hooks.next(ofType('replica.ready', replica.id));
    await forceState(slow.sim.url, replica.id, 'sleeping');
    expect((await slow.client.getReplica(replica.id)).replica).toMatchObject({
      status: 'sleeping',
      waking: true,
    });
    await hooks.next(ofType('replica.turn_completed', replica.id));
    expect(slow.sim.stats().turnsByReplica[replica.id]).toBe(1);
  });

  it('"Each workspace can have multiple chat sessions with different coding agents": `coding_agent` picks (or opens) that agent\'s chat', async () => {
    const replica = await finishedTurn(h);
    const { chats: before } = await h.client.listChats(replica.id);
    const codex = await h.client.sendMessage(replica.id, {
      message: 'try it with Codex',
      coding_agent: 'codex',
    });
    expect(codex.chat_id).not.toBe(before[0]?.id);
    const { chats } = await h.client.listChats(replica.id);
    expect(chats.map((c) => c.provider).sort()).toEqual(['claude', 'codex']);
    expect(chats.find((c) => c.id === codex.chat_id)?.provider).toBe('codex');
    const again = await h.client.sendMessage(replica.id, { message: 'and again', coding_agent: 'codex' });
    expect(again.chat_id).toBe(codex.chat_id);
    const claude = await h.client.sendMessage(replica.id, {
      message: 'back to Claude',
      coding_agent: 'claude',
    });
    expect(claude.chat_id).toBe(before[0]?.id);
  });

  it('List Replicas: "ordered by newest `created_at` first", `limit` "default": 10', async () => {
    const lister = await startSimWithClient();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 12; i += 1) {
        const { replica } = await lister.client.createReplica({
          name: `listed-${i}`,
          message: 'x',
          environment_id: lister.environmentFor('acme/api'),
        });
        ids.push(replica.id);
      }
      const first = await api(lister, 'GET', '/v1/replica');
      expect(valid('ListReplicasResponse', first.body)).toBe(true);
      expect(first.body).toMatchObject({ page: 1, limit: 10, total: 12, total_pages: 2 });
      const second = await api(lister, 'GET', '/v1/replica?page=2');
      const listed = [...(first.body.replicas as Json[]), ...(second.body.replicas as Json[])].map(
        (r) => r.id,
      );
      expect(listed).toEqual([...ids].reverse());
    } finally {
      await lister.close();
    }
  });

  it('Create Replica header: "When omitted, … the response includes the populated engine details"', async () => {
    const legacy = await api(h, 'POST', '/v1/replica', {
      name: 'legacy-details',
      message: 'x',
      environment_id: h.environmentFor('acme/web'),
    });
    expect(legacy.status).toBe(201);
    expect(valid('CreateReplicaResponse', legacy.body)).toBe(true);
    const replica = legacy.body.replica as Json;
    expect(replica).toMatchObject({ status: 'active', coding_agent: 'claude', waking: false });
    expect(replica.repository_statuses).toEqual([expect.objectContaining({ repository: 'acme/web' })]);
    expect(replica.chats).toEqual([expect.objectContaining({ processing: true })]);
    for (const status of replica.repository_statuses as unknown[])
      expect(valid('RepositoryStatus', status)).toBe(true);
  });

  it('Environment: `variable_count`, `file_count`, `skill_count`, `mcp_count`', async () => {
    const { environment } = await h.client.environments.create({ name: 'counted' });
    await h.client.environments.variables.create(environment.id, { key: 'A', value: '1' });
    await h.client.environments.variables.create(environment.id, { key: 'B', value: '2' });
    await h.client.environments.files.create(environment.id, { name: 'f', path: '~/f', content: 'x' });
    await h.client.environments.skills.create(environment.id, {
      name: 's',
      slug: 's',
      source: 'acme/skills',
    });
    await h.client.environments.mcps.create(environment.id, {
      name: 'm',
      transport: 'http',
      config: { url: 'https://mcp.example.com/', headers: {} },
    });
    const counts = { variable_count: 2, file_count: 1, skill_count: 1, mcp_count: 1 };
    const got = await api(h, 'GET', `/v1/environments/${environment.id}`);
    expect(valid('EnvironmentResponse', got.body)).toBe(true);
    expect(got.body.environment).toMatchObject(counts);
    const listed = await api(h, 'GET', '/v1/environments');
    expect((listed.body.environments as Json[]).find((e) => e.id === environment.id)).toMatchObject(counts);
    // "Optional environment to copy variables, files, skills, skill registries, and MCPs from."
    const copy = await api(h, 'POST', '/v1/environments', {
      name: 'counted-copy',
      source_environment_id: environment.id,
    });
    expect(copy.body.environment).toMatchObject(counts);
  });

  it('Create Environment: the name "must be unique within the selected scope" (409)', async () => {
    expect((await api(h, 'POST', '/v1/environments', { name: 'unique-env' })).status).toBe(201);
    const again = await api(h, 'POST', '/v1/environments', { name: 'unique-env' });
    expect(again.status).toBe(409);
    expect(valid('Error', again.body)).toBe(true);
    // Another scope is another namespace: a personal environment may share the name.
    const personal = await api(h, 'POST', '/v1/environments', { name: 'unique-env', scope: 'user' });
    expect(personal.status).toBe(201);
    expect((personal.body.environment as Json).user_id).toEqual(expect.any(String));
    const other = await api(h, 'POST', '/v1/environments', { name: 'other-env' });
    const renamed = await api(
      h,
      'PATCH',
      `/v1/environments/${(other.body.environment as Json).id as string}`,
      {
        name: 'unique-env',
      },
    );
    expect(renamed.status).toBe(409);
  });

  it('"Messages queue automatically" / no "chat not found": an active workspace without a chat opens one', async () => {
    const replica = await finishedTurn(h);
    const { chats } = await h.client.listChats(replica.id);
    for (const chat of chats) await h.client.deleteChat(replica.id, chat.id);
    const sent = await api(h, 'POST', `/v1/replica/${replica.id}/messages`, { message: 'start over' });
    expect(sent.status).toBe(200);
    expect(valid('SendReplicaMessageResponse', sent.body)).toBe(true);
    expect(sent.body).toMatchObject({ status: 'sent', chat_id: expect.any(String) });
    expect((await h.client.listChats(replica.id)).chats.map((c) => c.id)).toEqual([sent.body.chat_id]);
  });
});

describe('message senders and what a workspace last heard', () => {
  it('`ChatMessageSender` per user message with a sender; `QueuedMessageInfo` carries the sender; each message runs once', async () => {
    const replica = await create(slow);
    await hooks.next(ofType('replica.ready', replica.id));
    const alice = { senderUserId: 'user-alice', senderEmail: 'alice@example.com' };
    const queued = await slow.client.sendMessage(replica.id, { message: 'also fix the README', ...alice });
    await slow.client.sendMessage(replica.id, { message: 'and the changelog' });
    expect(queued.status).toBe('queued');
    const queue = await api(slow, 'GET', `/v1/replica/${replica.id}/chats/${queued.chat_id}/queue`);
    expect(valid('ChatQueueResponse', queue.body)).toBe(true);
    expect(queue.body.queue).toEqual([
      expect.objectContaining({ id: queued.message_id, message: 'also fix the README', ...alice }),
      expect.not.objectContaining({ senderUserId: expect.anything() }),
    ]);
    const history = await api(slow, 'GET', `/v1/replica/${replica.id}/history`);
    expect(valid('ReadReplicaHistoryResponse', history.body)).toBe(true);
    expect(history.body.senders).toEqual([{ ...alice, recordedAt: expect.any(String) }]);
    const typed = await slow.client.getHistory(replica.id);
    expect(typed.senders).toEqual([expect.objectContaining(alice)]);
    const turnsCompleted = () => hooks.received.filter(ofType('replica.turn_completed', replica.id)).length;
    await hooks.next((hook) => ofType('replica.turn_completed', replica.id)(hook) && turnsCompleted() === 3);
    expect(slow.sim.stats().turnsByReplica[replica.id]).toBe(3);
    const state = await (await fetch(`${slow.sim.url}/__sim/replicas/${replica.id}`)).json();
    expect(state).toMatchObject({ turnsStarted: 3, turnsCompleted: 3 });
  });

  it("the guide, Check Status: `lastChatMessage` {text, agent, timestamp} and each chat's `lastMessageText`", async () => {
    const replica = await finishedTurn(h);
    const sent = await h.client.sendMessage(replica.id, { message: 'one more thing', coding_agent: 'codex' });
    const { replica: details } = await h.client.getReplica(replica.id);
    expect(details.lastChatMessage).toEqual({
      text: 'one more thing',
      agent: 'codex',
      timestamp: expect.any(String),
    });
    expect(details.chats?.find((c) => c.id === sent.chat_id)?.lastMessageText).toBe('one more thing');
    expect(details.chats?.find((c) => c.id !== sent.chat_id)?.lastMessageText).toBe(
      'upgrade the lint config',
    );
  });
});
