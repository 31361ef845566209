import { randomUUID } from 'node:crypto';
import * as S from '../../replicas/schemas/automation';
import { HttpError, ok, route, type Route } from '../http';
import { now, resourcesOf } from '../model';
import { notFound, queryObject, validate, type ApiContext } from './context';

type Row = Record<string, unknown>;

function automationOf(ctx: ApiContext, id: string): Row {
  const automation = resourcesOf(ctx.org, 'automations').get(id);
  if (!automation) throw notFound('Automation');
  return automation;
}

function page<T>(rows: T[], pageNumber = 1, limit = 20) {
  return {
    items: rows.slice((pageNumber - 1) * limit, pageNumber * limit),
    total: rows.length,
    page: pageNumber,
    limit,
    totalPages: Math.max(1, Math.ceil(rows.length / limit)),
  };
}

function cronOf(triggers: { type: string; config: Record<string, unknown> }[]) {
  const cron = triggers.find((t) => t.type === 'cron');
  return {
    cron_expression: (cron?.config.schedule as string | undefined) ?? null,
    cron_timezone: (cron?.config.timezone as string | undefined) ?? (cron ? 'UTC' : null),
  };
}

export const automationRoutes: Route<ApiContext>[] = [
  route('GET', '/v1/automations', (ctx) => {
    const query = validate(
      S.ListAutomationsQuery,
      queryObject(ctx.query, ['page', 'limit'], ['enabled']),
      'query',
    );
    const rows = [...resourcesOf(ctx.org, 'automations').values()].filter(
      (a) =>
        (query.enabled === undefined || a.enabled === query.enabled) &&
        (!query.search || String(a.name).toLowerCase().includes(query.search.toLowerCase())) &&
        (!query.trigger_type ||
          query.trigger_type === 'all' ||
          (a.triggers as { type: string }[]).some((t) => t.type === query.trigger_type)),
    );
    const { items, ...rest } = page(rows, query.page, query.limit);
    return ok({ automations: items, ...rest });
  }),
  route('POST', '/v1/automations', async (ctx) => {
    const body = validate(S.CreateAutomationRequest, await ctx.body());
    if (!resourcesOf(ctx.org, 'environments').has(body.environment_id)) throw notFound('Environment');
    const crons = body.triggers.filter((t) => t.type === 'cron').length;
    if (crons > 1)
      throw new HttpError(400, 'Invalid request body', 'triggers: at most one cron trigger is allowed');
    const stamp = now();
    const automation = {
      id: randomUUID(),
      organization_id: ctx.org.id,
      description: null,
      debounce_seconds: null,
      enabled: true,
      user_id: null,
      webhook_token: null,
      cron_next_fire_at: null,
      created_by: null,
      workspace_lifecycle_policy: 'default',
      workspace_auto_stop_minutes: null,
      workspace_size: 'small',
      config: {},
      agent_provider: null,
      model: null,
      thinking_level: null,
      plan_mode: false,
      goal_mode: false,
      fast_mode: false,
      ...body,
      ...cronOf(body.triggers),
      created_at: stamp,
      updated_at: stamp,
    };
    resourcesOf(ctx.org, 'automations').set(automation.id, automation);
    return ok({ automation }, 201);
  }),
  route('GET', '/v1/automations/:id', (ctx, p) => ok({ automation: automationOf(ctx, p.id as string) })),
  route('PATCH', '/v1/automations/:id', async (ctx, p) => {
    const automation = automationOf(ctx, p.id as string);
    const body = validate(S.UpdateAutomationRequest, await ctx.body());
    // A new provider without a model clears the stored model, which may not fit the new provider.
    const clearsModel = body.agent_provider !== undefined && body.model === undefined ? { model: null } : {};
    Object.assign(automation, body, clearsModel, body.triggers ? cronOf(body.triggers) : {}, {
      updated_at: now(),
    });
    return ok({ automation });
  }),
  route('DELETE', '/v1/automations/:id', (ctx, p) => {
    resourcesOf(ctx.org, 'automations').delete(automationOf(ctx, p.id as string).id as string);
    return ok({ success: true });
  }),
  route('POST', '/v1/automations/:id/trigger', async (ctx, p) => {
    const automation = automationOf(ctx, p.id as string);
    const body = validate(S.TriggerAutomationRequest, await ctx.body());
    if (!(automation.triggers as { type: string }[]).some((t) => t.type === 'cron')) {
      throw new HttpError(
        400,
        'Automation has no cron trigger',
        'only automations with a cron trigger can be run manually',
      );
    }
    const execution = {
      id: randomUUID(),
      automation_id: automation.id,
      organization_id: ctx.org.id,
      workspace_id: null,
      triggered_at: now(),
      trigger_payload: body.payload ?? {},
      status: 'pending',
      config: {},
      error: null,
      completed_at: null,
    };
    resourcesOf(ctx.org, 'executions').set(execution.id, execution);
    return ok({ execution_id: execution.id, workspace_id: null });
  }),
  route('GET', '/v1/automations/:id/executions', (ctx, p) => {
    const automation = automationOf(ctx, p.id as string);
    const query = validate(
      S.ListAutomationsQuery.pick({ page: true, limit: true }),
      queryObject(ctx.query, ['page', 'limit']),
      'query',
    );
    const rows = [...resourcesOf(ctx.org, 'executions').values()].filter(
      (e) => e.automation_id === automation.id,
    );
    const { items, ...rest } = page(rows, query.page, query.limit);
    return ok({ executions: items, ...rest });
  }),
];
