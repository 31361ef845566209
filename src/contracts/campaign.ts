import type { Workflow, WorkflowResultType } from '@temporalio/common';
import type { ItemState } from './enums';
import type { EndedJob } from './job-outcome';
import type { ReplicaJobInput, ReplicaJobResult } from './replica-job';
import type { FixSettings } from './fix-turns';
import type { PullRequestCounts, PullRequestSettings, TrackedChange, TrackingBlock } from './tracking';

/** One target of a campaign: one replica on one environment. */
export interface CampaignItem {
  /** Unique within the campaign; part of the child workflow id and the replica name. */
  key: string;
  environmentId: string;
  repository?: string;
  /** Per-item template variables: `{{vars.name}}` in the message. */
  vars?: Record<string, string>;
  /**
   * A pull request opened elsewhere (`campaign import-prs`): the item's change from the start, followed
   * like the agents' PRs; no agent runs for it.
   */
  importedPullRequest?: string;
}

/** What two campaigns must not both work on: the item's repository, else its environment. */
export function targetOf(item: Pick<CampaignItem, 'repository' | 'environmentId'>): string {
  return item.repository ?? `environment ${item.environmentId}`;
}

/** Resolve items from the organisation's repositories instead of listing them. */
export interface CampaignTargets {
  /** Glob over repository names, e.g. `acme/*-service`. */
  repositories: string;
  /** Environment to copy (as `source_environment_id`) for repositories that have none bound. */
  templateEnvironmentId?: string;
}

export interface FailureThreshold {
  /** Stop starting items once failed (incl. timed out) / finished exceeds this percentage… */
  percent: number;
  /** …and at least this many items have finished. */
  minFinished: number;
}

/** Job settings shared by every item (the message is a template). */
export type JobTemplate = Pick<
  ReplicaJobInput,
  | 'message'
  | 'followUps'
  | 'codingAgent'
  | 'model'
  | 'thinkingLevel'
  | 'size'
  | 'lifecyclePolicy'
  | 'cleanup'
  | 'workspaceConfig'
  | 'turnTimeoutMs'
  | 'jobTimeoutMs'
  | 'webhooks'
  | 'pollIntervalMs'
  | 'webhookSafetyPollMs'
  | 'lookAfterMs'
  | 'maxWakeAttempts'
>;

/**
 * Staged rollout: the first `canary` items run alone, then each wave opens up to a cumulative share of
 * the items (`"25%"`) or a count; with `approval`, each next wave waits for `campaign approve`.
 */
export interface RolloutSpec {
  canary?: number;
  waves?: (number | `${number}%`)[];
  approval?: boolean;
}

/** A validated campaign spec, as the CLI hands it to the workflow (see `src/campaign-client/spec.ts`). */
export interface CampaignSpec {
  /** Human name (the spec file's `name`, or its file name), shown in lists and the Temporal UI. */
  name?: string;
  job: JobTemplate;
  items?: CampaignItem[];
  targets?: CampaignTargets;
  /** Children in flight at once across the whole campaign (1–500, default 10). */
  concurrency?: number;
  failureThreshold?: FailureThreshold;
  /** Projected spend (USD) the campaign may not exceed when starting items. */
  budgetUsd?: number;
  /** Minutes an item is expected to run, for budget projections (default 30). */
  estimatedMinutesPerItem?: number;
  /** Rollout pacing: at most this many starts per minute, across the whole campaign. */
  startsPerMinute?: number;
  rollout?: RolloutSpec;
  /** How long a finished campaign stays open for retries and additions before it closes (default 7 days). */
  retentionMs?: number;
  /** Items per shard workflow when the campaign is created (default 1,000); fixed for its life. */
  itemsPerShard?: number;
  /** Task queue of the Replicas API activities. */
  apiTaskQueue?: string;
  /**
   * Follow each item's PR on the code host until it is merged or closed; `false`: the spec turned it
   * off; absent: on when the CLI that applies it has a code host configured (`campaign apply`).
   */
  tracking?: TrackingBlock | false;
  /** Labels, reviewers, assignees, draft, title prefix and body footer for each PR (needs tracking). */
  pullRequest?: PullRequestSettings;
  /** Who answers a PR that is not mergeable, how often, and what the campaign's fix turns say (needs tracking). */
  fixes?: FixSettings;
}

