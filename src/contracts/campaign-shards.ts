/**
 * What a campaign and its shards tell each other. The campaign owns the spec, the global window
 * (concurrency, pacing, budget), the rollout and the aggregate counts; each shard owns up to a few
 * thousand item records, starts their jobs within what the campaign grants it, and reports counts.
 */
import type {
  ApplySummary,
  CampaignItem,
  CampaignSpec,
  ItemCounts,
  ItemEvent,
  ItemOutcomes,
  JobTemplate,
  KeptReplica,
} from './campaign';
import type { FixSettings } from './fix-turns';
import type { PullRequestCounts, PullRequestSettings, TrackingSettings } from './tracking';

/** The spec of an apply without its items (they follow in chunks, already routed to shards). */
export type CampaignHeader = Omit<CampaignSpec, 'items'>;

/** An item as the campaign routes it to its shard. */
export interface RoutedItem extends CampaignItem {
  /** Position in the spec (first apply) or after it (later additions): orders starts and waves. */
  ordinal: number;
  wave: number;
  /** Set when the item cannot run (e.g. its repository has no environment): recorded as skipped. */
  skipReason?: string;
}

/**
 * Starts a shard may make while they are rationed (a budget, pacing): `allowance` starts within quota
 * window `window`, before `untilMs` (pacing windows end; a budget's window does not).
 */
export interface StartQuota {
  window: number;
  allowance: number;
  untilMs?: number;
}

/** What a shard may start now. Sent by the campaign whenever it changes. */
export interface ShardGrant {
  /** Increases with every grant; the shard reports the last it applied. */
  seq: number;
  /** Items the shard may have running at once. */
  slots: number;
  /** Absent: starts are not rationed. */
  quota?: StartQuota;
  /** Items of waves up to this one may start. */
  openWave: number;
  /** No new starts at all (paused, awaiting approval, stopped); running items carry on. */
  halted: boolean;
  /**
   * The shard's latest report with new failures that the campaign has judged against the failure
   * threshold: a shard that saw a failure starts nothing until its report is judged.
   */
  judged?: number;
  /**
   * With a budget: the fix turns the shard may have sent in all, over every PR (it only grows). Absent:
   * no limit but `maxFixTurns`.
   */
  fixTurnsUpTo?: number;
}

/** The settings every job of the campaign shares, as the shard needs them to start one. */
export interface ShardJobSettings {
  job: JobTemplate;
  /** A failure threshold applies: after a failure, wait until the campaign judged it before starting more. */
  awaitVerdicts?: boolean;
  apiTaskQueue?: string;
  estimatedMinutesPerItem: number;
  /** At most one progress report this often while items end (`reportEveryMsFor`); absent in older runs. */
  reportEveryMs?: number;
  /** Follow the items' PRs on the code host (absent: not followed, as in older runs). */
  tracking?: TrackingSettings;
  /** Labels, reviewers, draft … applied to each PR once it is followed. */
  pullRequest?: PullRequestSettings;
  /** The fix loop (`pullRequests` in the spec); absent: no fix turns, as in older runs. */
  fixes?: FixSettings;
}

export type ShardCommand =
  | {
      kind: 'items';
      requestId: string;
      applyId: number;
      items: RoutedItem[];
      /** Re-run failed and timed-out items among these. */
      retryFailed: boolean;
      /** `add-items`: existing keys are left exactly as they are. */
      addOnly: boolean;
    }
  | { kind: 'settings'; requestId: string; settings: ShardJobSettings }
  | { kind: 'retry'; requestId: string }
  | { kind: 'prune'; requestId: string; applyId: number }
  | { kind: 'cancel'; requestId: string }
  /** These kept replicas are gone (`campaign cleanup`): the records stop naming them as kept. */
  | { kind: 'released'; requestId: string; replicas: KeptReplica[] }
  | { kind: 'close'; requestId: string };

/** One wave's items in one shard, by what matters for rollout decisions. */
export interface WaveCounts {
  pending: number;
  running: number;
  succeeded: number;
  /** Failed or timed out: what the failure threshold counts. */
  failed: number;
  /** Cancelled or skipped. */
  other: number;
}

/** A shard's state as the campaign aggregates it; absolute values, so a lost or late report is harmless. */
export interface ShardReport {
  index: number;
  /** Increases with every report: an older one arriving late is ignored. */
  seq: number;
  counts: ItemCounts;
  /** Indexed by wave. */
  waves: WaveCounts[];
  /** The last grant applied. */
  grantSeq: number;
  /** Quota window of the starts counted in `startsInWindow`. */
  window: number;
  startsInWindow: number;
  /** Every run's cost so far, running ones by elapsed time (older shards: finished runs only). */
  spentUsd: number;
  /** What running items add if they run their expected duration (older shards: max(elapsed, expected)). */
  runningProjectedUsd: number;
  prsOpened: number;
  /** Absent in reports of older shards. */
  outcomes?: ItemOutcomes;
  /** Present when the shard follows its PRs. */
  pullRequests?: PullRequestCounts;
  trackingProblem?: string;
  /** Item events since the last report, newest last. */
  recent: ItemEvent[];
  /** The shard saw a failure and starts nothing until the campaign judged this report. */
  awaitingVerdict?: boolean;
  /** PRs whose fix turn is due but waits for the campaign's budget to grant one (`fixTurnsUpTo`). */
  fixTurnsWanted?: number;
}

export interface ShardAck {
  requestId: string;
  index: number;
  summary: ApplySummary & { requeued: number };
  report: ShardReport;
}

/** The answer to the first update of an apply: where to send the items. */
export interface ApplyTicket {
  applyId: number;
  shardCount: number;
  /** Ordinals reserved for this apply's items: `ordinalBase + index in the spec`. */
  ordinalBase: number;
  /** Whether this apply created the campaign. */
  created: boolean;
}
