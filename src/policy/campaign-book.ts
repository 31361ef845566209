/**
 * A campaign's own state and rules, without Temporal: what an apply reserves, how shard reports add
 * up, when the failure threshold, the budget or a wave boundary stops new starts, what each shard may
 * start (the global window shared out), the lifecycle, and the controls. Time is passed in; the
 * campaign workflow only moves messages.
 */
import {
  CAMPAIGN_DEFAULTS,
  LIMITS,
  trackingSettingsOf,
  reportEveryMsFor,
  shardCountFor,
  shardOf,
  ratePerMinute,
  fixTurnMinutes,
  mergedShare,
  pullRequestsOpened,
  type ApplyTicket,
  type CampaignHeader,
  type CampaignItem,
  type CampaignProgress,
  type CampaignState,
  type ItemCounts,
  type ItemOutcomes,
  type PullRequestCounts,
  type ItemEvent,
  type RoutedItem,
  type ShardGrant,
  type ShardJobSettings,
  type ShardReport,
  type StopReason,
  type WaveCounts,
} from '../contracts';
import { addPullRequestCounts, emptyPullRequestCounts } from './change-tracking';
import { allocateQuota, allocateSlots, fairShares, outstandingStarts, type QuotaHolder } from './allocation';
import { emptyCounts } from './item-book';
import { waveBounds, waveOf } from './rollout';

/** Length of a pacing window: `startsPerMinute` starts are granted per window. */
export const PACING_WINDOW_MS = 60_000;

/** What the campaign knows of one shard. */
export interface ShardLedger {
  index: number;
  started: boolean;
  report?: ShardReport;
  /** The latest grant sent (seq 0: none yet). */
  grant: ShardGrant;
  /** The most slots the shard may be using: grants on their way count until a report acknowledges them. */
  heldSlots: number;
  /** The previous quota window's allowance, until a report of the current window shows what was used. */
  previousAllowance: number;
  /** The latest report with new failures, once judged against the failure threshold. */
  judged?: number;
}

/** Everything the campaign carries across continue-as-new: small, whatever the number of items. */
export interface CampaignCarry {
  header: CampaignHeader;
  /** The job settings as last applied, to tell whether an apply changed them. */
  jobKey: string;
  shardCount: number;
  nextOrdinal: number;
  /** Finite upper ordinal bounds of the waves; the last wave is unbounded. */
  waveBounds: number[];
  openWave: number;
  awaitingApproval: boolean;
  paused: boolean;
  cancelled: boolean;
  closed: boolean;
  stopReason?: StopReason;
  startedAt: string;
  finishedAtMs?: number;
  /** Every item is done but some PRs are still open on the code host: the campaign follows them. */
  tracking?: boolean;
  /** An apply or a target resolution is delivering items: counts are not final yet. */
  applying: boolean;
  applySeq: number;
  concurrency: number;
  shards: ShardLedger[];
  recent: ItemEvent[];
  quotaWindow: number;
  quotaWindowEndsMs?: number;
  /**
   * Per wave, the failed and finished counts when the user resumed after a threshold stop: the
   * threshold then judges only what finished since.
   */
  thresholdBase?: { failed: number; finished: number }[];
  runs: number;
}

export interface Aggregate {
  counts: ItemCounts;
  waves: WaveCounts[];
  startable: number;
  prsOpened: number;
  outcomes: ItemOutcomes;
  /** Present when any shard follows its PRs. */
  pullRequests?: PullRequestCounts;
  trackingProblem?: string;
  spentUsd: number;
  runningProjectedUsd: number;
}

/** What a campaign applied again after it closed keeps of its closed run, beside its shards. */
const KEPT_ON_REOPEN: readonly (keyof CampaignCarry)[] = [
  'shardCount',
  'nextOrdinal',
  'waveBounds',
  'openWave',
  'startedAt',
  'applySeq',
  'jobKey',
  'concurrency',
  'recent',
  'quotaWindow',
];

export class CampaignBook {
  /** Everything the campaign carries: read it to carry it on; change it through the methods. */
  constructor(readonly carried: CampaignCarry) {}

