import { z } from 'zod';
import { API_VERSION, API_VERSION_HEADER } from '../../replicas/schemas/common';
import * as S from '../../replicas/schemas/replica';
import { HttpError, ok, route, type Route } from '../http';
import type { SimReplica } from '../model';
import { ConflictError, NotFound } from '../replica-engine';
import { notFound, queryObject, validate, type ApiContext } from './context';
import { chatView, queuedMessageView, replicaDetails, replicaListItem } from '../replica-views';
import { streamEvents } from './event-stream';

function replicaOf(ctx: ApiContext, id: string): SimReplica {
  const replica = ctx.engine.find(ctx.org.key, id);
  // Other organisations' ids answer exactly like ids that never existed.
  if (!replica) throw notFound('Replica');
  return replica;
}

/** Engine-proxy endpoints answer 409 while the workspace sleeps or is in error. */
function engineOf(ctx: ApiContext, id: string): SimReplica {
  const replica = replicaOf(ctx, id);
  guard(() => ctx.engine.requireEngine(replica));
  return replica;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConflictError) throw new HttpError(409, 'Conflict', error.message);
    if (error instanceof NotFound) throw new HttpError(404, error.message, error.details);
    throw error;
  }
}

function chatOf(ctx: ApiContext, replica: SimReplica, chatId: string) {
  return guard(() => ctx.engine.chatOf(replica, chatId));
}

/** The OpenAPI's default page size of `GET /v1/replica`. */
const DEFAULT_LIST_LIMIT = 10;

/**
 * "Results are ordered by newest `created_at` first, except `status=archived` results are ordered by
 * most recent activity" (List Replicas); creation order breaks ties of equal timestamps.
 */
function newestFirst(replicas: SimReplica[], byActivity: boolean): SimReplica[] {
  const key = (r: SimReplica) => (byActivity ? (r.last_activity_at ?? r.created_at) : r.created_at);
  return replicas.sort((a, b) => key(b).localeCompare(key(a)) || b.seq - a.seq);
}

function resolveRepositories(ctx: ApiContext, body: z.output<typeof S.CreateReplicaRequest>) {
  const { org } = ctx;
  if (body.environment_id) {
    const environment = org.resources.get('environments')?.get(body.environment_id);
    if (!environment) throw notFound('Environment');
    const repositoryId = environment.repository_id as string | null;
    const setId = environment.repository_set_id as string | null;
    if (setId) return org.repositorySets.find((s) => s.id === setId)?.repositories ?? [];
    return org.repositories.filter((r) => r.id === repositoryId);
  }
  if (body.repository_set_id) {
    const set = org.repositorySets.find((s) => s.id === body.repository_set_id);
    if (!set) throw notFound('Repository set');
    return set.repositories;
  }
  const repositories = org.repositories.filter((r) => body.repository_ids?.includes(r.id));
  if (repositories.length !== body.repository_ids?.length) throw notFound('Repository');
  return repositories;
}

