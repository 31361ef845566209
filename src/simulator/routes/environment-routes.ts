import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import * as S from '../../replicas/schemas/environment';
import { HttpError, ok, route, type Route } from '../http';
import { now, resourcesOf, type Organisation } from '../model';
import { notFound, queryObject, validate, type ApiContext } from './context';
import { copyEnvironmentContents, environmentView, inScope, requireUniqueName } from './environment-records';

type Row = Record<string, unknown>;

/** `global` addresses the organisation's Global environment in every URL. */
function environmentOf(ctx: ApiContext, id: string): Row {
  const key = id === 'global' ? ctx.org.globalEnvironmentId : id;
  const environment = resourcesOf(ctx.org, 'environments').get(key);
  if (!environment) throw notFound('Environment');
  return environment;
}

function owned(org: Organisation, environment: Row, fields: Row): Row {
  const stamp = now();
  return {
    id: randomUUID(),
    organization_id: org.id,
    environment_id: environment.id,
    ...fields,
    created_at: stamp,
    updated_at: stamp,
  };
}

/** One per-environment collection: list, create, update, delete, under `{listKey}` / `{itemKey}`. */
function collection(
  segment: string,
  listKey: string,
  itemKey: string,
  create: z.ZodType,
  update: z.ZodType | undefined,
  unique?: string,
): Route<ApiContext>[] {
  const rows = (ctx: ApiContext, environment: Row) =>
    [...resourcesOf(ctx.org, segment).values()].filter((row) => row.environment_id === environment.id);
  const rowOf = (ctx: ApiContext, environment: Row, id: string) => {
    const row = resourcesOf(ctx.org, segment).get(id);
    if (!row || row.environment_id !== environment.id) throw notFound(itemKey.replace('environment_', ''));
    return row;
  };
  const clash = (ctx: ApiContext, environment: Row, body: Row, self?: Row) => {
    if (unique && rows(ctx, environment).some((row) => row !== self && row[unique] === body[unique])) {
      throw new HttpError(
        409,
        'Conflict',
        `${unique} "${String(body[unique])}" already exists in this environment`,
      );
    }
  };
  const base = `/v1/environments/:environmentId/${segment}`;
  const routes: Route<ApiContext>[] = [
    route('GET', base, (ctx, p) =>
      ok({ [listKey]: rows(ctx, environmentOf(ctx, p.environmentId as string)) }),
    ),
    route('POST', base, async (ctx, p) => {
      const environment = environmentOf(ctx, p.environmentId as string);
      const body = validate(create, await ctx.body()) as Row;
      clash(ctx, environment, body);
      const row = owned(
        ctx.org,
        environment,
        segment === 'variables' ? { personal_override_allowed: false, ...body } : body,
      );
      resourcesOf(ctx.org, segment).set(row.id as string, row);
      return ok({ [itemKey]: row }, segment === 'skills-registries' ? 200 : 201);
    }),
    route('DELETE', `${base}/:id`, (ctx, p) => {
      const row = rowOf(ctx, environmentOf(ctx, p.environmentId as string), p.id as string);
      resourcesOf(ctx.org, segment).delete(row.id as string);
      return ok({ success: true });
    }),
  ];
  if (update) {
    routes.push(
      route('PATCH', `${base}/:id`, async (ctx, p) => {
        const environment = environmentOf(ctx, p.environmentId as string);
        const row = rowOf(ctx, environment, p.id as string);
        const body = validate(update, await ctx.body()) as Row;
        clash(ctx, environment, { ...row, ...body }, row);
        Object.assign(row, body, { updated_at: now() });
        return ok({ [itemKey]: row });
      }),
    );
  }
  return routes;
}

/** A hook "run": the script fails when it contains `exit 1`, otherwise succeeds. */
function runHook(content: string) {
  const failed = /\bexit\s+[1-9]/.test(content);
  return {
    exit_code: failed ? 1 : 0,
    output: `ran ${content.split('\n').length} line(s)\n`,
    timed_out: false,
  };
}

function saveHook(ctx: ApiContext, kind: string, environment: Row, content: string): Row {
  const hooks = resourcesOf(ctx.org, kind);
  const previous = hooks.get(environment.id as string);
  const hook = {
    ...owned(ctx.org, environment, {}),
    version: ((previous?.version as number | undefined) ?? 0) + 1,
    content,
    is_active: true,
  };
  hooks.set(environment.id as string, hook);
  return hook;
}

