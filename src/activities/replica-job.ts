import { Context } from '@temporalio/activity';
import {
  LAST_MESSAGE_LENGTH,
  errorMessageIn,
  pullRequestsIn,
  snapshotSettles,
  type CreateReplicaInput,
  type CreateReplicaOutput,
  type LookAndFinishInput,
  type LookAndFinishOutput,
  type PollInput,
  type ReplicaJobActivities,
  type ReplicaSnapshot,
  type SendMessageInput,
  type SendMessageOutput,
} from '../contracts';
import { judgeTurn } from '../policy/job-policy';
import { ReplicasApiError, type ReplicasClient } from '../replicas';
import { lastAgentText } from './agent-messages';
import { apiCall, toApplicationFailure } from './failures';
import { HEARTBEAT_EVERY_MS, heartbeating as heartbeatingEvery } from './heartbeating';
import { findReplicaByName } from './replica-lookup';
import { findSentMessage } from './sent-messages';
import { workspaceConfigBody } from './workspace-config';

/** Where a workflow's replica calls back and the secret it signs with; undefined when jobs poll. */
export type WebhookTargetFor = (workflowId: string) => { url: string; secret: string } | undefined;

export interface ReplicaJobActivityDeps {
  client: Pick<
    ReplicasClient,
    | 'createReplica'
    | 'getReplica'
    | 'listReplicas'
    | 'deleteReplica'
    | 'wakeReplica'
    | 'sendMessage'
    | 'getHistory'
    | 'getQueue'
  >;
  /** Derives each workflow's `webhook_url` inside the activity, so no secret enters workflow history. */
  webhookTargetFor?: WebhookTargetFor;
  /** How often API calls and long polls heartbeat (the SDK throttles what reaches the server). */
  heartbeatEveryMs?: number;
}

/** A replica that is gone (deleted, or soft-deleted after an error): a state, not a failure. */
const goneSnapshot = (replicaId: string): ReplicaSnapshot => ({
  replicaId,
  status: 'deleted',
  waking: false,
  processing: false,
  chatCount: 0,
  pullRequests: [],
});