export const CAMPAIGN_STATES = [
  'running',
  'paused',
  'awaiting_approval',
  'tracking',
  'finished',
  'cancelled',
  'closed',
] as const;
/**
 * `running` → `tracking` (every item done, some PRs still open on the code host) → `finished` (nothing
 * pending or running, every PR merged or closed; still open for retry, add, resume, apply) →
 * `closed` (by `campaign close`, or after the retention period idle). `paused` and
 * `awaiting_approval` hold new starts; `cancelled` ends every item.
 */
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** Why a campaign starts no new items. Typed, so callers branch on `kind`, never on text. */
export type StopReason =
  | { kind: 'cancelled' }
  | { kind: 'failure_threshold'; wave: number; failed: number; finished: number; percent: number }
  | { kind: 'budget'; budgetUsd: number; projectedUsd: number }
  | { kind: 'rejected'; wave: number };

/** One line for people: `failure threshold: 3 of 5 finished items failed in wave 1 (limit 40%)`. */
export function describeStopReason(reason: StopReason): string {
  switch (reason.kind) {
    case 'cancelled':
      return 'cancelled';
    case 'failure_threshold':
      return `failure threshold: ${reason.failed} of ${reason.finished} finished items failed in wave ${reason.wave} (limit ${reason.percent}%)`;
    case 'budget':
      return `budget: the next item would take the projected spend ($${reason.projectedUsd.toFixed(2)}) past $${reason.budgetUsd}`;
    case 'rejected':
      return `rollout rejected at wave ${reason.wave}`;
  }
}

/** One line for the Temporal UI's details: `running: 40/100 done, 10 running, 2 failed, 30 PRs`. */
export function describeProgress(p: CampaignProgress): string {
  const { counts } = p;
  const done = counts.succeeded + counts.failed + counts.timed_out + counts.cancelled + counts.skipped;
  const reason = p.stopReason ? ` — ${describeStopReason(p.stopReason)}` : '';
  return `${p.state}: ${done}/${p.total} done, ${counts.running} running, ${counts.failed + counts.timed_out} failed, ${p.prsOpened} PRs${reason}`;
}

/** Items per state. */
export type ItemCounts = Record<ItemState, number>;

/** Counts of outcomes that need a second look, beside the states. */
export interface ItemOutcomes {
  /** Succeeded, but no run opened a PR (the agent found nothing to change, or said so). */
  succeededWithoutPr: number;
  /** Failed or timed out with a PR open from one of its runs: work exists that no run finished. */
  failedWithPr: number;
}

/** Filters over records beyond their state, for `results --state`. */
export const ITEM_OUTCOME_FILTERS = ['succeeded-without-pr', 'failed-with-pr'] as const;
export type ItemOutcomeFilter = (typeof ITEM_OUTCOME_FILTERS)[number];

/** Which outcome filter a record matches, if any: the one rule every view and count uses. */
export function outcomeOf(record: Pick<ItemRecord, 'state' | 'prs'>): ItemOutcomeFilter | undefined {
  const hasPr = (record.prs?.length ?? 0) > 0;
  if (record.state === 'succeeded' && !hasPr) return 'succeeded-without-pr';
  if ((record.state === 'failed' || record.state === 'timed_out') && hasPr) return 'failed-with-pr';
  return undefined;
}

/** What the campaign keeps per item: compact, because thousands of them live in one shard's state. */
export interface ItemRecord {
  key: string;
  state: ItemState;
  /** Run of this item (2, 3, … after retries); each run has its own replica. */
  attempt: number;
  repository?: string;
  /** Rollout wave the item belongs to (0 = canary, or the only wave). */
  wave?: number;
  replicaId?: string;
  branch?: string;
  /** Every PR any run of this item opened, oldest first: none is ever dropped. */
  prs?: string[];
  /** The item's change: the PR its runs work on (a retry continues it instead of opening another). */
  pullRequest?: string;
  /** The change was opened elsewhere and imported (`campaign import-prs`): no agent ran for it. */
  imported?: boolean;
  /** That PR as the code host last told it (state, checks, review, mergeability), when tracked. */
  change?: TrackedChange;
  error?: string;
  /** Turns delivered to the agent over every run (the instruction and each follow-up count one). */
  turns?: number;
  /** Epoch milliseconds the current run started and ended (progress-over-time charts use them). */
  startedAtMs?: number;
  endedAtMs?: number;
  /** Set when the state alone hides what happened: succeeded without a PR, failed with one. */
  outcome?: ItemOutcomeFilter;
  /** What every finished run of this item cost, added up (a retry adds to it, never replaces it). */
  costUsd?: number;
  /** Start of the agent's last message, kept when the job ends (the full text: `campaign item`). */
  lastMessage?: string;
  /** The replica outlived its job (cleanup `keep` or `after-merge`, or a failure under `delete-on-success`). */
  replicaKept?: boolean;
  /** Replicas that earlier runs of this item kept (a retry runs on a new one); cleanup deletes them too. */
  earlierReplicas?: string[];
}