function warmPool(ctx: ApiContext, environment: Row, enabled?: boolean): Row {
  const pools = resourcesOf(ctx.org, 'warm-pools');
  const pool = pools.get(environment.id as string) ?? {
    id: randomUUID(),
    organization_id: ctx.org.id,
    environment_id: environment.id,
    enabled: true,
    target_size: 2,
    generation: 1,
    error_count: 0,
    next_retry_at: null,
    last_error_at: null,
    last_error_message: null,
    has_base_snapshot: false,
    updated_at: now(),
    ready_count: 0,
    stale_count: 0,
    warming_count: 0,
    snapshotting_count: 0,
    last_failure_at: null,
    last_failure_reason: null,
  };
  if (enabled !== undefined) Object.assign(pool, { enabled, updated_at: now() });
  pools.set(environment.id as string, pool);
  return pool;
}

function hookStream(ctx: ApiContext, result: ReturnType<typeof runHook>, saved?: Row): void {
  const { res } = ctx;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const write = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  write('progress', { message: 'starting sandbox' });
  write('output', { chunk: result.output });
  write('complete', { ...result, ...(saved && { warm_hook: saved }) });
  res.end();
}

export const environmentRoutes: Route<ApiContext>[] = [
  route('GET', '/v1/environments', (ctx) => {
    const { scope = 'org' } = validate(S.ListEnvironmentsQuery, queryObject(ctx.query), 'query');
    const visible = [...resourcesOf(ctx.org, 'environments').values()].filter((e) =>
      inScope(e, scope, ctx.org.userId),
    );
    return ok({ environments: visible.map((e) => environmentView(ctx.org, e)) });
  }),
  route('POST', '/v1/environments', async (ctx) => {
    const body = validate(S.CreateEnvironmentRequest, await ctx.body());
    const userId = body.scope === 'user' ? ctx.org.userId : null;
    requireUniqueName(ctx.org, body.name, userId);
    const source = body.source_environment_id ? environmentOf(ctx, body.source_environment_id) : undefined;
    const stamp = now();
    const environment = {
      id: randomUUID(),
      organization_id: ctx.org.id,
      user_id: userId,
      name: body.name,
      description: body.description ?? null,
      is_global: false,
      repository_id: body.repository_id ?? null,
      repository_set_id: body.repository_set_id ?? null,
      system_prompt: body.system_prompt ?? null,
      mobile_testing_enabled: body.mobile_testing_enabled ?? false,
      personal_preferences: null,
      source_environment_id: source ? (source.id as string) : null,
      created_at: stamp,
      updated_at: stamp,
    };
    resourcesOf(ctx.org, 'environments').set(environment.id, environment);
    // A personal environment inherits from its team source instead of copying it.
    if (source && !userId) copyEnvironmentContents(ctx.org, source.id as string, environment.id);
    warmPool(ctx, environment); // new environments get an enabled warm pool
    return ok({ environment: environmentView(ctx.org, environment) }, 201);
  }),
  route('GET', '/v1/environments/:id', (ctx, p) =>
    ok({ environment: environmentView(ctx.org, environmentOf(ctx, p.id as string)) }),
  ),
  route('PATCH', '/v1/environments/:id', async (ctx, p) => {
    const environment = environmentOf(ctx, p.id as string);
    const body = validate(S.UpdateEnvironmentRequest, await ctx.body());
    if (body.name !== undefined) requireUniqueName(ctx.org, body.name, environment.user_id, environment);
    Object.assign(environment, body, { updated_at: now() });
    return ok({ environment: environmentView(ctx.org, environment) });
  }),
  route('DELETE', '/v1/environments/:id', (ctx, p) => {
    const environment = environmentOf(ctx, p.id as string);
    if (environment.is_global)
      throw new HttpError(409, 'Conflict', 'the Global environment cannot be deleted');
    resourcesOf(ctx.org, 'environments').delete(environment.id as string);
    return ok({ success: true });
  }),
  ...collection(
    'variables',
    'environment_variables',
    'environment_variable',
    S.CreateVariableRequest,
    S.UpdateVariableRequest,
    'key',
  ),
  ...collection('files', 'environment_files', 'environment_file', S.CreateFileRequest, S.UpdateFileRequest),
  ...collection('skills', 'environment_skills', 'environment_skill', S.CreateSkillRequest, undefined, 'slug'),
  ...collection(
    'mcps',
    'environment_mcps',
    'environment_mcp',
    S.CreateMcpRequest,
    S.UpdateMcpRequest,
    'name',
  ),
  route('GET', '/v1/environments/:environmentId/skills-registries', (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const rows = [...resourcesOf(ctx.org, 'skills-registries').values()].filter(
      (r) => r.environment_id === environment.id,
    );
    return ok({ registries: rows.map((row) => ({ ...row, repo_skills: [], error: null })) });
  }),
  route('POST', '/v1/environments/:environmentId/skills-registries', async (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const body = validate(S.AddSkillRegistryRequest, await ctx.body());
    const fullName = new URL(body.url).pathname.replace(/^\/|\.git$/g, '');
    const registry = owned(ctx.org, environment, {
      name: fullName.split('/').pop() ?? fullName,
      url: body.url,
      repository_full_name: fullName,
      default_branch: 'main',
    });
    resourcesOf(ctx.org, 'skills-registries').set(registry.id as string, registry);
    return ok({ registry, repo_skills: [], error: null });
  }),
  route('DELETE', '/v1/environments/:environmentId/skills-registries/:registryId', (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const registries = resourcesOf(ctx.org, 'skills-registries');
    const row = registries.get(p.registryId as string);
    if (!row || row.environment_id !== environment.id) throw notFound('Skill registry');
    registries.delete(row.id as string);
    return ok({ success: true });
  }),
  route('GET', '/v1/environments/:environmentId/repo-skills', (ctx, p) => {
    environmentOf(ctx, p.environmentId as string);
    return ok({ repo_skills: [], error: null });
  }),
  route('GET', '/v1/environment-skills/search', (ctx) => {
    const q = (ctx.query.get('q') ?? '').toLowerCase();
    const catalog = [
      { name: 'Frontend design', slug: 'frontend-design', source: 'anthropics/skills', installs: 1200 },
      { name: 'Release notes', slug: 'release-notes', source: 'acme/skills', installs: 40 },
    ];
    return ok({ skills: catalog.filter((s) => s.name.toLowerCase().includes(q) || s.slug.includes(q)) });
  }),
  route('GET', '/v1/environments/:environmentId/warm-hooks', (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    return ok({
      warm_hook: resourcesOf(ctx.org, 'warm-hooks').get(environment.id as string) ?? null,
      warm_pool: resourcesOf(ctx.org, 'warm-pools').get(environment.id as string) ?? null,
    });
  }),
  route('POST', '/v1/environments/:environmentId/warm-hooks/save', async (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const { content } = validate(S.HookScriptRequest, await ctx.body());
    warmPool(ctx, environment);
    return ok({ warm_hook: saveHook(ctx, 'warm-hooks', environment, content) }, 201);
  }),
  route('POST', '/v1/environments/:environmentId/warm-hooks/save-test', async (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const { content } = validate(S.HookScriptRequest, await ctx.body());
    const test = runHook(content);
    if (test.exit_code !== 0) throw new HttpError(400, 'Warm hook test failed', test.output);
    return ok({ warm_hook: saveHook(ctx, 'warm-hooks', environment, content), test }, 201);
  }),
  route('POST', '/v1/environments/:environmentId/warm-hooks/save-test/stream', async (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const body = validate(
      S.HookScriptRequest.extend({ mode: S.HookStreamMode.optional() }),
      await ctx.body(),
    );
    const test = runHook(body.content);
    const persist = (body.mode ?? 'save_test') === 'save_test' && test.exit_code === 0;
    hookStream(ctx, test, persist ? saveHook(ctx, 'warm-hooks', environment, body.content) : undefined);
    return undefined;
  }),
  route('POST', '/v1/environments/:environmentId/warm-hooks/test', async (ctx, p) => {
    environmentOf(ctx, p.environmentId as string);
    const { content } = validate(S.HookScriptRequest, await ctx.body());
    return ok({ test: runHook(content) });
  }),
  route('GET', '/v1/environments/:environmentId/start-hooks', (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    return ok({ start_hook: resourcesOf(ctx.org, 'start-hooks').get(environment.id as string) ?? null });
  }),
  route('POST', '/v1/environments/:environmentId/start-hooks/save', async (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const { content } = validate(S.HookScriptRequest, await ctx.body());
    return ok({ start_hook: saveHook(ctx, 'start-hooks', environment, content) }, 201);
  }),
  route('POST', '/v1/environments/:environmentId/start-hooks/test', async (ctx, p) => {
    environmentOf(ctx, p.environmentId as string);
    const { content } = validate(S.HookScriptRequest, await ctx.body());
    return ok({ test: runHook(content) });
  }),
  route('POST', '/v1/environments/:environmentId/start-hooks/test/stream', async (ctx, p) => {
    environmentOf(ctx, p.environmentId as string);
    const { content } = validate(S.HookScriptRequest, await ctx.body());
    hookStream(ctx, runHook(content));
    return undefined;
  }),
  route('PUT', '/v1/environments/:environmentId/warm-pools', async (ctx, p) => {
    const environment = environmentOf(ctx, p.environmentId as string);
    const { enabled } = validate(S.WarmPoolRequest, await ctx.body());
    return ok({ warm_pool: warmPool(ctx, environment, enabled) });
  }),
  route('GET', '/v1/warm-pools/:configId/workspaces', () => {
    // Unknown pools answer an empty list: the published schema has no 404 here.
    return ok({ workspaces: [] });
  }),
];
