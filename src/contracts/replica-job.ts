/**
 * The replica job's vocabulary: its input and result, what its `state` query answers, the snapshot a
 * look at the replica yields, and the activities it calls. Pure code only: the workflow bundle includes it.
 */
import type {
  CleanupPolicy,
  CodingAgent,
  JobPhase,
  JobState,
  LifecyclePolicy,
  ReplicaSize,
  ThinkingLevel,
} from './enums';
import type { PullRequestRef } from './pull-requests';

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
  /** What happens to the replica when the job ends; default `delete-on-success`. */
  cleanup?: CleanupPolicy;
  /** Per-workspace behaviour sent as the API's `config`; what is unset keeps the platform's default. */
  workspaceConfig?: WorkspaceConfig;
  /** Per turn; default 2 hours. */
  turnTimeoutMs?: number;
  /** Whole job; default 24 hours. */
  jobTimeoutMs?: number;
  /** Use webhooks when the worker has a public ingress URL (default true). */
  webhooks?: boolean;
  /** Polling interval when no webhook can arrive; default 30 s. */
  pollIntervalMs?: number;
  /** Longest interval between looks while webhooks are expected (the safety net); default 5 min. */
  webhookSafetyPollMs?: number;
  /** First look at the replica after a turn starts, even with webhooks (a sleep sends none); default 20 s. */
  lookAfterMs?: number;
  /** Wake-and-resend attempts for a follow-up that meets a sleeping workspace; default 3. */
  maxWakeAttempts?: number;
  /** Run of this item within its campaign (retryFailed makes 2, 3, …); each run gets its own replica name. */
  attempt?: number;
  /** Look for an existing replica of this job's name before creating (set by re-runs). */
  lookupExisting?: boolean;
  /** A re-run of an item whose earlier run opened a PR: this run continues that change. */
  continueChange?: ContinueChange;
  /**
   * A fix turn on the item's PR (1, 2, …): the message goes as it is to the kept workspace of
   * `continueChange`, woken if asleep; when that workspace is gone the job fails instead of creating one.
   */
  fixTurn?: number;
  /** Heartbeat timeout of the long-poll activity; default 30 s. */
  pollHeartbeatTimeoutMs?: number;
  /** Heartbeat timeout of every other API call: how soon a call on a dead worker is retried; default 15 s. */
  apiHeartbeatTimeoutMs?: number;
  /** Task queue of the Replicas API activities; default `replica-fleet-api`. */
  apiTaskQueue?: string;
}

/**
 * The workspace `config` a spec may set, in the project's words (the API's `capabilities.pr_followups`,
 * `preferences.keep_open_on_pr_merge`, `preferences.keep_open_on_pr_close`). Replicas defaults
 * `prFollowups` to true for API-created workspaces (it answers CI failures and review comments on their
 * PRs) and closes a workspace once its tracked PR merges or closes unless told to keep it open.
 */
export interface WorkspaceConfig {
  prFollowups?: boolean;
  keepOpenOnPrMerge?: boolean;
  keepOpenOnPrClose?: boolean;
}

/** The change an earlier run of the item left: the re-run works on it instead of opening another. */
export interface ContinueChange {
  pullRequest: string;
  branch?: string;
  /** The workspace the earlier run kept: continued there when it still lives (woken if asleep). */
  replicaId?: string;
  /** How the earlier run ended, told to the agent. */
  previousError?: string;
}

/** The job workflow's signature, for typed handles where the workflow itself cannot be imported. */
export type ReplicaJobWorkflowType = (input: ReplicaJobInput) => Promise<ReplicaJobResult>;

