import { Context } from '@temporalio/activity';
import {
  snapshotSettles,
  type CreateReplicaInput,
  type CreateReplicaOutput,
  type PollInput,
  type PullRequestRef,
  type ReplicaJobActivities,
  type ReplicaSnapshot,
  type SendMessageInput,
  type SendMessageOutput,
} from '../contracts/replica-job';
import { ReplicasApiError, type ReplicasClient } from '../replicas';
import { deriveWebhookSecret, webhookUrlFor } from '../webhooks/signing';
import { apiCall, toApplicationFailure } from './failures';

export interface WebhookSettings {
  /** Public base URL of the ingress (e.g. https://fleet.example.com); without it jobs poll. */
  publicBaseUrl?: string;
  /** Master secret; per-workflow secrets are derived from it inside the activity, never in history. */
  masterSecret?: string;
}

export interface ReplicaJobActivityDeps {
  client: Pick<
    ReplicasClient,
    'createReplica' | 'getReplica' | 'listReplicas' | 'deleteReplica' | 'wakeReplica' | 'sendMessage'
  >;
  webhooks?: WebhookSettings;
  /** Heartbeat at least this often while a long poll waits (the SDK batches what reaches the server). */
  heartbeatEveryMs?: number;
}

const LIST_PAGE_SIZE = 100;

function pullRequestsOf(replica: {
  pull_requests?: { repository: string; number: number; url: string }[];
  repository_statuses?: { repository: string; branch?: string | null; pr_urls?: string[] }[];
}): PullRequestRef[] {
  const branchOf = new Map((replica.repository_statuses ?? []).map((s) => [s.repository, s.branch]));
  const prs = new Map<string, PullRequestRef>();
  for (const pr of replica.pull_requests ?? []) {
    prs.set(pr.url, {
      repository: pr.repository,
      number: pr.number,
      url: pr.url,
      branch: branchOf.get(pr.repository) ?? undefined,
    });
  }
  for (const status of replica.repository_statuses ?? []) {
    for (const url of status.pr_urls ?? []) {
      if (prs.has(url)) continue;
      const number = Number(/\/(\d+)(?:[/?#]|$)/.exec(url)?.[1] ?? 0);
      prs.set(url, { repository: status.repository, number, url, branch: status.branch ?? undefined });
    }
  }
  return [...prs.values()];
}

function errorMessageOf(replica: Record<string, unknown>): string | undefined {
  for (const key of ['error_message', 'failure_message', 'error']) {
    const value = replica[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

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
      return {
        replicaId,
        status: replica.status,
        waking: replica.waking === true,
        processing: (replica.chats ?? []).some((chat) => chat.processing),
        chatCount: (replica.chats ?? []).length,
        pullRequests: pullRequestsOf(replica),
        errorMessage: errorMessageOf(replica as Record<string, unknown>),
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
      const webhookRegistered = Boolean(
        input.webhooks && deps.webhooks?.publicBaseUrl && deps.webhooks.masterSecret,
      );
      // A retried attempt may follow a create whose response was lost: adopt instead of creating twice.
      if (input.lookupExisting || Context.current().info.attempt > 1) {
        const existing = await findReplicaByName(input.name);
        if (existing) {
          const snapshot = await getReplicaSnapshot(existing);
          return { replicaId: existing, status: snapshot.status, adopted: true, webhookRegistered };
        }
      }
      const webhook_url =
        webhookRegistered && deps.webhooks?.publicBaseUrl && deps.webhooks.masterSecret
          ? {
              url: webhookUrlFor(deps.webhooks.publicBaseUrl, input.workflowId),
              secret: deriveWebhookSecret(deps.webhooks.masterSecret, input.workflowId),
            }
          : undefined;
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