  static create(header: CampaignHeader, startedAt: string): CampaignBook {
    return new CampaignBook({
      header,
      jobKey: jobKey(header),
      shardCount: 0,
      nextOrdinal: 0,
      waveBounds: [],
      openWave: 0,
      awaitingApproval: false,
      paused: false,
      cancelled: false,
      closed: false,
      startedAt,
      applying: false,
      applySeq: 0,
      concurrency: header.concurrency ?? CAMPAIGN_DEFAULTS.concurrency,
      shards: [],
      recent: [],
      quotaWindow: 1,
      runs: 0,
    });
  }

  /**
   * Continues a campaign that was closed and is applied again: its shards, ordinals and waves stay
   * (so every key is found where it was); it is open again, with nothing stopped or paused.
   */
  reopen(previous: CampaignCarry): void {
    for (const field of KEPT_ON_REOPEN) Object.assign(this.carried, { [field]: previous[field] });
    this.carried.shards = previous.shards.map((s) => ({
      index: s.index,
      started: false,
      grant: { ...s.grant, slots: 0, halted: true },
      heldSlots: 0,
      previousAllowance: 0,
    }));
  }

  /** A run of the campaign workflow begins (a start or a continue-as-new): its number. */
  beginRun(): number {
    this.carried.runs += 1;
    return this.carried.runs;
  }

  /** The same book on a copy of its state: a control tried there changes nothing here. */
  copy(): CampaignBook {
    return new CampaignBook(JSON.parse(JSON.stringify(this.carried)) as CampaignCarry);
  }

  get header(): CampaignHeader {
    return this.carried.header;
  }

  get shardCount(): number {
    return this.carried.shardCount;
  }

  get isClosed(): boolean {
    return this.carried.closed;
  }

  // ---- shards ----

  /** Indexes of the shards whose workflow was started, in order. */
  startedShards(): number[] {
    return this.carried.shards.filter((s) => s.started).map((s) => s.index);
  }

  isShardStarted(index: number): boolean {
    return this.carried.shards[index]?.started ?? false;
  }

  /** Whether shard `index` is one of the campaign's and has no workflow yet. */
  needsShardStart(index: number): boolean {
    const ledger = this.carried.shards[index];
    return ledger !== undefined && !ledger.started;
  }

  markShardStarted(index: number): void {
    const ledger = this.carried.shards[index];
    if (ledger) ledger.started = true;
  }

  /** What every shard's jobs run with, as last applied. */
  shardSettings(): ShardJobSettings {
    const header = this.carried.header;
    return {
      job: header.job,
      awaitVerdicts: header.failureThreshold !== undefined,
      apiTaskQueue: header.apiTaskQueue,
      estimatedMinutesPerItem: header.estimatedMinutesPerItem ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem,
      reportEveryMs: reportEveryMsFor(this.carried.shardCount),
      ...(header.tracking && { tracking: trackingSettingsOf(header.tracking) }),
      ...(header.tracking && header.pullRequest && { pullRequest: header.pullRequest }),
      ...(header.tracking && header.fixes && { fixes: header.fixes }),
    };
  }

  // ---- applies ----

  /** Why an apply cannot proceed, if it cannot. */
  applyRefusal(): string | undefined {
    if (this.carried.closed) return 'the campaign is closed; apply under a new id';
    if (this.carried.cancelled) return 'the campaign is cancelled; apply under a new id';
    if (this.carried.applying) return 'another apply is delivering items; try again when it is done';
    return undefined;
  }

  /**
   * Starts an apply of `total` items: fixes the shard count and the waves on the first one, takes the
   * new settings (they apply to items not started yet) and reserves ordinals for the items.
   */
  beginApply(header: CampaignHeader, total: number): ApplyTicket & { settingsChanged: boolean } {
    const created = this.carried.shardCount === 0;
    if (created) {
      this.carried.shardCount = shardCountFor(total, header.itemsPerShard);
      this.carried.waveBounds = waveBounds(header.rollout, total).filter(Number.isFinite);
    }
    const settingsChanged = !created && jobKey(header) !== this.carried.jobKey;
    this.carried.header = header;
    this.carried.jobKey = jobKey(header);
    if (header.concurrency !== undefined) this.carried.concurrency = header.concurrency;
    this.carried.applySeq += 1;
    this.carried.applying = true;
    const ordinalBase = this.carried.nextOrdinal;
    this.carried.nextOrdinal += total;
    this.ensureShards();
    return {
      applyId: this.carried.applySeq,
      shardCount: this.carried.shardCount,
      ordinalBase,
      created,
      settingsChanged,
    };
  }