export interface ReplicaJobResult {
  itemKey: string;
  /** The input's `attempt` (1 unless re-run), so a late report of an earlier run is told apart. */
  attempt: number;
  replicaId?: string;
  state: JobState;
  prs: PullRequestRef[];
  /** Turns that finished (the initial message counts as one). */
  turns: number;
  /** Turns delivered to the agent, finished or not (absent in results of older jobs: `turns`). */
  turnsStarted?: number;
  error?: string;
  startedAt: string;
  endedAt: string;
  /** Whether the replica was deleted at the end (per cleanup policy). */
  deleted: boolean;
  /** The agent's last answer, shortened, when the job ended without a PR (the evidence of why). */
  lastMessage?: string;
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
  workspaceConfig?: WorkspaceConfig;
  /** Register the ingress as `webhook_url` (only when a public ingress URL is configured). */
  webhooks: boolean;
  /** Look for a replica with this name before creating (re-runs); retried attempts always look. */
  lookupExisting: boolean;
  /** No replica of this name can be older (epoch ms, with clock-skew margin): the lookup stops there. */
  notBeforeMs: number;
}

export interface CreateReplicaOutput {
  replicaId: string;
  status: string;
  /** True when an existing replica of this name was adopted instead of creating one. */
  adopted: boolean;
  /** False when no public ingress URL is configured: the workflow then relies on polling alone. */
  webhookRegistered: boolean;
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

/** The last message the agent wrote, shortened: kept in the item's record as evidence. */
export const LAST_MESSAGE_LENGTH = 280;

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
  /** Identifies this turn's message (sent as its sender id), so a retried send can find it. */
  marker: string;
  /** Check whether the message already landed before sending (an earlier send of it was ambiguous). */
  verifyFirst: boolean;
  /** When this turn's first send was attempted (epoch ms): older messages are not this one. */
  sinceMs: number;
}

export interface SendMessageOutput {
  status: 'sent' | 'queued' | 'waking' | string;
  chatId?: string;
  /** The platform already had this message (an earlier attempt's answer was lost); nothing was sent. */
  alreadyDelivered: boolean;
}

export interface LookAndFinishInput {
  replicaId: string;
  /** The job asked the platform to delete the workspace when done (`delete_when_done`). */
  deletedMeansDone: boolean;
  /** Whether the cleanup policy deletes the replica of a successful job. */
  deleteOnSuccess: boolean;
  /** PRs the job already knows from webhooks: with none, the agent's last answer is kept as evidence. */
  knownPullRequests: number;
}

export interface LookAndFinishOutput {
  snapshot: ReplicaSnapshot;
  /** Set when the look found the turn over and the job finished: evidence kept, replica cleaned up. */
  finished?: { deleted: boolean; lastMessage?: string };
}

/** A look at the workspace an earlier run kept, before a re-run continues on it. */
export interface ResumeReplicaOutput {
  snapshot: ReplicaSnapshot;
  /** Whether its webhooks reach this job (they were registered for the same workflow id). */
  webhookRegistered: boolean;
}

export interface ReplicaJobActivities {
  createReplica(input: CreateReplicaInput): Promise<CreateReplicaOutput>;
  /** Looks at a kept workspace a re-run may continue on; `deleted` when it is gone. */
  resumeReplica(input: {
    replicaId: string;
    workflowId: string;
    webhooks: boolean;
  }): Promise<ResumeReplicaOutput>;
  getReplicaSnapshot(replicaId: string): Promise<ReplicaSnapshot>;
  /**
   * A look at the last turn after its `replica.turn_completed` webhook that, when the turn is over,
   * finishes the job in the same activity (evidence, cleanup): one activity instead of two.
   */
  lookAndFinish(input: LookAndFinishInput): Promise<LookAndFinishOutput>;
  /** Heartbeating long poll: one activity for a whole wait instead of a timer plus an activity per GET. */
  pollReplica(input: PollInput): Promise<ReplicaSnapshot>;
  sendReplicaMessage(input: SendMessageInput): Promise<SendMessageOutput>;
  wakeReplica(replicaId: string): Promise<void>;
  /** The id of the replica with this name, if any: cleanup after a create whose outcome is unknown. */
  findReplicaByName(input: { name: string; notBeforeMs: number }): Promise<string | null>;
  /** What the agent last said (its last answer in the chat history), shortened; undefined when none. */
  lastAgentMessage(replicaId: string): Promise<string | undefined>;
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
