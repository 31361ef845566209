import { z } from 'zod';
import { AutomationsApi } from './automations-client';
import { EnvironmentsApi } from './environments-client';
import { paginate } from './pagination';
import { API_VERSION, API_VERSION_HEADER, SuccessResponse } from './schemas/common';
import * as S from './schemas/replica';
import { reconnectingSse, type ReconnectOptions } from './sse';
import {
  Transport,
  pathOf,
  tryParseJson,
  validateRequest,
  type CallOptions,
  type TransportOptions,
} from './transport';

export { API_VERSION };

const ReplicaId = z.string().min(1, 'is required: a replica id');
const id = (value: string, field = 'id') => validateRequest(field, ReplicaId, value);

export interface CreateReplicaOptions extends CallOptions {
  /** Omit the dated version header: the platform then blocks until the workspace is active. */
  legacyBlocking?: boolean;
}

/** Typed client for the Replicas REST API; one keep-alive pool shared by every call. */
export class ReplicasClient {
  readonly environments: EnvironmentsApi;
  readonly automations: AutomationsApi;
  private readonly http: Transport;

  constructor(options: TransportOptions) {
    this.http = new Transport(options);
    this.environments = new EnvironmentsApi(this.http);
    this.automations = new AutomationsApi(this.http);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  async listRepositories(options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: '/v1/replica/repositories',
      response: S.RepositoriesResponse,
      ...options,
    });
  }

  async listRepositorySets(options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: '/v1/replica/repository-sets',
      response: S.RepositorySetsResponse,
      ...options,
    });
  }

  async createReplica(body: S.CreateReplicaRequest, options: CreateReplicaOptions = {}) {
    const { legacyBlocking, ...call } = options;
    return this.http.call({
      method: 'POST',
      path: '/v1/replica',
      body: validateRequest('create replica', S.CreateReplicaRequest, body),
      headers: legacyBlocking ? {} : { [API_VERSION_HEADER]: API_VERSION },
      response: S.ReplicaResponse,
      ...call,
    });
  }

  async listReplicas(query: S.ListReplicasQuery = {}, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: '/v1/replica',
      query: validateRequest('list replicas', S.ListReplicasQuery, query),
      response: S.ReplicaListResponse,
      ...options,
    });
  }

  /** Every replica matching the filters, page by page (`limit` per request, max 100). */
  iterateReplicas(query: Omit<S.ListReplicasQuery, 'page'> = {}, options?: CallOptions) {
    return paginate(
      (page) => this.listReplicas({ limit: 100, ...query, page }, options),
      (result) => result.replicas,
      (result) => result.total_pages,
    );
  }

  async getReplica(replicaId: string, include: ('environment' | 'diffs')[] = [], options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/replica/${id(replicaId)}`,
      query: { include: include.length ? include.join(',') : undefined },
      response: S.ReplicaDetailsResponse,
      ...options,
    });
  }

  async deleteReplica(replicaId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: pathOf`/v1/replica/${id(replicaId)}`,
      response: SuccessResponse,
      ...options,
    });
  }

  /** Wakes a sleeping workspace; 409 when it is in `error` (terminal) or otherwise not wakeable. */
  async wakeReplica(replicaId: string, options?: CallOptions) {
    return this.http.call({
      method: 'POST',
      path: pathOf`/v1/replica/${id(replicaId)}/wake`,
      response: S.WakeResponse,
      ...options,
    });
  }

  async sendMessage(replicaId: string, body: S.SendMessageRequest, options?: CallOptions) {
    return this.http.call({
      method: 'POST',
      path: pathOf`/v1/replica/${id(replicaId)}/messages`,
      body: validateRequest('send message', S.SendMessageRequest, body),
      response: S.SendMessageResponse,
      ...options,
    });
  }

  async listChats(replicaId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/replica/${id(replicaId)}/chats`,
      response: S.ChatsResponse,
      ...options,
    });
  }

  async createChat(replicaId: string, body: z.input<typeof S.CreateChatRequest>, options?: CallOptions) {
    return this.http.call({
      method: 'POST',
      path: pathOf`/v1/replica/${id(replicaId)}/chats`,
      body: validateRequest('create chat', S.CreateChatRequest, body),
      response: S.Chat,
      ...options,
    });
  }

  async deleteChat(replicaId: string, chatId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: pathOf`/v1/replica/${id(replicaId)}/chats/${id(chatId, 'chatId')}`,
      response: SuccessResponse,
      ...options,
    });
  }

  async getHistory(replicaId: string, query: z.input<typeof S.HistoryQuery> = {}, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/replica/${id(replicaId)}/history`,
      query: validateRequest('history', S.HistoryQuery, query),
      response: S.HistoryResponse,
      ...options,
    });
  }

  async getQueue(replicaId: string, chatId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/replica/${id(replicaId)}/chats/${id(chatId, 'chatId')}/queue`,
      response: S.QueueResponse,
      ...options,
    });
  }

  async clearQueue(replicaId: string, chatId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: pathOf`/v1/replica/${id(replicaId)}/chats/${id(chatId, 'chatId')}/queue`,
      response: S.QueueMutationResponse,
      ...options,
    });
  }

  async removeQueuedMessage(replicaId: string, chatId: string, messageId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: pathOf`/v1/replica/${id(replicaId)}/chats/${id(chatId, 'chatId')}/queue/${id(messageId, 'messageId')}`,
      response: S.QueueMutationResponse,
      ...options,
    });
  }

  async reorderQueue(
    replicaId: string,
    chatId: string,
    body: z.input<typeof S.ReorderQueueRequest>,
    options?: CallOptions,
  ) {
    return this.http.call({
      method: 'PATCH',
      path: pathOf`/v1/replica/${id(replicaId)}/chats/${id(chatId, 'chatId')}/queue/reorder`,
      body: validateRequest('reorder queue', S.ReorderQueueRequest, body),
      response: S.QueueMutationResponse,
      ...options,
    });
  }

  async getHookLogs(replicaId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/replica/${id(replicaId)}/hooks`,
      response: S.HooksResponse,
      ...options,
    });
  }

  async listCanvas(replicaId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/replica/${id(replicaId)}/canvas`,
      response: S.CanvasListResponse,
      ...options,
    });
  }

  async getCanvasItem(replicaId: string, filename: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/replica/${id(replicaId)}/canvas/${id(filename, 'filename')}`,
      response: S.CanvasItemResponse,
      ...options,
    });
  }

  /**
   * The workspace's event stream (`GET /v1/replica/{id}/events`) as an async iterator that
   * reconnects after drops and never yields the same event id twice. Ends with a 409 error when
   * the workspace sleeps or fails; stop it with `signal`.
   */
  async *events(replicaId: string, options: ReconnectOptions = {}): AsyncGenerator<S.ReplicaStreamEvent> {
    const path = pathOf`/v1/replica/${id(replicaId)}/events`;
    const messages = reconnectingSse(async (lastEventId) => {
      const { body } = await this.http.stream({
        method: 'GET',
        path,
        signal: options.signal,
        headers: lastEventId ? { 'last-event-id': lastEventId } : {},
      });
      return body;
    }, options);
    // Streams without `id:` lines may replay after a reconnect; the payload's own id dedupes them.
    const seen = new Set<string>();
    for await (const message of messages) {
      const parsed = S.ReplicaStreamEvent.safeParse(tryParseJson(message.data));
      if (!parsed.success || seen.has(parsed.data.id)) continue;
      seen.add(parsed.data.id);
      yield parsed.data;
    }
  }
}