  /** Why an apply of `total` items cannot proceed: the campaign's state, or a total that is no count. */
  applyRequestRefusal(total: number): string | undefined {
    const counted = Number.isInteger(total) && total >= 0;
    return this.applyRefusal() ?? (counted ? undefined : `total must be a whole number, got ${total}`);
  }

  /** Why a step of apply `applyId` (a chunk, its finish) comes too late: a later apply began. */
  supersededRefusal(applyId: number): string | undefined {
    const latest = this.carried.applySeq;
    return applyId === latest ? undefined : `apply ${applyId} was superseded by apply ${latest}`;
  }

  /**
   * Why a chunk of apply `applyId` cannot go to `shard`: a superseded apply, a shard the campaign
   * does not have, too many items, or an item that hashes to another shard.
   */
  chunkRefusal(chunk: { applyId: number; shard: number; items: { key: string }[] }): string | undefined {
    const { shard, items } = chunk;
    const shardCount = this.carried.shardCount;
    const superseded = this.supersededRefusal(chunk.applyId);
    if (superseded !== undefined) return superseded;
    if (!Number.isInteger(shard) || shard < 0 || shard >= shardCount)
      return `shard must be from 0 to ${shardCount - 1}, got ${shard}`;
    if (!Array.isArray(items) || items.length > LIMITS.maxItemsPerUpdate)
      return `items must be a list of at most ${LIMITS.maxItemsPerUpdate}`;
    const stray = items.find((item) => shardOf(item.key, shardCount) !== shard);
    if (stray) return `item "${stray.key}" belongs to shard ${shardOf(stray.key, shardCount)}`;
    return undefined;
  }

  /** Why a batch of released replicas is refused: more than one update may carry. */
  releaseRefusal(replicas: unknown[]): string | undefined {
    if (!Array.isArray(replicas) || replicas.length > LIMITS.maxItemsPerUpdate)
      return `send at most ${LIMITS.maxItemsPerUpdate} replicas per update`;
    return undefined;
  }

  finishApply(): void {
    this.carried.applying = false;
  }

  /** Items as their shard receives them: with their wave. */
  route(items: (CampaignItem & { ordinal: number; skipReason?: string })[]): RoutedItem[] {
    const bounds = [...this.carried.waveBounds, Number.POSITIVE_INFINITY];
    return items.map((item) => ({ ...item, wave: waveOf(item.ordinal, bounds) }));
  }

  // ---- reports ----

  /** Takes a shard's report; an older one arriving late is ignored. */
  acceptReport(report: ShardReport): boolean {
    const ledger = this.carried.shards[report.index];
    if (!ledger || (ledger.report && ledger.report.seq >= report.seq)) return false;
    // The campaign judges the threshold on every pass, so a report that awaits a verdict has one now.
    if (report.awaitingVerdict) ledger.judged = report.seq;
    ledger.report = report;
    if (report.grantSeq >= ledger.grant.seq) ledger.heldSlots = ledger.grant.slots;
    if (report.window >= this.carried.quotaWindow) ledger.previousAllowance = 0;
    this.carried.recent = [...this.carried.recent, ...report.recent].slice(-CAMPAIGN_DEFAULTS.recentEvents);
    return true;
  }

  aggregate(): Aggregate {
    const total: Aggregate = {
      counts: emptyCounts(),
      waves: [],
      startable: 0,
      prsOpened: 0,
      outcomes: { succeededWithoutPr: 0, failedWithPr: 0 },
      spentUsd: 0,
      runningProjectedUsd: 0,
    };
    for (const { report } of this.carried.shards) {
      if (!report) continue;
      for (const [state, n] of Object.entries(report.counts)) total.counts[state as keyof ItemCounts] += n;
      report.waves.forEach((wave, w) => {
        const sum = (total.waves[w] ??= { pending: 0, running: 0, succeeded: 0, failed: 0, other: 0 });
        for (const key of Object.keys(sum) as (keyof WaveCounts)[]) sum[key] += wave[key];
      });
      total.startable += this.openPending(report);
      total.prsOpened += report.prsOpened;
      total.outcomes.succeededWithoutPr += report.outcomes?.succeededWithoutPr ?? 0;
      total.outcomes.failedWithPr += report.outcomes?.failedWithPr ?? 0;
      if (report.pullRequests)
        addPullRequestCounts((total.pullRequests ??= emptyPullRequestCounts()), report.pullRequests);
      total.trackingProblem ??= report.trackingProblem;
      total.spentUsd += report.spentUsd;
      total.runningProjectedUsd += report.runningProjectedUsd;
    }
    return total;
  }

