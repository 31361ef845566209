import type {
  CodingAgent,
  LifecyclePolicy,
  PullRequestRef,
  ReplicaSize,
  ThinkingLevel,
} from '../../contracts/replica-job';

export type JobState = 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type JobPhase =
  'creating' | 'waiting_turn' | 'sending_follow_up' | 'waking' | 'collecting' | 'cleaning_up' | 'done';

/** One item of a campaign: one replica on one environment, one instruction plus follow-ups. */
export interface ReplicaJobInput {
  campaignId: string;
  itemKey: string;
  /** For display and the `Repository` search attribute. */
  repository?: string;
  environmentId: string;
  message: string;
  followUps?: string[];
  codingAgent?: CodingAgent;
  model?: string;
  thinkingLevel?: ThinkingLevel;
  size?: ReplicaSize;
  lifecyclePolicy?: LifecyclePolicy;
  /** `delete` (default) removes the replica when the job ends, however it ends; `keep` leaves it for humans. */
  cleanup?: 'delete' | 'keep';
  /** Per turn; default 2 hours. */
  turnTimeoutMs?: number;
  /** Whole job; default 24 hours. */
  jobTimeoutMs?: number;
  /** Use webhooks when the worker has a public ingress URL (default true). */
  webhooks?: boolean;
  /** Polling interval when no webhook can arrive; default 30 s. */
  pollIntervalMs?: number;
  /** Safety-net polling interval while webhooks are expected; default 10 min. */
  webhookSafetyPollMs?: number;
  /** Wake-and-resend attempts for a follow-up that meets a sleeping workspace; default 3. */
  maxWakeAttempts?: number;
  /** Run of this item within its campaign (retryFailed makes 2, 3, …); each run gets its own replica name. */
  attempt?: number;
  /** Look for an existing replica of this job's name before creating (set by re-runs). */
  lookupExisting?: boolean;
  /** Heartbeat timeout of the long-poll activity; default 2 minutes. */
  pollHeartbeatTimeoutMs?: number;
  /** Task queue of the Replicas API activities; default `replica-fleet-api`. */
  apiTaskQueue?: string;
  /** Campaign to report the result to (by workflow id, so its continue-as-new is safe). */
  reportTo?: string;
}

export interface ReplicaJobResult {
  itemKey: string;
  /** The input's `attempt` (1 unless re-run), so a late report of an earlier run is told apart. */
  attempt: number;
  replicaId?: string;
  state: JobState;
  prs: PullRequestRef[];
  /** Turns that finished (the initial message counts as one). */
  turns: number;
  error?: string;
  startedAt: string;
  endedAt: string;
  /** Whether the replica was deleted at the end (per cleanup policy). */
  deleted: boolean;
}

/** What the `state` query answers while the job runs. */
export interface ReplicaJobStatus {
  itemKey: string;
  phase: JobPhase;
  replicaId?: string;
  replicaStatus?: string;
  prs: PullRequestRef[];
  turns: number;
  lastError?: string;
  eventsReceived: number;
}

export const JOB_DEFAULTS = {
  turnTimeoutMs: 2 * 60 * 60 * 1000,
  jobTimeoutMs: 24 * 60 * 60 * 1000,
  pollIntervalMs: 30_000,
  webhookSafetyPollMs: 10 * 60 * 1000,
  maxWakeAttempts: 3,
  pollHeartbeatTimeoutMs: 2 * 60 * 1000,
  apiTaskQueue: 'replica-fleet-api',
} as const;