export const replicaRoutes: Route<ApiContext>[] = [
  route('GET', '/v1/replica/repositories', (ctx) => ok({ repositories: ctx.org.repositories })),
  route('GET', '/v1/replica/repository-sets', (ctx) => ok({ repository_sets: ctx.org.repositorySets })),

  route('POST', '/v1/replica', async (ctx) => {
    const version = ctx.req.headers[API_VERSION_HEADER];
    if (version !== undefined && version !== API_VERSION) {
      throw new HttpError(
        400,
        'Unsupported API version',
        `X-Replicas-Api-Version must be ${API_VERSION} or omitted`,
      );
    }
    const body = validate(S.CreateReplicaRequest, await ctx.body());
    const repositories = resolveRepositories(ctx, body);
    const webhook = typeof body.webhook_url === 'string' ? { url: body.webhook_url } : body.webhook_url;
    const replica = ctx.engine.create({
      org: ctx.org.key,
      name: body.name,
      message: body.message,
      repositories,
      codingAgent: body.coding_agent ?? 'claude',
      lifecyclePolicy: body.lifecycle_policy ?? 'default',
      config: body.config,
      webhook,
    });
    // Without the dated version the platform holds the request until the workspace is active and
    // answers with the populated engine details (the header's description in the OpenAPI).
    if (version !== undefined) return ok({ replica: replicaListItem(replica) }, 201);
    await ctx.engine.whenProvisioned(replica);
    return ok({ replica: replicaDetails(replica, []) }, 201);
  }),

  route('GET', '/v1/replica', (ctx) => {
    const query = validate(S.ListReplicasQuery, queryObject(ctx.query, ['page', 'limit']), 'query');
    const page = query.page ?? 1;
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    const all = newestFirst(
      [...ctx.engine.replicas.values()].filter(
        (r) =>
          r.org === ctx.org.key &&
          (!query.status || r.status === query.status) &&
          (!query.source || query.source === 'api'),
      ),
      query.status === 'archived',
    );
    return ok({
      replicas: all.slice((page - 1) * limit, page * limit).map(replicaListItem),
      total: all.length,
      page,
      limit,
      total_pages: Math.max(1, Math.ceil(all.length / limit)),
    });
  }),

  route('GET', '/v1/replica/:id', (ctx, { id }) => {
    const replica = replicaOf(ctx, id as string);
    // "If the workspace is sleeping or archived, it will be woken and the response will indicate
    // this with `waking: true`" (Get Replica); the guide: sleeping "auto-wakes on interaction".
    if (replica.status === 'sleeping' || replica.status === 'archived') ctx.engine.wake(replica, 'onRead');
    const include = (ctx.query.get('include') ?? '').split(',').filter(Boolean);
    return ok({ replica: replicaDetails(replica, include) });
  }),

  route('DELETE', '/v1/replica/:id', (ctx, { id }) => {
    ctx.engine.delete(replicaOf(ctx, id as string));
    return ok({ success: true });
  }),

  route('POST', '/v1/replica/:id/wake', (ctx, { id }) => {
    const replica = replicaOf(ctx, id as string);
    guard(() => ctx.engine.wake(replica));
    return ok({ success: true, status: replica.status });
  }),

  route('POST', '/v1/replica/:id/messages', async (ctx, { id }) => {
    const replica = engineOf(ctx, id as string);
    const body = validate(S.SendMessageRequest, await ctx.body());
    return ok(
      guard(() =>
        ctx.engine.sendMessage(replica, {
          message: body.message,
          chatId: body.chat_id,
          codingAgent: body.coding_agent,
          senderUserId: body.senderUserId,
          senderEmail: body.senderEmail,
        }),
      ),
    );
  }),

  route('GET', '/v1/replica/:id/chats', (ctx, { id }) => {
    const replica = engineOf(ctx, id as string);
    return ok({ chats: replica.chats.map(chatView), waking: replica.waking });
  }),

  route('POST', '/v1/replica/:id/chats', async (ctx, { id }) => {
    const replica = engineOf(ctx, id as string);
    const body = validate(S.CreateChatRequest, await ctx.body());
    return ok(chatView(guard(() => ctx.engine.createChat(replica, body))), 201);
  }),

  route('DELETE', '/v1/replica/:id/chats/:chatId', (ctx, { id, chatId }) => {
    const replica = engineOf(ctx, id as string);
    guard(() => ctx.engine.deleteChat(replica, chatId as string));
    return ok({ success: true });
  }),

  route('GET', '/v1/replica/:id/chats/:chatId/queue', (ctx, { id, chatId }) => {
    const chat = chatOf(ctx, engineOf(ctx, id as string), chatId as string);
    return ok({ chatId: chat.id, processing: chat.processing, queue: chat.queue.map(queuedMessageView) });
  }),

  route('DELETE', '/v1/replica/:id/chats/:chatId/queue', (ctx, { id, chatId }) => {
    const chat = chatOf(ctx, engineOf(ctx, id as string), chatId as string);
    chat.queue = [];
    return ok({ success: true, queue: [] });
  }),

  route('DELETE', '/v1/replica/:id/chats/:chatId/queue/:messageId', (ctx, { id, chatId, messageId }) => {
    const chat = chatOf(ctx, engineOf(ctx, id as string), chatId as string);
    if (!chat.queue.some((m) => m.id === messageId)) throw notFound('Queued message');
    chat.queue = chat.queue.filter((m) => m.id !== messageId);
    return ok({ success: true, queue: chat.queue.map(queuedMessageView) });
  }),

  route('PATCH', '/v1/replica/:id/chats/:chatId/queue/reorder', async (ctx, { id, chatId }) => {
    const chat = chatOf(ctx, engineOf(ctx, id as string), chatId as string);
    const body = validate(S.ReorderQueueRequest, await ctx.body());
    const item = chat.queue.find((m) => m.id === body.messageId);
    if (!item) throw notFound('Queued message');
    chat.queue = chat.queue.filter((m) => m !== item);
    chat.queue.splice(Math.min(body.position, chat.queue.length), 0, item);
    return ok({ success: true, queue: chat.queue.map(queuedMessageView) });
  }),

  route('GET', '/v1/replica/:id/history', (ctx, { id }) => {
    const replica = engineOf(ctx, id as string);
    const query = validate(S.HistoryQuery, queryObject(ctx.query, ['limit', 'offset']), 'query');
    const chat = query.chat_id ? chatOf(ctx, replica, query.chat_id) : ctx.engine.defaultChat(replica);
    const events = chat?.history ?? [];
    // offset counts from the newest event backwards (bottom-up), as the API pages history.
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const end = Math.max(0, events.length - offset);
    const start = Math.max(0, end - limit);
    return ok({
      thread_id: chat?.id ?? null,
      events: events.slice(start, end),
      total: events.length,
      has_more: start > 0,
      coding_agent: chat?.provider ?? replica.coding_agent,
      waking: replica.waking,
      senders: chat?.senders.map((sender) => ({ ...sender })) ?? [],
    });
  }),

  route('GET', '/v1/replica/:id/hooks', (ctx, { id }) => {
    engineOf(ctx, id as string);
    return ok({ warm_hooks: { logs: [] }, start_hooks: { logs: [] } });
  }),

  route('GET', '/v1/replica/:id/canvas', (ctx, { id }) => {
    engineOf(ctx, id as string);
    return ok({ items: [{ filename: 'summary.md', kind: 'markdown', sizeBytes: 24 }] });
  }),

  route('GET', '/v1/replica/:id/canvas/:filename', (ctx, { id, filename }) => {
    engineOf(ctx, id as string);
    if (filename !== 'summary.md') throw notFound('Canvas item');
    return ok({
      filename,
      kind: 'markdown',
      sizeBytes: 24,
      mimeType: 'text/markdown',
      content: '# Summary\n\nAll done.\n',
    });
  }),

  route('GET', '/v1/replica/:id/events', (ctx, { id }) => {
    const replica = engineOf(ctx, id as string);
    streamEvents(ctx, replica);
    return undefined;
  }),
];