  /**
   * A shard's pending items in open waves, from its per-wave counts: right away after a wave opens,
   * before the shard itself has heard of it.
   */
  private openPending(report: ShardReport): number {
    return report.waves.slice(0, this.carried.openWave + 1).reduce((n, wave) => n + wave.pending, 0);
  }

  // ---- decisions ----

  get halted(): boolean {
    const carried = this.carried;
    return (
      carried.paused ||
      carried.awaitingApproval ||
      carried.cancelled ||
      carried.closed ||
      carried.stopReason !== undefined
    );
  }

  get lastWave(): number {
    return this.carried.waveBounds.length;
  }

  /**
   * Applies the rules that follow from the counts: the failure threshold of each open wave, the
   * budget, opening the next wave (or awaiting approval), and when the campaign became idle.
   */
  evaluate(nowMs: number): void {
    const carried = this.carried;
    const agg = this.aggregate();
    if (!carried.cancelled && !carried.closed && carried.stopReason === undefined) {
      carried.stopReason = this.thresholdBreach(agg) ?? this.budgetExhausted(agg);
    }
    const open = agg.waves[carried.openWave];
    const waveDone = (open?.pending ?? 0) + (open?.running ?? 0) === 0;
    if (!this.halted && !carried.applying && waveDone && carried.openWave < this.lastWave) {
      if (carried.header.rollout?.approval) carried.awaitingApproval = true;
      else carried.openWave += 1;
    }
    const idle = agg.counts.running === 0 && !carried.applying && (agg.startable === 0 || this.halted);
    const prsOpen = (agg.pullRequests?.open ?? 0) + (agg.pullRequests?.draft ?? 0) > 0;
    // Done with the agents but not with their PRs: tracking, and the retention clock waits.
    carried.tracking = idle && prsOpen && !carried.cancelled;
    if (!idle || carried.tracking || carried.awaitingApproval || carried.paused) delete carried.finishedAtMs;
    else carried.finishedAtMs ??= nowMs;
  }

  private thresholdBreach(agg: Aggregate): StopReason | undefined {
    const threshold = this.carried.header.failureThreshold;
    if (!threshold) return undefined;
    for (let wave = 0; wave <= Math.min(this.carried.openWave, agg.waves.length - 1); wave += 1) {
      const counts = agg.waves[wave];
      const base = this.carried.thresholdBase?.[wave] ?? { failed: 0, finished: 0 };
      const failed = Math.max(0, (counts?.failed ?? 0) - base.failed);
      const finished = Math.max(0, (counts?.failed ?? 0) + (counts?.succeeded ?? 0) - base.finished);
      if (finished >= threshold.minFinished && (failed / finished) * 100 > threshold.percent) {
        return { kind: 'failure_threshold', wave, failed, finished, percent: threshold.percent };
      }
    }
    return undefined;
  }

  private budgetExhausted(agg: Aggregate): StopReason | undefined {
    const budgetUsd = this.carried.header.budgetUsd;
    if (budgetUsd === undefined || agg.counts.running > 0 || agg.startable === 0) return undefined;
    if (this.carried.shards.some((s) => outstandingStarts(this.quotaHolder(s)) > 0)) return undefined;
    if (this.budgetPool(agg) > 0) return undefined;
    return {
      kind: 'budget',
      budgetUsd,
      projectedUsd: agg.spentUsd + agg.runningProjectedUsd + this.perItemUsd(),
    };
  }

  private perItemUsd(): number {
    const minutes = this.carried.header.estimatedMinutesPerItem ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem;
    return ratePerMinute(this.carried.header.job.size) * minutes;
  }

  private get rationed(): boolean {
    return this.carried.header.budgetUsd !== undefined || this.carried.header.startsPerMinute !== undefined;
  }

  /** Starts the budget still allows beyond running items and starts already granted. */
  private budgetPool(agg: Aggregate): number {
    const budgetUsd = this.carried.header.budgetUsd;
    if (budgetUsd === undefined) return Number.POSITIVE_INFINITY;
    const granted = this.carried.shards.reduce((n, s) => n + outstandingStarts(this.quotaHolder(s)), 0);
    // Fix turns granted but not yet sent hold their share too (none in runs without fix-turn caps).
    const left = budgetUsd - agg.spentUsd - agg.runningProjectedUsd - this.grantedFixTurnsUsd();
    return Math.floor(left / this.perItemUsd() + 1e-9) - granted;
  }

