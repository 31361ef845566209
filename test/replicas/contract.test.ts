import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReplicasApiError, ReplicasClient } from '../../src/replicas';
import { CodingAgent, LifecyclePolicy, ThinkingLevel } from '../../src/replicas/schemas/common';
import type { ObservedResponse } from '../../src/replicas/transport';
import { OPENAPI_DIFFERENCES } from '../fixtures/openapi-differences';
import { forceState, startSimWithClient } from '../support/simulator';
import { makeAjv, openApiDoc } from './openapi-copy';

type Harness = Awaited<ReturnType<typeof startSimWithClient>>;
type Doc = {
  paths: Record<string, Record<string, { responses?: Record<string, { $ref?: string; content?: unknown }> }>>;
  components: { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
};

const doc = openApiDoc as unknown as Doc;

/** Slow turns: the first turn stays `processing`, so follow-ups queue deterministically. */
let h: Harness;
/** Fast turns that open PRs: covers the fields a finished turn fills in (branches, PRs, diffs). */
let fast: Harness;
let client: ReplicasClient;

beforeAll(async () => {
  [h, fast] = await Promise.all([
    startSimWithClient({ config: { timings: { turnMs: 60_000 } } }),
    startSimWithClient({ config: { behaviour: { prProbability: 1 } } }),
  ]);
  client = h.client;
});
afterAll(async () => {
  await Promise.all([h?.close(), fast?.close()]);
});

async function rejection(promise: () => Promise<unknown>): Promise<ReplicasApiError> {
  let error: unknown;
  try {
    await promise();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ReplicasApiError);
  return error as ReplicasApiError;
}

async function activeReplica(harness: Harness, name: string, repository = 'acme/api') {
  const { replica } = await harness.client.createReplica({
    name,
    message: 'upgrade the lint config',
    environment_id: harness.environmentFor(repository),
  });
  await vi.waitFor(async () =>
    expect((await harness.client.getReplica(replica.id)).replica.status).toBe('active'),
  );
  return replica;
}

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('driving every client endpoint against the simulator', () => {
  it('lists repositories and repository sets', async () => {
    const { repositories } = await client.listRepositories();
    expect(repositories.map((r) => r.name)).toContain('acme/api');
    const { repository_sets } = await client.listRepositorySets();
    expect(repository_sets[0]?.repositories.length).toBe(repositories.length);
  });

  it('creates (dated and legacy), lists, and gets replicas with include', async () => {
    const { replica } = await client.createReplica({
      name: 'contract-dated',
      message: 'hello',
      environment_id: h.environmentFor('acme/api'),
      coding_agent: 'codex',
      thinking_level: 'max',
      lifecycle_policy: 'delete_after_inactivity',
      webhook_url: 'http://127.0.0.1:9/none',
      size: 'small',
    });
    expect(replica.status).toBe('preparing');
    // While preparing: the detail view before any turn.
    await client.getReplica(replica.id);
    const legacy = await client.createReplica(
      { name: 'contract-legacy', message: 'hi', environment_id: h.environmentFor('acme/web') },
      { legacyBlocking: true },
    );
    expect(legacy.replica.status).toBe('active');
    const list = await client.listReplicas({ limit: 1 });
    expect(list.total_pages).toBeGreaterThanOrEqual(2);
    await client.listReplicas({ status: 'active', page: 1, limit: 100 });
    const items = [];
    for await (const item of client.iterateReplicas({ limit: 1 })) items.push(item);
    expect(items.length).toBe(list.total);
    const withIncludes = await client.getReplica(legacy.replica.id, ['environment', 'diffs']);
    expect(withIncludes.replica.id).toBe(legacy.replica.id);
    await client.getReplica(legacy.replica.id, ['diffs']);
  });

  it('creates via repository_set_id and repository_ids too', async () => {
    const { repositories } = await client.listRepositories();
    const { repository_sets } = await client.listRepositorySets();
    await client.createReplica({
      name: 'contract-set',
      message: 'x',
      repository_set_id: repository_sets[0]?.id as string,
    });
    await client.createReplica({
      name: 'contract-ids',
      message: 'x',
      repository_ids: [repositories[1]?.id as string],
    });
  });

  it('covers messages, chats, queue, history, hooks and canvas', async () => {
    const replica = await activeReplica(h, 'contract-chat');
    const { chats } = await client.listChats(replica.id);
    const chatId = chats[0]?.id as string;
    expect(chats[0]?.processing).toBe(true);
    const first = await client.sendMessage(replica.id, { message: 'also fix the README' });
    expect(first).toMatchObject({ status: 'queued', position: 1 });
    const second = await client.sendMessage(replica.id, {
      message: 'and the changelog',
      chat_id: chatId,
      thinking_level: 'low',
    });
    const third = await client.sendMessage(replica.id, { message: 'and the docs' });
    const queue = await client.getQueue(replica.id, chatId);
    expect(queue.queue.map((m) => m.message)).toEqual([
      'also fix the README',
      'and the changelog',
      'and the docs',
    ]);
    const reordered = await client.reorderQueue(replica.id, chatId, {
      messageId: third.message_id as string,
      position: 0,
    });
    expect(reordered.queue[0]?.message).toBe('and the docs');
    const removed = await client.removeQueuedMessage(replica.id, chatId, second.message_id as string);
    expect(removed.queue).toHaveLength(2);
    const cleared = await client.clearQueue(replica.id, chatId);
    expect(cleared.queue).toEqual([]);
    await client.getQueue(replica.id, chatId);

    const chat = await client.createChat(replica.id, { provider: 'claude', title: 'side quest' });
    expect(chat.processing).toBe(false);
    const sent = await client.sendMessage(replica.id, { message: 'in the new chat', chat_id: chat.id });
    expect(sent.status).toBe('sent');
    await client.listChats(replica.id);
    const history = await client.getHistory(replica.id);
    expect(history.total).toBeGreaterThanOrEqual(1);
    await client.getHistory(replica.id, { chat_id: chat.id, limit: 1, offset: 0 });
    await client.getHookLogs(replica.id);
    const canvas = await client.listCanvas(replica.id);
    await client.getCanvasItem(replica.id, canvas.items[0]?.filename as string);
    expect((await client.deleteChat(replica.id, chat.id)).success).toBe(true);

    // 404s of the engine-proxy endpoints.
    expect((await rejection(() => client.getQueue(replica.id, MISSING))).status).toBe(404);
    expect((await rejection(() => client.getCanvasItem(replica.id, 'nope.md'))).status).toBe(404);
    expect(
      (await rejection(() => client.removeQueuedMessage(replica.id, chatId, 'msg_missing'))).status,
    ).toBe(404);
  });

  it('covers a finished turn: branches, PRs and diffs', async () => {
    const replica = await activeReplica(fast, 'contract-done');
    await vi.waitFor(async () =>
      expect((await fast.client.getReplica(replica.id)).replica.pull_requests.length).toBe(1),
    );
    await fast.client.getReplica(replica.id, ['diffs']);
    await fast.client.getReplica(replica.id, ['environment']);
    await fast.client.listReplicas();
    await fast.client.getHistory(replica.id);
    await fast.client.listChats(replica.id);
    const sent = await fast.client.sendMessage(replica.id, { message: 'one more', coding_agent: 'claude' });
    expect(sent.status).toBe('sent');
  });

  it('wakes a sleeping workspace, and answers 409 while sleeping or in error', async () => {
    const replica = await activeReplica(fast, 'contract-sleepy');
    const { chats } = await fast.client.listChats(replica.id);
    const chatId = chats[0]?.id as string;
    const first = [];
    for await (const event of fast.client.events(replica.id, { maxReconnects: 0 })) {
      first.push(event.type);
      break;
    }
    expect(first).toEqual(['engine.ready']);
    await forceState(fast.sim.url, replica.id, 'sleeping');
    const streamError = await rejection(async () => {
      for await (const _event of fast.client.events(replica.id, { maxReconnects: 0 })) break;
    });
    expect(streamError).toMatchObject({ kind: 'conflict', status: 409 });
    const asleep = [
      () => fast.client.sendMessage(replica.id, { message: 'hello' }),
      () => fast.client.listChats(replica.id),
      () => fast.client.createChat(replica.id, { provider: 'claude' }),
      () => fast.client.getHistory(replica.id),
      () => fast.client.getQueue(replica.id, chatId),
      () => fast.client.getHookLogs(replica.id),
      () => fast.client.listCanvas(replica.id),
      () => fast.client.getCanvasItem(replica.id, 'summary.md'),
    ];
    for (const call of asleep) expect((await rejection(call)).kind).toBe('conflict');
    expect((await fast.client.getReplica(replica.id)).replica.status).toBe('sleeping');
    await fast.client.wakeReplica(replica.id);
    expect((await fast.client.getReplica(replica.id)).replica.waking).toBe(true);
    await vi.waitFor(async () =>
      expect((await fast.client.getReplica(replica.id)).replica.status).toBe('active'),
    );
    await forceState(fast.sim.url, replica.id, 'error', 'out of memory');
    expect((await rejection(() => fast.client.wakeReplica(replica.id))).kind).toBe('conflict');
    expect((await rejection(() => fast.client.sendMessage(replica.id, { message: 'x' }))).status).toBe(409);
    const { replica: failed } = await fast.client.getReplica(replica.id);
    expect(failed.status).toBe('error');
  });

  it('answers 401 for a bad key, 404 for unknown ids, 400 for rejected bodies', async () => {
    const stranger = new ReplicasClient({
      baseUrl: h.sim.url,
      apiKey: 'not-a-key',
      onResponse: (r) => h.responses.push(r),
    });
    try {
      expect((await rejection(() => stranger.listReplicas())).kind).toBe('unauthorized');
      expect((await rejection(() => stranger.getReplica(MISSING))).kind).toBe('unauthorized');
      expect((await rejection(() => stranger.environments.list())).kind).toBe('unauthorized');
      expect((await rejection(() => stranger.automations.list())).kind).toBe('unauthorized');
    } finally {
      await stranger.close();
    }
    expect((await rejection(() => client.getReplica(MISSING))).kind).toBe('not_found');
    expect((await rejection(() => client.deleteReplica(MISSING))).kind).toBe('not_found');
    expect((await rejection(() => client.listChats(MISSING))).kind).toBe('not_found');
    expect((await rejection(() => client.environments.get(MISSING))).kind).toBe('not_found');
    expect((await rejection(() => client.automations.get(MISSING))).kind).toBe('not_found');
    expect(
      (await rejection(() => client.createReplica({ name: 'no-env', message: 'x', environment_id: MISSING })))
        .kind,
    ).toBe('not_found');
    const env = h.environmentFor('acme/api');
    const failedHook = await rejection(() => client.environments.saveTestWarmHook(env, 'make\nexit 1'));
    expect(failedHook.status).toBe(400);
    const twoCrons = await rejection(() =>
      client.automations.create({
        name: 'two-crons',
        prompt: 'x',
        environment_id: env,
        triggers: [
          { type: 'cron', config: { schedule: '0 1 * * *' } },
          { type: 'cron', config: { schedule: '0 2 * * *' } },
        ],
      }),
    );
    expect(twoCrons.kind).toBe('validation');
  });

  it('covers environments and their variables, files, skills and MCPs', async () => {
    const envs = client.environments;
    const { environments } = await envs.list();
    expect(environments.some((e) => e.is_global)).toBe(true);
    await envs.list('org');
    const global = await envs.get('global');
    expect(global.environment.is_global).toBe(true);
    const { repositories } = await client.listRepositories();
    const { environment } = await envs.create({
      name: 'contract-env',
      description: 'for the contract test',
      repository_id: repositories[0]?.id,
      system_prompt: 'be brief',
    });
    const id = environment.id;
    await envs.get(id);
    await envs.update(id, { description: 'updated', mobile_testing_enabled: true });

    const variable = await envs.variables.create(id, { key: 'NPM_TOKEN', value: 'secret' });
    await envs.variables.update(id, variable.environment_variable.id, { value: 'rotated' });
    await envs.variables.list(id);
    expect((await rejection(() => envs.variables.create(id, { key: 'NPM_TOKEN', value: 'x' }))).status).toBe(
      409,
    );
    await envs.variables.create('global', {
      key: 'GLOBAL_FLAG',
      value: '1',
      personal_override_allowed: true,
    });
    await envs.variables.list('global');
    await envs.variables.delete(id, variable.environment_variable.id);
    expect((await rejection(() => envs.variables.delete(id, MISSING))).status).toBe(404);

    const file = await envs.files.create(id, { name: 'npmrc', path: '~/.npmrc', content: 'registry=x\n' });
    await envs.files.update(id, file.environment_file.id, { content: 'registry=y\n' });
    await envs.files.list(id);
    await envs.files.delete(id, file.environment_file.id);

    const skill = await envs.skills.create(id, {
      name: 'Frontend design',
      slug: 'frontend-design',
      source: 'anthropics/skills',
    });
    await envs.skills.list(id);
    expect(
      (await rejection(() => envs.skills.create(id, { name: 'again', slug: 'frontend-design', source: 'x' })))
        .status,
    ).toBe(409);
    await envs.skills.delete(id, skill.environment_skill.id);

    const stdio = await envs.mcps.create(id, {
      name: 'fs',
      transport: 'stdio',
      config: { command: 'npx', args: ['-y', 'mcp-fs'], env: {} },
    });
    const remote = await envs.mcps.create(id, {
      name: 'docs',
      transport: 'http',
      config: { url: 'https://mcp.example.com/', headers: { authorization: 'Bearer x' } },
    });
    await envs.mcps.update(id, stdio.environment_mcp.id, { name: 'filesystem' });
    await envs.mcps.list(id);
    await envs.mcps.delete(id, remote.environment_mcp.id);
    await envs.mcps.delete(id, stdio.environment_mcp.id);

    await envs.listSkillRegistries(id);
    const registry = await envs.addSkillRegistry(id, { url: 'https://github.com/acme/skills' });
    await envs.listSkillRegistries(id);
    await envs.removeSkillRegistry(id, registry.registry.id);
    await envs.listRepoSkills(id);
    const search = await envs.searchSkills('design');
    expect(search.skills[0]?.slug).toBe('frontend-design');

    expect((await rejection(() => envs.delete('global'))).status).toBe(409);
    expect((await envs.delete(id)).success).toBe(true);
    expect((await rejection(() => envs.get(id))).status).toBe(404);
  });

  it('covers warm hooks, start hooks and warm pools', async () => {
    const envs = client.environments;
    const { environment } = await envs.create({ name: 'contract-hooks' });
    const id = environment.id;
    expect((await envs.getWarmHooks(id)).warm_hook).toBeNull();
    const saved = await envs.saveWarmHook(id, 'npm ci');
    expect(saved.warm_hook.version).toBe(1);
    await envs.getWarmHooks(id);
    const tested = await envs.saveTestWarmHook(id, 'npm ci\nnpm run build');
    expect(tested.test.exit_code).toBe(0);
    expect((await envs.testWarmHook(id, 'exit 1')).test.exit_code).toBe(1);
    const events = [];
    for await (const event of envs.saveTestWarmHookStream(id, 'npm ci', 'test_only'))
      events.push(event.event);
    expect(events.at(-1)).toBe('complete');

    expect((await envs.getStartHooks(id)).start_hook).toBeNull();
    await envs.saveStartHook(id, 'docker compose up -d');
    await envs.getStartHooks(id);
    await envs.testStartHook(id, 'echo ok');
    const startEvents = [];
    for await (const event of envs.testStartHookStream(id, 'echo ok')) startEvents.push(event.event);
    expect(startEvents).toEqual(['progress', 'output', 'complete']);

    const { warm_pool } = await envs.setWarmPool(id, false);
    expect(warm_pool.enabled).toBe(false);
    await envs.setWarmPool(id, true);
    await envs.getWarmHooks(id);
    const { workspaces } = await envs.listWarmPoolWorkspaces(warm_pool.id);
    expect(workspaces).toEqual([]);
    // Unknown pools answer an empty list: the published schema has no 404 for this operation.
    expect((await envs.listWarmPoolWorkspaces(MISSING)).workspaces).toEqual([]);
    await envs.getWarmHooks('global');
  });

  it('covers automations: CRUD, trigger, executions and listing', async () => {
    const autos = client.automations;
    const env = h.environmentFor('acme/api');
    const { automation } = await autos.create({
      name: 'contract-nightly',
      description: 'nightly triage',
      prompt: 'triage new issues',
      environment_id: env,
      triggers: [{ type: 'cron', config: { schedule: '0 9 * * 1-5', timezone: 'Europe/Paris' } }],
      debounce_seconds: 600,
      workspace_lifecycle_policy: 'delete_after_inactivity',
      workspace_auto_stop_minutes: 30,
      agent_provider: 'codex',
      model: 'gpt-5.5',
      thinking_level: 'high',
      workspace_size: 'large',
      config: { capabilities: { pr_followups: false } },
    });
    const github = await autos.create({
      name: 'contract-prs',
      prompt: 'review',
      environment_id: env,
      triggers: [{ type: 'github', config: { event: 'pull_request.opened' } }],
    });
    await autos.get(automation.id);
    await autos.update(automation.id, { enabled: false, agent_provider: 'claude' });
    await autos.update(automation.id, { debounce_seconds: null, thinking_level: null });
    await autos.list();
    await autos.list({ trigger_type: 'cron', enabled: false, search: 'contract', limit: 1 });
    const all = [];
    for await (const a of autos.iterate({ limit: 1 })) all.push(a.id);
    expect(all).toHaveLength(2);
    const run = await autos.trigger(automation.id, { payload: { reason: 'manual' } });
    expect(run.workspace_id).toBeNull();
    await autos.trigger(automation.id);
    const executions = await autos.listExecutions(automation.id);
    expect(executions.executions.map((e) => e.id)).toContain(run.execution_id);
    await autos.listExecutions(automation.id, { page: 1, limit: 1 });
    expect((await rejection(() => autos.trigger(github.automation.id))).status).toBe(400);
    expect((await autos.delete(github.automation.id)).success).toBe(true);
    await autos.delete(automation.id);
    expect((await rejection(() => autos.listExecutions(automation.id))).status).toBe(404);
  });

  it('deletes replicas', async () => {
    const { replicas } = await client.listReplicas({ limit: 100 });
    for (const r of replicas) expect((await client.deleteReplica(r.id)).success).toBe(true);
    expect((await client.listReplicas()).total).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Contract: every recorded raw answer against the OpenAPI copy's response schema.

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

interface Template {
  template: string;
  regex: RegExp;
  literals: number;
}
const templateOf = (template: string): Template => ({
  template,
  regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
});
const copyTemplates = Object.keys(doc.paths).map(templateOf);
const pageOnlyTemplates = OPENAPI_DIFFERENCES.map((d) => d.operation.split(' ')[1] as string)
  .filter((t) => !(t in doc.paths))
  .map(templateOf);

/** The most specific template for a concrete path: `/v1/replica/repositories` beats `/v1/replica/{id}`. */
function operationOf(method: string, path: string): string | undefined {
  const candidates = [...copyTemplates, ...pageOnlyTemplates]
    .filter((t) => t.regex.test(path))
    .filter((t) => !(t.template in doc.paths) || doc.paths[t.template]?.[method.toLowerCase()])
    .sort((a, b) => b.literals - a.literals);
  const found = candidates[0];
  return found && `${method.toUpperCase()} ${found.template}`;
}

const skipped = new Map(
  OPENAPI_DIFFERENCES.filter((d) => d.contract === 'skip-response').map((d) => [d.operation, d.reason]),
);

/** The JSON pointer of an answer's schema, following a `$ref` to `components/responses`. */
function schemaPointer(operation: string, status: number): string | undefined {
  const [method, template] = operation.split(' ') as [string, string];
  const responses = doc.paths[template]?.[method.toLowerCase()]?.responses ?? {};
  const response = responses[String(status)];
  if (!response) return undefined;
  if (response.$ref) {
    const name = response.$ref.replace('#/components/responses/', '');
    if (!doc.components.responses[name]?.content) return undefined;
    return `openapi#/components/responses/${escapePointer(name)}/content/application~1json/schema`;
  }
  if (!response.content) return undefined;
  return `openapi#/paths/${escapePointer(template)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
}

/** One distinct way an answer broke its schema, with how often it happened and one example. */
interface Mismatch {
  count: number;
  example: ObservedResponse;
}

const normalise = (path: string) => path.replace(/\/\d+(?=\/|$)/g, '/*') || '(root)';

/**
 * Ajv errors grouped by the value they concern: errors under a failed `oneOf` (each alternative's
 * complaints) are grouped under the `oneOf`'s location, so one broken value is one entry.
 */
function groupErrors(errors: ErrorObject[]): string[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').map((e) => normalise(e.instancePath));
  const groups = new Map<string, Set<string>>();
  for (const e of errors) {
    const path = normalise(e.instancePath);
    const owner =
      oneOfs.filter((o) => path === o || path.startsWith(`${o}/`)).sort((a, b) => a.length - b.length)[0] ??
      path;
    const messages = groups.get(owner) ?? new Set<string>();
    messages.add(`${path} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    groups.set(owner, messages);
  }
  return [...groups].map(([owner, messages]) => `${owner}: ${[...messages].join('; ')}`);
}

/** Error statuses the pages document for an operation although the copy does not list them. */
const pageStatuses = (operation: string) =>
  OPENAPI_DIFFERENCES.filter((d) => d.operation === operation)
    .map((d) => /^(\d{3}) /.exec(d.topic)?.[1])
    .filter((s): s is string => s !== undefined);

const skipResponseEntries = OPENAPI_DIFFERENCES.filter((d) => d.contract === 'skip-response');

describe('OpenAPI contract of every recorded response', () => {
  const skips = new Map<string, number>();

  it('validates every raw answer against the schema of its operation and status', () => {
    const ajv = makeAjv();
    const compiled = new Map<string, ValidateFunction>();
    const compile = (ref: string) => {
      let validate = compiled.get(ref);
      if (!validate) {
        validate = ajv.compile({ $ref: ref });
        compiled.set(ref, validate);
      }
      return validate;
    };
    const mismatches = new Map<string, Mismatch>();
    const mismatch = (key: string, example: ObservedResponse) => {
      const seen = mismatches.get(key);
      if (seen) seen.count += 1;
      else mismatches.set(key, { count: 1, example });
    };
    const validated = new Map<string, number>();
    for (const response of [...h.responses, ...fast.responses]) {
      const operation = operationOf(response.method, response.path);
      if (!operation) {
        mismatch(`${response.method} ${response.path}: no operation in the OpenAPI copy`, response);
        continue;
      }
      if (skipped.has(operation)) {
        skips.set(operation, (skips.get(operation) ?? 0) + 1);
        continue;
      }
      let ref = schemaPointer(operation, response.status);
      if (!ref && pageStatuses(operation).includes(String(response.status))) {
        // The pages add this status; its body has the API's one error shape.
        ref = 'openapi#/components/schemas/Error';
      }
      if (!ref) {
        mismatch(`${operation} ${response.status}: status not documented for this operation`, response);
        continue;
      }
      const key = `${operation} ${response.status}`;
      validated.set(key, (validated.get(key) ?? 0) + 1);
      const validate = compile(ref);
      if (!validate(response.body)) {
        for (const group of groupErrors(validate.errors ?? [])) mismatch(`${key} at ${group}`, response);
      }
    }
    const report = [...mismatches]
      .map(
        ([key, { count, example }]) =>
          `- ${key}\n    (${count}x, e.g. ${example.method} ${example.path}: ${JSON.stringify(example.body).slice(0, 600)})`,
      )
      .join('\n');
    const total = [...validated.values()].reduce((a, b) => a + b, 0);
    console.log(
      `validated ${total} responses over ${validated.size} operation/status pairs; skipped ${[...skips]
        .map(([k, n]) => `${k} x${n}`)
        .join(', ')}`,
    );
    expect(total).toBeGreaterThan(50);
    expect(validated.size).toBeGreaterThan(60);
    expect(report, `responses that break the OpenAPI copy:\n${report}`).toBe('');
  });

  it('exercised every JSON operation the client covers', () => {
    const seen = new Set(
      [...h.responses, ...fast.responses].map(
        (r) => `${operationOf(r.method, r.path) ?? r.path} ${r.status}`,
      ),
    );
    const expected = [
      'GET /v1/replica/repositories 200',
      'GET /v1/replica/repository-sets 200',
      'POST /v1/replica 201',
      'POST /v1/replica 404',
      'GET /v1/replica 200',
      'GET /v1/replica 401',
      'GET /v1/replica/{id} 200',
      'GET /v1/replica/{id} 404',
      'DELETE /v1/replica/{id} 200',
      'DELETE /v1/replica/{id} 404',
      'POST /v1/replica/{id}/wake 200',
      'POST /v1/replica/{id}/wake 409',
      'POST /v1/replica/{id}/messages 200',
      'POST /v1/replica/{id}/messages 409',
      'GET /v1/replica/{id}/chats 200',
      'GET /v1/replica/{id}/chats 409',
      'POST /v1/replica/{id}/chats 201',
      'DELETE /v1/replica/{id}/chats/{chatId} 200',
      'GET /v1/replica/{id}/history 200',
      'GET /v1/replica/{id}/chats/{chatId}/queue 200',
      'GET /v1/replica/{id}/chats/{chatId}/queue 404',
      'DELETE /v1/replica/{id}/chats/{chatId}/queue 200',
      'DELETE /v1/replica/{id}/chats/{chatId}/queue/{messageId} 200',
      'PATCH /v1/replica/{id}/chats/{chatId}/queue/reorder 200',
      'GET /v1/replica/{id}/hooks 200',
      'GET /v1/replica/{id}/canvas 200',
      'GET /v1/replica/{id}/canvas/{filename} 200',
      'GET /v1/environments 200',
      'GET /v1/environments 401',
      'POST /v1/environments 201',
      'GET /v1/environments/{id} 200',
      'GET /v1/environments/{id} 404',
      'PATCH /v1/environments/{id} 200',
      'DELETE /v1/environments/{id} 200',
      'DELETE /v1/environments/{id} 409',
      'GET /v1/environments/{environmentId}/variables 200',
      'POST /v1/environments/{environmentId}/variables 201',
      'POST /v1/environments/{environmentId}/variables 409',
      'PATCH /v1/environments/{environmentId}/variables/{id} 200',
      'DELETE /v1/environments/{environmentId}/variables/{id} 200',
      'GET /v1/environments/{environmentId}/files 200',
      'POST /v1/environments/{environmentId}/files 201',
      'PATCH /v1/environments/{environmentId}/files/{id} 200',
      'DELETE /v1/environments/{environmentId}/files/{id} 200',
      'GET /v1/environments/{environmentId}/skills 200',
      'POST /v1/environments/{environmentId}/skills 201',
      'DELETE /v1/environments/{environmentId}/skills/{id} 200',
      'GET /v1/environments/{environmentId}/mcps 200',
      'POST /v1/environments/{environmentId}/mcps 201',
      'PATCH /v1/environments/{environmentId}/mcps/{id} 200',
      'DELETE /v1/environments/{environmentId}/mcps/{id} 200',
      'GET /v1/environments/{environmentId}/skills-registries 200',
      'POST /v1/environments/{environmentId}/skills-registries 200',
      'DELETE /v1/environments/{environmentId}/skills-registries/{skillsRegistryId} 200',
      'GET /v1/environments/{environmentId}/repo-skills 200',
      'GET /v1/environment-skills/search 200',
      'GET /v1/environments/{environmentId}/warm-hooks 200',
      'POST /v1/environments/{environmentId}/warm-hooks/save 201',
      'POST /v1/environments/{environmentId}/warm-hooks/save-test 201',
      'POST /v1/environments/{environmentId}/warm-hooks/save-test 400',
      'POST /v1/environments/{environmentId}/warm-hooks/test 200',
      'GET /v1/environments/{environmentId}/start-hooks 200',
      'POST /v1/environments/{environmentId}/start-hooks/save 201',
      'POST /v1/environments/{environmentId}/start-hooks/test 200',
      'PUT /v1/environments/{environmentId}/warm-pools 200',
      'GET /v1/warm-pools/{configId}/workspaces 200',
      'GET /v1/automations 200',
      'GET /v1/automations 401',
      'POST /v1/automations 201',
      'POST /v1/automations 400',
      'GET /v1/automations/{id} 200',
      'GET /v1/automations/{id} 404',
      'PATCH /v1/automations/{id} 200',
      'DELETE /v1/automations/{id} 200',
      'POST /v1/automations/{id}/trigger 200',
      'POST /v1/automations/{id}/trigger 400',
      'GET /v1/automations/{id}/executions 200',
      'GET /v1/automations/{id}/executions 404',
    ];
    expect(expected.filter((key) => !seen.has(key))).toEqual([]);
  });

  it('skipped exactly the skip-response operations of the differences fixture that were exercised', () => {
    expect([...skips.keys()].sort()).toEqual(['POST /v1/replica/{id}/wake']);
    for (const operation of skips.keys()) expect(skipped.has(operation)).toBe(true);
  });

  it.each(skipResponseEntries.map((d) => [d.operation, d.topic, d.reason] as const))(
    'skips %s (%s): %s',
    (operation) => {
      const [method, template] = operation.split(' ') as [string, string];
      // Nothing to validate against: the copy has no such operation.
      expect(doc.paths[template]?.[method.toLowerCase()]).toBeUndefined();
    },
  );
});

describe('the differences fixture against the OpenAPI copy', () => {
  type Schema = { properties: Record<string, { enum?: unknown[] }> };
  const schemas = (doc.components as unknown as { schemas: Record<string, Schema> }).schemas;
  const enumOf = (schema: string, property: string) =>
    schemas[schema]?.properties[property]?.enum?.filter((v) => v !== null);
  const topics = new Set(OPENAPI_DIFFERENCES.map((d) => d.topic));

  it('records the enums where the copy and the pages (and hence the client) disagree', () => {
    expect(topics).toContain('lifecycle_policy enum');
    expect(enumOf('CreateReplicaRequest', 'lifecycle_policy')).toEqual([
      'default',
      'archive_when_done',
      'sleep_when_done',
      'delete_after_inactivity',
    ]);
    expect(LifecyclePolicy.options).toEqual(['default', 'delete_when_done', 'delete_after_inactivity']);

    expect(topics).toContain('thinking_level enum');
    for (const schema of ['CreateReplicaRequest', 'SendReplicaMessageRequest']) {
      expect(enumOf(schema, 'thinking_level')).toEqual([
        'low',
        'medium',
        'high',
        'xhigh',
        'max',
        'ultra',
        'ultracode',
      ]);
    }
    expect(ThinkingLevel.options).toEqual(['low', 'medium', 'high', 'max']);

    expect(topics).toContain('coding_agent enum');
    expect(enumOf('CreateReplicaRequest', 'coding_agent')).toEqual([
      'claude',
      'codex',
      'cursor',
      'opencode',
      'pi',
    ]);
    expect(enumOf('CreateChatRequest', 'provider')).toContain('pi');
    expect(CodingAgent.options).toEqual(['claude', 'codex', 'cursor', 'opencode']);

    expect(topics).toContain('workspace_lifecycle_policy enum');
    for (const schema of ['CreateAutomationRequest', 'AutomationRecord']) {
      expect(enumOf(schema, 'workspace_lifecycle_policy')).toEqual([
        'default',
        'archive_when_done',
        'sleep_when_done',
        'delete_after_inactivity',
      ]);
    }
    expect(topics).toContain('automation thinking_level and agent_provider enums');
    expect(enumOf('CreateAutomationRequest', 'agent_provider')).toContain('pi');
    expect(enumOf('CreateAutomationRequest', 'thinking_level')).toContain('ultracode');
  });

  it('lists only 409 additions the copy really lacks', () => {
    const additions = OPENAPI_DIFFERENCES.filter((d) => /^\d{3} /.test(d.topic));
    expect(additions.length).toBeGreaterThanOrEqual(10);
    for (const d of additions) {
      const [method, template] = d.operation.split(' ') as [string, string];
      const operation = doc.paths[template]?.[method.toLowerCase()];
      expect(operation, d.operation).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}), d.operation).not.toContain(d.topic.slice(0, 3));
    }
    // Messages already document 409 in the copy, so they need no entry.
    expect(Object.keys(doc.paths['/v1/replica/{id}/messages']?.post?.responses ?? {})).toContain('409');
    expect(
      OPENAPI_DIFFERENCES.some(
        (d) => d.operation === 'POST /v1/replica/{id}/messages' && /^\d{3} /.test(d.topic),
      ),
    ).toBe(false);
  });

  it('overrides only schemas that contradict the copy itself: HistoryEvent wraps an AgentEvent', () => {
    const overrides = OPENAPI_DIFFERENCES.filter((d) => d.contract === 'schema-override');
    expect(overrides.map((d) => d.override?.pointer)).toEqual(['/components/schemas/HistoryEvent']);
    const all = doc.components as unknown as {
      schemas: Record<string, { properties?: Record<string, { $ref?: string }>; oneOf?: { $ref: string }[] }>;
    };
    // Literally, an item's payload is an AgentEvent, and every AgentEvent has its own timestamp/type/payload.
    expect(all.schemas.HistoryEvent?.properties?.payload?.$ref).toBe('#/components/schemas/AgentEvent');
    for (const variant of all.schemas.AgentEvent?.oneOf ?? []) {
      const name = variant.$ref.split('/').pop() as string;
      expect(Object.keys(all.schemas[name]?.properties ?? {}), name).toEqual(
        expect.arrayContaining(['timestamp', 'type', 'payload']),
      );
    }
  });

  it('names every operation by a template of the copy or of the pages', () => {
    for (const d of OPENAPI_DIFFERENCES) {
      expect(d.operation).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/v1\//);
      expect(d.reason.length, d.operation).toBeGreaterThan(20);
    }
  });
});
