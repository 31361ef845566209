import { Context } from '@temporalio/activity';
import {
  errorMessageIn,
  pullRequestsIn,
  snapshotSettles,
  type CreateReplicaInput,
  type CreateReplicaOutput,
  type PollInput,
  type ReplicaJobActivities,
  type ReplicaSnapshot,
  type SendMessageInput,
  type SendMessageOutput,
} from '../contracts';
import { ReplicasApiError, type ReplicasClient } from '../replicas';
import { apiCall, toApplicationFailure } from './failures';

/** Where a workflow's replica calls back and the secret it signs with; undefined when jobs poll. */
export type WebhookTargetFor = (workflowId: string) => { url: string; secret: string } | undefined;

export interface ReplicaJobActivityDeps {
  client: Pick<
    ReplicasClient,
    'createReplica' | 'getReplica' | 'listReplicas' | 'deleteReplica' | 'wakeReplica' | 'sendMessage'
  >;
  /** Derives each workflow's `webhook_url` inside the activity, so no secret enters workflow history. */
  webhookTargetFor?: WebhookTargetFor;
  /** Heartbeat at least this often while a long poll waits (the SDK batches what reaches the server). */
  heartbeatEveryMs?: number;
}

const LIST_PAGE_SIZE = 100;

export function createReplicaJobActivities(deps: ReplicaJobActivityDeps): ReplicaJobActivities {
  const { client } = deps;
  const heartbeatEveryMs = deps.heartbeatEveryMs ?? 10_000;

  async function findReplicaByName(name: string): Promise<string | null> {
    for (let page = 1; ; page += 1) {
      const result = await apiCall('findReplicaByName', () =>
        client.listReplicas({ page, limit: LIST_PAGE_SIZE }),
      );
      const match = result.replicas.find((replica) => replica.name === name);
      if (match) return match.id;
      if (page >= result.total_pages || result.replicas.length === 0) return null;
    }
  }

  async function getReplicaSnapshot(replicaId: string): Promise<ReplicaSnapshot> {
    try {
      const { replica } = await client.getReplica(replicaId);
      const errorMessage = replica.status === 'error' ? errorMessageIn(replica) : undefined;
      return {
        replicaId,
        status: replica.status,
        waking: replica.waking === true,
        processing: (replica.chats ?? []).some((chat) => chat.processing),
        chatCount: (replica.chats ?? []).length,
        pullRequests: pullRequestsIn(replica),
        ...(errorMessage !== undefined && { errorMessage }),
      };
    } catch (error) {
      // Gone (deleted, or soft-deleted after an error) is a state the workflow decides on, not a failure.
      if (error instanceof ReplicasApiError && error.kind === 'not_found') {
        return {
          replicaId,
          status: 'deleted',
          waking: false,
          processing: false,
          chatCount: 0,
          pullRequests: [],
        };
      }
      throw toApplicationFailure('getReplica', error);
    }
  }

  return {
    async createReplica(input: CreateReplicaInput): Promise<CreateReplicaOutput> {
      const webhook_url = input.webhooks ? deps.webhookTargetFor?.(input.workflowId) : undefined;
      const webhookRegistered = webhook_url !== undefined;
      // A retried attempt may follow a create whose response was lost: adopt instead of creating twice.
      if (input.lookupExisting || Context.current().info.attempt > 1) {
        const existing = await findReplicaByName(input.name);
        if (existing) {
          const snapshot = await getReplicaSnapshot(existing);
          return { replicaId: existing, status: snapshot.status, adopted: true, webhookRegistered };
        }
      }
      const { replica } = await apiCall('createReplica', () =>
        client.createReplica({
          name: input.name,
          message: input.message,
          environment_id: input.environmentId,
          ...(input.codingAgent && { coding_agent: input.codingAgent }),
          ...(input.model && { model: input.model }),
          ...(input.thinkingLevel && { thinking_level: input.thinkingLevel }),
          ...(input.size && { size: input.size }),
          ...(input.lifecyclePolicy && { lifecycle_policy: input.lifecyclePolicy }),
          ...(webhook_url && { webhook_url }),
        }),
      );
      return { replicaId: replica.id, status: replica.status, adopted: false, webhookRegistered };
    },

    getReplicaSnapshot,

    async pollReplica(input: PollInput): Promise<ReplicaSnapshot> {
      const context = Context.current();
      let waitMs = input.initialDelayMs;
      for (;;) {
        // Sleep in slices with a heartbeat each, so a cancel (a webhook arrived) reaches us promptly.
        for (let waited = 0; waited < waitMs; waited += heartbeatEveryMs) {
          context.heartbeat();
          await context.sleep(Math.min(heartbeatEveryMs, waitMs - waited));
        }
        const snapshot = await getReplicaSnapshot(input.replicaId);
        context.heartbeat({ status: snapshot.status });
        if (snapshotSettles(snapshot, input.until)) return snapshot;
        waitMs = input.intervalMs;
      }
    },

    async sendReplicaMessage(input: SendMessageInput): Promise<SendMessageOutput> {
      const sent = await apiCall('sendMessage', () =>
        client.sendMessage(input.replicaId, { message: input.message }),
      );
      return {
        status: sent.status,
        messageId: sent.message_id ?? undefined,
        position: sent.position ?? undefined,
        chatId: sent.chat_id ?? undefined,
      };
    },

    async wakeReplica(replicaId: string): Promise<void> {
      await apiCall('wakeReplica', () => client.wakeReplica(replicaId));
    },

    findReplicaByName,

    async deleteReplica(replicaId: string): Promise<{ deleted: boolean }> {
      try {
        await client.deleteReplica(replicaId);
        return { deleted: true };
      } catch (error) {
        if (error instanceof ReplicasApiError && error.kind === 'not_found') return { deleted: false };
        throw toApplicationFailure('deleteReplica', error);
      }
    },
  };
}