  private pacePool(): number {
    const perMinute = this.carried.header.startsPerMinute;
    if (perMinute === undefined) return Number.POSITIVE_INFINITY;
    const granted = this.carried.shards.reduce((n, s) => n + this.allowanceNow(s), 0);
    return perMinute - granted;
  }

  private allowanceNow(ledger: ShardLedger): number {
    return ledger.grant.quota?.window === this.carried.quotaWindow ? ledger.grant.quota.allowance : 0;
  }

  private quotaHolder(ledger: ShardLedger): QuotaHolder {
    const report = ledger.report;
    const usedNow = report?.window === this.carried.quotaWindow ? report.startsInWindow : 0;
    const usedBefore = report?.window === this.carried.quotaWindow - 1 ? report.startsInWindow : 0;
    return {
      startable: this.halted || !report ? 0 : this.openPending(report),
      allowance: this.allowanceNow(ledger),
      used: usedNow,
      unreported: Math.max(0, ledger.previousAllowance - usedBefore),
    };
  }

  /** Opens the next pacing window once the current one ended (its unused starts expire). */
  rollQuotaWindow(nowMs: number): void {
    if (this.carried.header.startsPerMinute === undefined) return;
    if (this.carried.quotaWindowEndsMs !== undefined && nowMs < this.carried.quotaWindowEndsMs) return;
    for (const ledger of this.carried.shards) ledger.previousAllowance = this.allowanceNow(ledger);
    this.carried.quotaWindow += 1;
    this.carried.quotaWindowEndsMs = nowMs + PACING_WINDOW_MS;
  }

  /**
   * The grants that changed: slots, start quotas, the open wave and whether starts are halted; with
   * `fixTurnsWithinBudget` and a budget, how many fix turns each shard may have sent.
   */
  nextGrants(options: { fixTurnsWithinBudget?: boolean } = {}): { index: number; grant: ShardGrant }[] {
    const started = this.carried.shards.filter((s) => s.started);
    const holders = started.map((s) => ({
      running: s.report?.counts.running ?? 0,
      startable: this.halted || !s.report ? 0 : this.openPending(s.report),
      held: s.heldSlots,
      slots: s.grant.slots,
    }));
    const slots = allocateSlots(this.carried.concurrency, holders);
    let allowances: number[] | undefined;
    if (this.rationed) {
      const agg = this.aggregate();
      const pool = Math.max(0, Math.min(this.budgetPool(agg), this.pacePool()));
      allowances = allocateQuota(
        Number.isFinite(pool) ? pool : 0,
        started.map((s) => this.quotaHolder(s)),
      );
    }
    const fixCaps = options.fixTurnsWithinBudget ? this.fixTurnCaps(started) : undefined;
    const changed: { index: number; grant: ShardGrant }[] = [];
    started.forEach((ledger, i) => {
      const next: Omit<ShardGrant, 'seq'> = {
        slots: slots[i] ?? 0,
        openWave: this.carried.openWave,
        halted: this.halted,
        ...(ledger.judged !== undefined && { judged: ledger.judged }),
        ...(allowances && {
          quota: {
            window: this.carried.quotaWindow,
            allowance: allowances[i] ?? 0,
            ...(this.carried.quotaWindowEndsMs !== undefined && { untilMs: this.carried.quotaWindowEndsMs }),
          },
        }),
        ...(fixCaps?.[i] !== undefined && { fixTurnsUpTo: fixCaps[i] }),
      };
      const { seq, ...current } = ledger.grant;
      if (JSON.stringify(current) === JSON.stringify(next)) return;
      ledger.grant = { seq: seq + 1, ...next };
      ledger.heldSlots = Math.max(ledger.heldSlots, next.slots);
      changed.push({ index: ledger.index, grant: ledger.grant });
    });
    return changed;
  }

