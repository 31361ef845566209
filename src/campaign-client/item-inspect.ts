import type { Client } from '@temporalio/client';
import { lastAgentText } from '../activities/agent-messages';
import { jobWorkflowId, type ItemRecord, type ReplicaJobStatus } from '../contracts';
import { ReplicasApiError, type ReplicasClient } from '../replicas';
import { jobStateQuery } from '../workflows/replica-job/messages';
import { campaignItem } from './reads';

/** The workspace as the platform shows it now. */
export interface LiveReplica {
  id: string;
  status: string;
  /** The most recent message sent to the workspace (the platform's `lastChatMessage`). */
  lastChatMessage?: { text: string; agent: string; timestamp: string };
  pullRequests: string[];
  branches: { repository: string; branch: string | null }[];
}

/** What `campaign item` shows; `--json` prints this object. */
export interface ItemInspection {
  campaignId: string;
  record: ItemRecord;
  /** The job's own view while it runs (phase, replica status, events received). */
  job?: ReplicaJobStatus;
  /** The workspace, while it exists and REPLICAS_API_* are set. */
  replica?: LiveReplica;
  /** Why the live part is missing: no credentials, the replica is gone, the API failed. */
  replicaNote?: string;
  /** The agent's last answer: in full from the workspace's history, else as kept in the record. */
  lastAgentMessage?: string;
}

export class UnknownItemError extends Error {
  constructor(campaignId: string, key: string) {
    super(
      `campaign "${campaignId}" has no item "${key}"; 'replica-fleet campaign results ${campaignId}' lists its keys`,
    );
    this.name = 'UnknownItemError';
  }
}

async function liveReplica(
  replicas: ReplicasClient,
  replicaId: string,
): Promise<{ replica?: LiveReplica; lastAgentMessage?: string; note?: string }> {
  try {
    const { replica } = await replicas.getReplica(replicaId);
    const live: LiveReplica = {
      id: replica.id,
      status: replica.status,
      ...(replica.lastChatMessage && {
        lastChatMessage: {
          text: replica.lastChatMessage.text,
          agent: replica.lastChatMessage.agent,
          timestamp: replica.lastChatMessage.timestamp,
        },
      }),
      pullRequests: replica.pull_requests.map((pr) => pr.url),
      branches: (replica.repository_statuses ?? []).map((s) => ({
        repository: s.repository,
        branch: s.branch,
      })),
    };
    let lastAgentMessage: string | undefined;
    try {
      lastAgentMessage = lastAgentText((await replicas.getHistory(replicaId, { limit: 50 })).events);
    } catch (error) {
      // A sleeping or errored workspace answers 409 for its history; its status still shows.
      if (!(error instanceof ReplicasApiError) || error.retryable) throw error;
    }
    return { replica: live, ...(lastAgentMessage && { lastAgentMessage }) };
  } catch (error) {
    if (error instanceof ReplicasApiError && error.kind === 'not_found')
      return { note: `replica ${replicaId} no longer exists (deleted after its job)` };
    if (error instanceof ReplicasApiError) return { note: error.message };
    throw error;
  }
}

/**
 * One item: its record from the shard, the job's live phase while it runs (asked with a short
 * deadline, so a campaign no worker serves still answers from its record), and the workspace itself
 * while it exists.
 */
export async function inspectItem(
  client: Client,
  replicas: ReplicasClient | undefined,
  campaignId: string,
  key: string,
): Promise<ItemInspection> {
  const record = await campaignItem(client, campaignId, key);
  if (record === undefined) throw new UnknownItemError(campaignId, key);
  const out: ItemInspection = { campaignId, record };
  if (record.state === 'running') {
    try {
      out.job = await client.withDeadline(Date.now() + 5_000, () =>
        client.workflow.getHandle(jobWorkflowId(campaignId, key)).query(jobStateQuery),
      );
    } catch {
      // The record still says what is known; the phase is a live extra.
    }
  }
  const replicaId = out.job?.replicaId ?? record.replicaId;
  if (replicaId && replicas) {
    const live = await liveReplica(replicas, replicaId);
    if (live.replica) out.replica = live.replica;
    if (live.note) out.replicaNote = live.note;
    if (live.lastAgentMessage) out.lastAgentMessage = live.lastAgentMessage;
  } else if (replicaId) {
    out.replicaNote = 'set REPLICAS_API_URL and REPLICAS_API_KEY to see the workspace itself';
  }
  out.lastAgentMessage ??= record.lastMessage;
  if (out.lastAgentMessage === undefined) delete out.lastAgentMessage;
  return out;
}