export function createReplicaJobActivities(deps: ReplicaJobActivityDeps): ReplicaJobActivities {
  const { client } = deps;
  const heartbeatEveryMs = deps.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS;
  /** An API call, heartbeating: a call on a worker that dies is retried within the heartbeat timeout. */
  const heartbeating = <T>(fn: () => Promise<T>): Promise<T> => heartbeatingEvery(fn, heartbeatEveryMs);

  /** A retried attempt follows one whose outcome is unknown (lost answer, timeout, dead worker). */
  const retried = () => Context.current().info.attempt > 1;

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
      if (error instanceof ReplicasApiError && error.kind === 'not_found') return goneSnapshot(replicaId);
      throw toApplicationFailure('getReplica', error);
    }
  }

  /** What the agent last said; evidence is best effort, so a workspace that cannot tell gives none. */
  async function lastAgentMessage(replicaId: string): Promise<string | undefined> {
    try {
      const history = await client.getHistory(replicaId, { limit: 50 });
      return lastAgentText(history.events)?.slice(0, LAST_MESSAGE_LENGTH);
    } catch (error) {
      // A workspace in error or asleep answers 409, a deleted one 404.
      if (error instanceof ReplicasApiError && !error.retryable) return undefined;
      throw toApplicationFailure('getHistory', error);
    }
  }

  async function deleteReplica(replicaId: string): Promise<{ deleted: boolean }> {
    try {
      await client.deleteReplica(replicaId);
      return { deleted: true };
    } catch (error) {
      // A 404 after a lost answer means the earlier attempt deleted it.
      if (error instanceof ReplicasApiError && error.kind === 'not_found') return { deleted: false };
      throw toApplicationFailure('deleteReplica', error);
    }
  }

  return {
    createReplica: (input: CreateReplicaInput): Promise<CreateReplicaOutput> =>
      heartbeating(async () => {
        const webhook_url = input.webhooks ? deps.webhookTargetFor?.(input.workflowId) : undefined;
        const webhookRegistered = webhook_url !== undefined;
        // A retried attempt may follow a create whose answer was lost: adopt instead of creating twice.
        if (input.lookupExisting || retried()) {
          const existing = await findReplicaByName(client, input.name, input.notBeforeMs);
          if (existing)
            return { replicaId: existing.id, status: existing.status, adopted: true, webhookRegistered };
        }
        const config = workspaceConfigBody(input.workspaceConfig);
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
            ...(config && { config }),
            ...(webhook_url && { webhook_url }),
          }),
        );
        return { replicaId: replica.id, status: replica.status, adopted: false, webhookRegistered };
      }),

    getReplicaSnapshot: (replicaId) => heartbeating(() => getReplicaSnapshot(replicaId)),

    // The kept workspace's webhooks were registered for this same workflow id, so they reach the re-run.
    resumeReplica: ({ replicaId, workflowId, webhooks }) =>
      heartbeating(async () => ({
        snapshot: await getReplicaSnapshot(replicaId),
        webhookRegistered: webhooks && deps.webhookTargetFor?.(workflowId) !== undefined,
      })),

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

    sendReplicaMessage: (input: SendMessageInput): Promise<SendMessageOutput> =>
      heartbeating(async () => {
        // An earlier send of this message may have landed although its answer never came back.
        if (input.verifyFirst || retried()) {
          const landed = await findSentMessage(client, input);
          if (landed) return { status: 'sent', chatId: landed.chatId, alreadyDelivered: true };
        }
        const sent = await apiCall('sendMessage', () =>
          client.sendMessage(input.replicaId, {
            message: input.message,
            senderUserId: input.marker,
            senderEmail: 'replica-fleet@replica-fleet.invalid',
          }),
        );
        return { status: sent.status, chatId: sent.chat_id ?? undefined, alreadyDelivered: false };
      }),

    wakeReplica: (replicaId: string) =>
      heartbeating(async () => {
        // Waking twice is harmless but counted: after an ambiguous attempt, look before asking again.
        if (retried()) {
          const snapshot = await getReplicaSnapshot(replicaId);
          if (snapshot.waking || snapshot.status === 'active' || snapshot.status === 'deleted') return;
        }
        await apiCall('wakeReplica', () => client.wakeReplica(replicaId));
      }),

    findReplicaByName: ({ name, notBeforeMs }) =>
      heartbeating(async () => (await findReplicaByName(client, name, notBeforeMs))?.id ?? null),

    lastAgentMessage: (replicaId: string) => heartbeating(() => lastAgentMessage(replicaId)),

    deleteReplica: (replicaId: string) => heartbeating(() => deleteReplica(replicaId)),

    lookAndFinish: (input: LookAndFinishInput): Promise<LookAndFinishOutput> =>
      heartbeating(async () => {
        const snapshot = await getReplicaSnapshot(input.replicaId);
        // Called only after the turn's webhook said it was over: a replica gone on a retried attempt
        // is the earlier attempt's cleanup, whose answer was lost.
        if (snapshot.status === 'deleted' && retried() && input.deleteOnSuccess)
          return { snapshot, finished: { deleted: true } };
        if (judgeTurn(snapshot, input.deletedMeansDone, '').kind !== 'done') return { snapshot };
        const withoutPr = input.knownPullRequests + snapshot.pullRequests.length === 0;
        const lastMessage =
          withoutPr && snapshot.status === 'active' ? await lastAgentMessage(input.replicaId) : undefined;
        const deleted =
          input.deleteOnSuccess && snapshot.status !== 'deleted'
            ? (await deleteReplica(input.replicaId)).deleted
            : false;
        return { snapshot, finished: { deleted, ...(lastMessage !== undefined && { lastMessage }) } };
      }),
  };
}