  /**
   * With a budget and the campaign's fix loop: each shard's cap on the fix turns it may have sent.
   * What the budget leaves after spend, running work (fix turns included), item starts granted and fix
   * turns granted but not reported yet buys whole fix turns, shared over the shards by the PRs whose
   * turn waits for one (`fixTurnsWanted`, beyond the turns a shard holds).
   * Caps only grow, so a turn granted is never taken back.
   */
  private fixTurnCaps(started: readonly ShardLedger[]): (number | undefined)[] | undefined {
    const header = this.carried.header;
    if (header.budgetUsd === undefined || !header.tracking || header.fixes?.fixes !== 'campaign')
      return undefined;
    const sent = started.map((s) => s.report?.pullRequests?.fixTurns ?? 0);
    const caps = started.map((s, i) => Math.max(s.grant.fixTurnsUpTo ?? 0, sent[i] ?? 0));
    const agg = this.aggregate();
    const perTurn = this.perFixTurnUsd();
    const grantedStarts = this.carried.shards.reduce((n, s) => n + outstandingStarts(this.quotaHolder(s)), 0);
    const left =
      header.budgetUsd -
      agg.spentUsd -
      agg.runningProjectedUsd -
      grantedStarts * this.perItemUsd() -
      this.grantedFixTurnsUsd();
    // A shard wants a turn for each PR whose turn waits, beyond the turns it holds already.
    const wants = started.map((s, i) =>
      Math.max(0, (s.report?.fixTurnsWanted ?? 0) - ((caps[i] ?? 0) - (sent[i] ?? 0))),
    );
    const more = fairShares(Math.max(0, Math.floor(left / perTurn + 1e-9)), wants);
    return caps.map((cap, i) => cap + (more[i] ?? 0));
  }

  /** Fix turns granted and not reported sent yet: what they hold of the budget. */
  private grantedFixTurnsUsd(): number {
    const held = this.carried.shards.reduce(
      (n, s) => n + Math.max(0, (s.grant.fixTurnsUpTo ?? 0) - (s.report?.pullRequests?.fixTurns ?? 0)),
      0,
    );
    return held === 0 ? 0 : held * this.perFixTurnUsd();
  }

  private perFixTurnUsd(): number {
    const header = this.carried.header;
    const minutes = header.estimatedMinutesPerItem ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem;
    return ratePerMinute(header.job.size) * fixTurnMinutes(minutes, header.job.followUps?.length ?? 0);
  }

  /** When the campaign must act without a message: a pacing window ends, or retention runs out. */
  nextWakeMs(): number | undefined {
    const carried = this.carried;
    const state = this.state();
    if (state === 'finished' || state === 'cancelled') {
      return carried.finishedAtMs === undefined ? undefined : carried.finishedAtMs + this.retentionMs();
    }
    if (carried.header.startsPerMinute !== undefined && !this.halted && this.aggregate().startable > 0) {
      return carried.quotaWindowEndsMs;
    }
    return undefined;
  }

  retentionMs(): number {
    return this.carried.header.retentionMs ?? CAMPAIGN_DEFAULTS.retentionMs;
  }

  state(): CampaignState {
    const carried = this.carried;
    if (carried.closed) return 'closed';
    if (carried.cancelled) return 'cancelled';
    if (carried.awaitingApproval) return 'awaiting_approval';
    if (carried.paused) return 'paused';
    if (carried.finishedAtMs !== undefined) return 'finished';
    return carried.tracking ? 'tracking' : 'running';
  }

  progress(campaignId: string): CampaignProgress {
    const carried = this.carried;
    const agg = this.aggregate();
    const state = this.state();
    const total = Object.values(agg.counts).reduce((a, b) => a + b, 0);
    return {
      campaignId,
      ...(carried.header.name !== undefined && { name: carried.header.name }),
      state,
      total,
      counts: agg.counts,
      prsOpened: agg.prsOpened,
      outcomes: agg.outcomes,
      ...(agg.pullRequests && { pullRequests: withMergedShare(agg.pullRequests) }),
      ...(agg.trackingProblem && { trackingProblem: agg.trackingProblem }),
      startedAt: carried.startedAt,
      ...(carried.finishedAtMs !== undefined && { finishedAt: new Date(carried.finishedAtMs).toISOString() }),
      ...(carried.finishedAtMs !== undefined &&
        (state === 'finished' || state === 'cancelled') && {
          closesAt: new Date(carried.finishedAtMs + this.retentionMs()).toISOString(),
        }),
      concurrency: carried.concurrency,
      ...(carried.stopReason && { stopReason: carried.stopReason }),
      spentUsd: round(agg.spentUsd),
      projectedUsd: round(agg.spentUsd + agg.runningProjectedUsd),
      ...(carried.header.budgetUsd !== undefined && { budgetUsd: carried.header.budgetUsd }),
      ...(carried.waveBounds.length > 0 && {
        rollout: {
          wave: carried.openWave,
          waves: this.lastWave + 1,
          awaitingApproval: carried.awaitingApproval,
        },
      }),
      shards: carried.shardCount,
      recent: carried.recent,
    };
  }

