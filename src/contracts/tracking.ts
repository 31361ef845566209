/**
 * What a campaign knows of an item's change on the code host once its PR exists: the PR's state,
 * checks, review and mergeability, and when it opened, first went green, was approved, merged or
 * closed. Plain data: it rides in shard state and workflow history.
 */
import type {
  CheckVerdict,
  ChecksSummary,
  DecorationChange,
  Mergeability,
  PullRequestDecoration,
  PullRequestLifecycle,
  PullRequestReading,
  ReviewState,
} from './code-host';
import type { FixTurn } from './fix-turns';
import type { ActionOutcome, ActionState, PullRequestAction } from './pull-request-actions';

/** One check's latest verdict on the head commit, with what a delivery told of it. */
export interface CheckState {
  verdict: CheckVerdict;
  id?: number;
  title?: string;
  summary?: string;
  url?: string;
}

export interface TrackedChange {
  /** Where the PR lives now (a transferred repository moves it). */
  url: string;
  nodeId?: string;
  lifecycle: PullRequestLifecycle;
  draft: boolean;
  headSha: string;
  /** The branch the PR merges into, once read. */
  baseBranch?: string;
  checks: ChecksSummary['state'];
  /** Names of the failing checks, when there are any. */
  failingChecks?: string[];
  review: ReviewState;
  mergeability: Mergeability;
  openedAt: string;
  firstGreenAt?: string;
  approvedAt?: string;
  mergedAt?: string;
  closedAt?: string;
  /**
   * The latest verdict of each check on the head commit, by name: webhooks change one check at a
   * time. `id` (GitHub's check-run or status id) is known from deliveries, not from readings.
   */
  checkStates?: Record<string, CheckState>;
  /** Reviewers' verdicts heard by webhook since the last reading (the review decision follows them). */
  reviewers?: Record<string, { verdict: 'approved' | 'changes-requested'; id: number }>;
  /** Reviews requesting changes heard by webhook, with what each reviewer wrote (a fix turn quotes them). */
  changeRequests?: { reviewer: string; id: number; body?: string }[];
  /** The host's `updatedAt` of the PR when last told: older `pull_request` deliveries change nothing. */
  hostUpdatedAt?: string;
  /** Epoch ms of the last reading. */
  readAtMs: number;
  /** Why the PR could not be read (deleted repository, another host …): shown on the item. */
  problem?: string;
  /** Tracking gave up after `tracking.maxDays` with the PR still open. */
  expired?: boolean;
  /** The campaign's `pullRequest` block was applied (labels, reviewers …): once per PR. */
  decorated?: boolean;
  /** `campaign prs --mark-ready` asked for this draft to be marked ready; cleared once it is. */
  readyRequested?: boolean;
  /** The campaign's fix turns on this PR, oldest first (`pullRequests.fixes: campaign`). */
  fixTurns?: FixTurn[];
  /** Why the fix loop stopped short of a mergeable PR, e.g. "3 fix turns used; checks still failing: lint". */
  stopReason?: string;
  /** The latest bulk action on this PR (`campaign merge`, `close-prs`, `comment`) and where it stands. */
  action?: ActionState;
}

/** How a campaign's PRs stand, as `--json` prints it: by state, and the open ones by checks and review. */
export interface PullRequestCounts {
  open: number;
  draft: number;
  merged: number;
  closed: number;
  checksFailing: number;
  checksPending: number;
  checksPassing: number;
  approved: number;
  changesRequested: number;
  /** Still open when tracking gave up (`tracking.maxDays`); not counted as open. */
  expired?: number;
  /** Fix turns the campaign sent its agents, over every PR (`pullRequests.fixes: campaign`). */
  fixTurns?: number;
  /** Open PRs the fix loop stopped on without making them mergeable (each item says why). */
  fixStopped?: number;
  /** Fix turns running now. */
  fixRunning?: number;
  /** PRs by where their latest bulk action stands. */
  actionsPending?: number;
  actionsDone?: number;
  actionsRefused?: number;
  actionsFailed?: number;
}

/** Every PR the counts hold: open, draft, merged, closed, and those no longer followed. */
export function pullRequestsOpened(counts: PullRequestCounts): number {
  return counts.open + counts.draft + counts.merged + counts.closed + (counts.expired ?? 0);
}