/** A kept replica of an item, named by `campaign cleanup` once it is gone. */
export interface KeptReplica {
  key: string;
  replicaId: string;
}

/** Something that happened to an item, for live views (`campaign watch`). */
export interface ItemEvent {
  atMs: number;
  key: string;
  kind: 'started' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'skipped' | 'retried' | 'fix-turn';
  /** PR URLs for `succeeded`, the error for failures, what became of a fix turn. */
  detail?: string;
}

export interface RolloutProgress {
  /** The wave now open (0 = canary when there is one). */
  wave: number;
  waves: number;
  awaitingApproval: boolean;
}

/** What `campaign status` shows: the campaign's aggregate view, kept current by its shards. */
export interface CampaignProgress {
  campaignId: string;
  name?: string;
  state: CampaignState;
  total: number;
  counts: ItemCounts;
  prsOpened: number;
  /** Outcomes a state alone hides: succeeded items that opened no PR, failed items that left one. */
  outcomes?: ItemOutcomes;
  /**
   * The items' PRs on the code host, when the campaign follows them, with the share of them merged
   * (`mergedShare`: merged / PRs opened, 0–1, once a PR was read).
   */
  pullRequests?: PullRequestCounts & { mergedShare?: number };
  /** Why PRs are not followed although the campaign asked (no code host on the worker). */
  trackingProblem?: string;
  startedAt: string;
  finishedAt?: string;
  /** When an idle finished campaign closes itself. */
  closesAt?: string;
  concurrency: number;
  stopReason?: StopReason;
  /**
   * Cost of every run so far: finished, failed, cancelled and retried runs, fix turns, and running
   * ones by their elapsed minutes. It never goes down.
   */
  spentUsd: number;
  /** Spent plus what running items will cost if they run their expected duration. */
  projectedUsd: number;
  budgetUsd?: number;
  rollout?: RolloutProgress;
  shards: number;
  /** The latest item events, newest last. */
  recent: ItemEvent[];
}

/**
 * The failure type of an apply chunk the campaign refused because it is about to continue as new (its
 * history is full): the sender waits a moment and sends the same chunk again, to the new run.
 */
export const CAMPAIGN_CONTINUING_AS_NEW = 'CampaignContinuingAsNew';

/** What one `apply` did, by item key. */
export interface ApplySummary {
  added: number;
  kept: number;
  retried: number;
  pruned: number;
  /** Items not started yet whose message or settings changed with the spec. */
  updated: number;
}

export const emptyApplySummary = (): ApplySummary => ({
  added: 0,
  kept: 0,
  retried: 0,
  pruned: 0,
  updated: 0,
});

/** Adds what one delivery did to a running total. */
export function addApplySummary(total: ApplySummary, more: ApplySummary): void {
  for (const key of Object.keys(total) as (keyof ApplySummary)[]) total[key] += more[key];
}

export interface ResultsPage {
  offset: number;
  total: number;
  records: ItemRecord[];
}

/** Items of a `targets` campaign; a repository that cannot run carries why. */
export interface ResolvedTargets {
  items: (CampaignItem & { skipReason?: string })[];
  /** Matching repositories in all (the page is `offset` … `offset + limit`). */
  total: number;
}

/** Activities the campaign workflow calls (on the rate-limited API task queue). */
export interface CampaignActivities {
  /**
   * One page of the repositories whose name matches the glob, each on an environment bound to it: an
   * existing one, or one created from the template (idempotent by name); without either, skipped.
   */
  resolveTargets(input: {
    targets: CampaignTargets;
    offset: number;
    limit: number;
  }): Promise<ResolvedTargets>;
}

/** How a job ended, as Temporal knows it, when the shard could not learn it from the child itself. */
export type JobLookup =
  | { workflowId: string; status: 'running' }
  | { workflowId: string; status: 'succeeded'; result: ReplicaJobResult }
  | ({ workflowId: string; status: 'ended' } & EndedJob);

/** Activities on the workflow task queue that ask Temporal itself (no Replicas API calls). */
export interface TemporalLookupActivities {
  /** Each job's status; for closed ones their result, or how they ended (terminated, timed out …). */
  describeJobs(workflowIds: string[]): Promise<JobLookup[]>;
  /**
   * The result of the latest closed run of a workflow id (a campaign or a shard applied again after it
   * was closed), or null when it never closed. `W` is the workflow that id runs, as for a handle.
   */
  previousResult<W extends Workflow>(workflowId: string): Promise<WorkflowResultType<W> | null>;
}
