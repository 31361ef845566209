import type { ItemState } from './enums';
import type { ReplicaJobInput } from './replica-job';

/** One target of a campaign: one replica on one environment. */
export interface CampaignItem {
  /** Unique within the campaign; part of the child workflow id and the replica name. */
  key: string;
  environmentId: string;
  repository?: string;
  /** Per-item template variables: `{{vars.name}}` in the message. */
  vars?: Record<string, string>;
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
  | 'turnTimeoutMs'
  | 'jobTimeoutMs'
  | 'webhooks'
  | 'pollIntervalMs'
  | 'webhookSafetyPollMs'
  | 'maxWakeAttempts'
>;

/** A validated campaign spec, as the CLI hands it to the workflow (see `src/campaign/spec.ts`). */
export interface CampaignSpec {
  job: JobTemplate;
  items?: CampaignItem[];
  targets?: CampaignTargets;
  /** Children in flight at once (1–500, default 10). */
  concurrency?: number;
  failureThreshold?: FailureThreshold;
  /** Projected spend (USD) the campaign may not exceed when starting items. */
  budgetUsd?: number;
  /** Minutes an item is expected to run, for budget projections (default 30). */
  estimatedMinutesPerItem?: number;
  /** Rollout pacing: at most this many starts per minute. */
  startsPerMinute?: number;
  /** Task queue of the Replicas API activities. */
  apiTaskQueue?: string;
}

/** What the campaign keeps per item: compact, because it is carried across continue-as-new. */
export interface ItemRecord {
  key: string;
  state: ItemState;
  attempt: number;
  replicaId?: string;
  prs?: string[];
  error?: string;
  turns?: number;
  durationMs?: number;
  costUsd?: number;
  /** Workflow time the current run started, for running cost estimates. */
  startedAtMs?: number;
}

/** The state one run hands to the next (continue-as-new). */
export interface CampaignCarry {
  items: CampaignItem[];
  records: ItemRecord[];
  startedAt: string;
  paused: boolean;
  cancelled: boolean;
  concurrency: number;
  stopReason?: string;
  recentStarts: number[];
  runs: number;
}

export interface CampaignInput {
  spec: CampaignSpec;
  carry?: CampaignCarry;
}

export interface CampaignProgress {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  timedOut: number;
  skipped: number;
  prsOpened: number;
  startedAt: string;
  paused: boolean;
  concurrency: number;
  /** Why no new items start (cancel, failure threshold, budget), when that is the case. */
  stopReason?: string;
  /** Spend so far (finished items) plus running items at the expected duration, in USD. */
  estimatedCostUsd: number;
  /** Runs of this campaign so far (continue-as-new count + 1). */
  runs: number;
}

export interface ResultsPage {
  offset: number;
  total: number;
  records: ItemRecord[];
}

export interface CampaignResult {
  summary: CampaignProgress;
  records: ItemRecord[];
}

/** Activities the campaign workflow calls (on the rate-limited API task queue). */
export interface CampaignActivities {
  /**
   * Items for every repository whose name matches the glob, each on an environment bound to it: an
   * existing one, or one created from the template (idempotent by name).
   */
  resolveTargets(targets: CampaignTargets): Promise<CampaignItem[]>;
}