/**
 * What share of the PRs opened has merged, 0–1 to a thousandth (how users measure a campaign);
 * undefined before any PR was read.
 */
export function mergedShare(merged: number, opened: number): number | undefined {
  return opened === 0 ? undefined : Math.round((merged / opened) * 1000) / 1000;
}

/** How a campaign follows its PRs (set when a code host is configured). */
export interface TrackingSettings {
  /** Between two reconcile sweeps over GraphQL (default 10 min; shorter without webhooks). */
  sweepMs: number;
  /** A PR still open this long after its item ended is no longer followed (default 30 days). */
  maxDays: number;
  /**
   * Once items stop running, PR news reaches the campaign's counts at most this often (default 30 s):
   * every report is a Temporal action twice over. `campaign prs` reads the shards live meanwhile.
   */
  reportMs?: number;
}

/** How an item says its draft could not be marked ready (`campaign prs --mark-ready`). */
export const MARK_READY_REFUSED = 'could not mark the PR ready for review';

export const TRACKING_DEFAULTS: TrackingSettings = { sweepMs: 10 * 60_000, maxDays: 30 };

/** The sweep where no GitHub webhook reaches the ingress: the sweep alone keeps the states fresh. */
export const SWEEP_WITHOUT_WEBHOOKS_MS = 2 * 60_000;

/** Between two reports of PR news alone, when the spec names none (`tracking.reportSeconds`). */
export const TRACKING_REPORT_MS = 30_000;

/**
 * A spec's tracking block: the sweep stays unset unless the spec chose one, so where the campaign is
 * applied can pick it (shorter without webhooks).
 */
export type TrackingBlock = Omit<TrackingSettings, 'sweepMs'> & { sweepMs?: number };

/** The settings a campaign's shards follow PRs by: a sweep the spec left unset is the default one. */
export function trackingSettingsOf(block: TrackingBlock): TrackingSettings {
  return { ...block, sweepMs: block.sweepMs ?? TRACKING_DEFAULTS.sweepMs };
}

/**
 * The PR as the campaign wants it, applied through the code host once the agent's PR opens. The body
 * footer names the campaign and the item (`{{campaign}}`, `{{item.key}}`), so the PR links back.
 */
export type PullRequestSettings = PullRequestDecoration;

/** The footer of a PR's body when the spec gives none. */
export const DEFAULT_PR_FOOTER = 'Part of replica-fleet campaign `{{campaign}}` (item `{{item.key}}`).';

/** The decoration of one item's PR: the footer rendered for its campaign and item. */
export function decorationFor(
  settings: PullRequestSettings,
  campaignId: string,
  itemKey: string,
): PullRequestDecoration {
  const footer = (settings.bodyFooter ?? DEFAULT_PR_FOOTER)
    .replace(/\{\{\s*campaign\s*\}\}/g, campaignId)
    .replace(/\{\{\s*item\.key\s*\}\}/g, itemKey);
  return { ...settings, bodyFooter: footer };
}

/** Activities that read the code host, on the API task queue. */
export interface CodeHostActivities {
  /**
   * Reads these PRs (batched by the adapter, a hundred per query). `configured: false` when the worker
   * has no code host: the campaign then says so on each item instead of asking again and again.
   */
  readChanges(
    handles: { url: string; nodeId?: string }[],
  ): Promise<{ configured: boolean; readings: PullRequestReading[] }>;
  /** Applies the campaign's decoration to one PR; idempotent (reads first, adds what is missing). */
  decorateChange(
    handle: { url: string; nodeId?: string },
    decoration: PullRequestDecoration,
  ): Promise<DecorationChange[]>;
  /** Marks a draft ready for review; one already ready is left alone, so a retry changes nothing. */
  markChangeReady(handle: { url: string; nodeId?: string }): Promise<void>;
  /**
   * One PR's part in a bulk action, on the code-host writes queue (GitHub's content limits). A retry
   * checks first whether the earlier attempt landed (merged, commented), so nothing is done twice.
   */
  actOnChange(
    handle: { url: string; nodeId?: string },
    action: PullRequestAction,
    context: { actionId: string; headSha: string },
  ): Promise<ActionOutcome>;
}
