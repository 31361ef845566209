/**
 * The contract between the replica job workflow and its activities: shapes, failure types and the one
 * rule both sides apply to a snapshot. Pure code only, because the workflow bundle includes it.
 */

export type CodingAgent = 'claude' | 'codex' | 'cursor' | 'opencode';
export type ThinkingLevel = 'low' | 'medium' | 'high' | 'max';
export type ReplicaSize = 'small' | 'large';
export type LifecyclePolicy = 'default' | 'delete_when_done' | 'delete_after_inactivity';

export interface CreateReplicaInput {
  /** `<campaignId>/<itemKey>`: the webhook route and the source of the per-workflow webhook secret. */
  workflowId: string;
  /** Deterministic, whitespace-free; the key an earlier attempt's replica is found by. */
  name: string;
  environmentId: string;
  message: string;
  codingAgent?: CodingAgent;
  model?: string;
  thinkingLevel?: ThinkingLevel;
  size?: ReplicaSize;
  lifecyclePolicy?: LifecyclePolicy;
  /** Register the ingress as `webhook_url` (only when a public ingress URL is configured). */
  webhooks: boolean;
  /** Look for a replica with this name before creating (re-runs); retried attempts always look. */
  lookupExisting: boolean;
}

export interface CreateReplicaOutput {
  replicaId: string;
  status: string;
  /** True when an existing replica of this name was adopted instead of creating one. */
  adopted: boolean;
  /** False when no public ingress URL is configured: the workflow then relies on polling alone. */
  webhookRegistered: boolean;
}

export interface PullRequestRef {
  repository: string;
  number: number;
  url: string;
  branch?: string;
}

/** The few fields of `GET /v1/replica/{id}` a job decides on; small, because it lands in history. */
export interface ReplicaSnapshot {
  replicaId: string;
  /** `deleted` when the API answers 404 (deleted, or soft-deleted after an error). */
  status: 'preparing' | 'active' | 'sleeping' | 'error' | 'archived' | 'deleted' | string;
  waking: boolean;
  /** Any chat still processing: the turn is not over. */
  processing: boolean;
  /** Chats in the workspace; zero means the initial message has not reached the agent yet. */
  chatCount: number;
  pullRequests: PullRequestRef[];
  /** The platform's failure message when the workspace is in `error`, when it gives one. */
  errorMessage?: string;
}

export interface PollInput {
  replicaId: string;
  /** `turn`: until nothing processes (or the workspace sleeps, errors, vanishes). `awake`: until active. */
  until: 'turn' | 'awake';
  intervalMs: number;
  /** Wait before the first GET; with webhooks this is the safety-net interval. */
  initialDelayMs: number;
}

export interface SendMessageInput {
  replicaId: string;
  message: string;
}

export interface SendMessageOutput {
  status: 'sent' | 'queued' | 'waking' | string;
  messageId?: string;
  position?: number;
  chatId?: string;
}

export interface ReplicaJobActivities {
  createReplica(input: CreateReplicaInput): Promise<CreateReplicaOutput>;
  getReplicaSnapshot(replicaId: string): Promise<ReplicaSnapshot>;
  /** Heartbeating long poll: one activity for a whole wait instead of a timer plus an activity per GET. */
  pollReplica(input: PollInput): Promise<ReplicaSnapshot>;
  sendReplicaMessage(input: SendMessageInput): Promise<SendMessageOutput>;
  wakeReplica(replicaId: string): Promise<void>;
  /** The id of the replica with this name, if any: cleanup after a create whose outcome is unknown. */
  findReplicaByName(name: string): Promise<string | null>;
  /** Idempotent: a replica that is already gone counts as deleted. */
  deleteReplica(replicaId: string): Promise<{ deleted: boolean }>;
}

/** `ApplicationFailure` types the activities raise; the workflow branches on them. */
export const FailureTypes = {
  conflict: 'ReplicaConflict',
  notFound: 'ReplicaNotFound',
  unauthorized: 'ReplicasUnauthorized',
  forbidden: 'ReplicasForbidden',
  validation: 'ReplicasValidation',
  rateLimited: 'ReplicasRateLimited',
  server: 'ReplicasServerError',
  network: 'ReplicasNetworkError',
  timeout: 'ReplicasTimeout',
  invalidResponse: 'ReplicasInvalidResponse',
} as const;

/**
 * Whether a snapshot ends a wait. `turn`: nothing processing (and the initial message has reached the
 * agent), or a state no turn continues from. `awake`: active and done waking, or a terminal state.
 */
export function snapshotSettles(snapshot: ReplicaSnapshot, until: 'turn' | 'awake'): boolean {
  if (snapshot.status === 'error' || snapshot.status === 'deleted') return true;
  // Awake, or back asleep (the workflow wakes it again): either way the wait is over.
  if (until === 'awake')
    return (snapshot.status === 'active' || snapshot.status === 'sleeping') && !snapshot.waking;
  // Asleep with the turn unfinished: the workflow must wake it, so the wait ends here too.
  if (snapshot.status === 'sleeping' && !snapshot.waking) return snapshot.chatCount > 0;
  const idleState =
    snapshot.status === 'active' || snapshot.status === 'sleeping' || snapshot.status === 'archived';
  return idleState && !snapshot.processing && !snapshot.waking && snapshot.chatCount > 0;
}