  // ---- controls: each answers why it cannot apply, or changes the state ----

  pause(): string | undefined {
    if (this.carried.closed || this.carried.cancelled) return `the campaign is ${this.state()}`;
    this.carried.paused = true;
    return undefined;
  }

  /** Restarts new starts: lifts a pause and a failure-threshold or budget stop. */
  resume(): string | undefined {
    if (this.carried.closed || this.carried.cancelled)
      return `the campaign is ${this.state()}; nothing to resume`;
    this.carried.paused = false;
    if (this.carried.stopReason?.kind === 'failure_threshold') {
      // Another chance: the threshold judges what finishes from now on.
      this.carried.thresholdBase = this.aggregate().waves.map((w) => ({
        failed: w.failed,
        finished: w.failed + w.succeeded,
      }));
    }
    if (this.carried.stopReason?.kind === 'failure_threshold' || this.carried.stopReason?.kind === 'budget')
      delete this.carried.stopReason;
    return undefined;
  }

  /** Re-queues failed items (the shards count them): lifts a failure-threshold stop. */
  retryFailed(): string | undefined {
    if (this.carried.closed || this.carried.cancelled)
      return `the campaign is ${this.state()}; apply its spec under a new id`;
    if (this.carried.stopReason?.kind === 'failure_threshold') delete this.carried.stopReason;
    // Retried items leave the counts: the threshold judges what finishes, over every wave, afresh.
    delete this.carried.thresholdBase;
    return undefined;
  }

  cancel(reason: StopReason = { kind: 'cancelled' }): string | undefined {
    if (this.carried.closed) return 'the campaign is closed';
    if (this.carried.cancelled) return 'the campaign is already cancelled';
    this.carried.cancelled = true;
    this.carried.awaitingApproval = false;
    this.carried.stopReason = reason;
    return undefined;
  }

  approve(): string | undefined {
    if (!this.carried.awaitingApproval) return `nothing awaits approval (the campaign is ${this.state()})`;
    this.carried.awaitingApproval = false;
    this.carried.openWave += 1;
    return undefined;
  }

  reject(): string | undefined {
    if (!this.carried.awaitingApproval) return `nothing awaits approval (the campaign is ${this.state()})`;
    return this.cancel({ kind: 'rejected', wave: this.carried.openWave + 1 });
  }

  close(): string | undefined {
    const running = this.aggregate().counts.running;
    if (this.carried.closed) return 'the campaign is already closed';
    if (running > 0 || this.carried.applying)
      return `${running} item(s) are running; cancel the campaign or wait`;
    this.carried.closed = true;
    return undefined;
  }

  /** Why a concurrency cannot be set: not a whole number within the limit. */
  concurrencyRefusal(concurrency: number): string | undefined {
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > LIMITS.maxConcurrency)
      return `concurrency must be a whole number from 1 to ${LIMITS.maxConcurrency}, got ${concurrency}`;
    return undefined;
  }

  setConcurrency(concurrency: number): void {
    this.carried.concurrency = concurrency;
  }

  private ensureShards(): void {
    for (let index = this.carried.shards.length; index < this.carried.shardCount; index += 1) {
      this.carried.shards.push({
        index,
        started: false,
        grant: { seq: 0, slots: 0, openWave: 0, halted: true },
        heldSlots: 0,
        previousAllowance: 0,
      });
    }
  }
}

function jobKey(header: CampaignHeader): string {
  return JSON.stringify([header.job, header.estimatedMinutesPerItem, header.apiTaskQueue]);
}

function round(usd: number): number {
  return Math.round(usd * 1000) / 1000;
}

/** The PR counts with the share merged (absent before any PR was read). */
function withMergedShare(counts: PullRequestCounts): PullRequestCounts & { mergedShare?: number } {
  const share = mergedShare(counts.merged, pullRequestsOpened(counts));
  return share === undefined ? counts : { ...counts, mergedShare: share };
}
