/**
 * A campaign's own state and rules, without Temporal: what an apply reserves, how shard reports add
 * up, when the failure threshold, the budget or a wave boundary stops new starts, what each shard may
 * start (the global window shared out), the lifecycle, and the controls. Time is passed in; the
 * campaign workflow only moves messages.
 */
import {
  CAMPAIGN_DEFAULTS,
  shardCountFor,
  ratePerMinute,
  type ApplyTicket,
  type CampaignHeader,
  type CampaignItem,
  type CampaignProgress,
  type CampaignState,
  type ItemCounts,
  type ItemOutcomes,
  type ItemEvent,
  type RoutedItem,
  type ShardGrant,
  type ShardReport,
  type StopReason,
  type WaveCounts,
} from '../contracts';
import { allocateQuota, allocateSlots, outstandingStarts, type QuotaHolder } from './allocation';
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
  spentUsd: number;
  runningProjectedUsd: number;
}

export class CampaignBook {
  constructor(readonly c: CampaignCarry) {}

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
    const c = this.c;
    c.shardCount = previous.shardCount;
    c.nextOrdinal = previous.nextOrdinal;
    c.waveBounds = previous.waveBounds;
    c.openWave = previous.openWave;
    c.startedAt = previous.startedAt;
    c.applySeq = previous.applySeq;
    c.jobKey = previous.jobKey;
    c.concurrency = previous.concurrency;
    c.recent = previous.recent;
    c.quotaWindow = previous.quotaWindow;
    c.shards = previous.shards.map((s) => ({
      index: s.index,
      started: false,
      grant: { ...s.grant, slots: 0, halted: true },
      heldSlots: 0,
      previousAllowance: 0,
    }));
  }

  // ---- applies ----

  /** Why an apply cannot proceed, if it cannot. */
  applyRefusal(): string | undefined {
    if (this.c.closed) return 'the campaign is closed; apply under a new id';
    if (this.c.cancelled) return 'the campaign is cancelled; apply under a new id';
    if (this.c.applying) return 'another apply is delivering items; try again when it is done';
    return undefined;
  }

  /**
   * Starts an apply of `total` items: fixes the shard count and the waves on the first one, takes the
   * new settings (they apply to items not started yet) and reserves ordinals for the items.
   */
  beginApply(header: CampaignHeader, total: number): ApplyTicket & { settingsChanged: boolean } {
    const created = this.c.shardCount === 0;
    if (created) {
      this.c.shardCount = shardCountFor(total, header.itemsPerShard);
      this.c.waveBounds = waveBounds(header.rollout, total).filter(Number.isFinite);
    }
    const settingsChanged = !created && jobKey(header) !== this.c.jobKey;
    this.c.header = header;
    this.c.jobKey = jobKey(header);
    if (header.concurrency !== undefined) this.c.concurrency = header.concurrency;
    this.c.applySeq += 1;
    this.c.applying = true;
    const ordinalBase = this.c.nextOrdinal;
    this.c.nextOrdinal += total;
    this.ensureShards();
    return { applyId: this.c.applySeq, shardCount: this.c.shardCount, ordinalBase, created, settingsChanged };
  }

  finishApply(): void {
    this.c.applying = false;
  }

  /** Items as their shard receives them: with their wave. */
  route(items: (CampaignItem & { ordinal: number; skipReason?: string })[]): RoutedItem[] {
    const bounds = [...this.c.waveBounds, Number.POSITIVE_INFINITY];
    return items.map((item) => ({ ...item, wave: waveOf(item.ordinal, bounds) }));
  }

  // ---- reports ----

  /** Takes a shard's report; an older one arriving late is ignored. */
  acceptReport(report: ShardReport): boolean {
    const ledger = this.c.shards[report.index];
    if (!ledger || (ledger.report && ledger.report.seq >= report.seq)) return false;
    // The campaign judges the threshold on every pass, so a report that awaits a verdict has one now.
    if (report.awaitingVerdict) ledger.judged = report.seq;
    ledger.report = report;
    if (report.grantSeq >= ledger.grant.seq) ledger.heldSlots = ledger.grant.slots;
    if (report.window >= this.c.quotaWindow) ledger.previousAllowance = 0;
    this.c.recent = [...this.c.recent, ...report.recent].slice(-CAMPAIGN_DEFAULTS.recentEvents);
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
    for (const { report } of this.c.shards) {
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
    return report.waves.slice(0, this.c.openWave + 1).reduce((n, wave) => n + wave.pending, 0);
  }

  // ---- decisions ----

  get halted(): boolean {
    const c = this.c;
    return c.paused || c.awaitingApproval || c.cancelled || c.closed || c.stopReason !== undefined;
  }

  get lastWave(): number {
    return this.c.waveBounds.length;
  }

  /**
   * Applies the rules that follow from the counts: the failure threshold of each open wave, the
   * budget, opening the next wave (or awaiting approval), and when the campaign became idle.
   */
  evaluate(nowMs: number): void {
    const c = this.c;
    const agg = this.aggregate();
    if (!c.cancelled && !c.closed && c.stopReason === undefined) {
      c.stopReason = this.thresholdBreach(agg) ?? this.budgetExhausted(agg);
    }
    const open = agg.waves[c.openWave];
    const waveDone = (open?.pending ?? 0) + (open?.running ?? 0) === 0;
    if (!this.halted && !c.applying && waveDone && c.openWave < this.lastWave) {
      if (c.header.rollout?.approval) c.awaitingApproval = true;
      else c.openWave += 1;
    }
    const idle = agg.counts.running === 0 && !c.applying && (agg.startable === 0 || this.halted);
    if (!idle || c.awaitingApproval || c.paused) delete c.finishedAtMs;
    else c.finishedAtMs ??= nowMs;
  }

  private thresholdBreach(agg: Aggregate): StopReason | undefined {
    const threshold = this.c.header.failureThreshold;
    if (!threshold) return undefined;
    for (let wave = 0; wave <= Math.min(this.c.openWave, agg.waves.length - 1); wave += 1) {
      const counts = agg.waves[wave];
      const base = this.c.thresholdBase?.[wave] ?? { failed: 0, finished: 0 };
      const failed = Math.max(0, (counts?.failed ?? 0) - base.failed);
      const finished = Math.max(0, (counts?.failed ?? 0) + (counts?.succeeded ?? 0) - base.finished);
      if (finished >= threshold.minFinished && (failed / finished) * 100 > threshold.percent) {
        return { kind: 'failure_threshold', wave, failed, finished, percent: threshold.percent };
      }
    }
    return undefined;
  }

  private budgetExhausted(agg: Aggregate): StopReason | undefined {
    const budgetUsd = this.c.header.budgetUsd;
    if (budgetUsd === undefined || agg.counts.running > 0 || agg.startable === 0) return undefined;
    if (this.c.shards.some((s) => outstandingStarts(this.quotaHolder(s)) > 0)) return undefined;
    if (this.budgetPool(agg) > 0) return undefined;
    return {
      kind: 'budget',
      budgetUsd,
      projectedUsd: agg.spentUsd + agg.runningProjectedUsd + this.perItemUsd(),
    };
  }

  private perItemUsd(): number {
    const minutes = this.c.header.estimatedMinutesPerItem ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem;
    return ratePerMinute(this.c.header.job.size) * minutes;
  }

  private get rationed(): boolean {
    return this.c.header.budgetUsd !== undefined || this.c.header.startsPerMinute !== undefined;
  }

  /** Starts the budget still allows beyond running items and starts already granted. */
  private budgetPool(agg: Aggregate): number {
    const budgetUsd = this.c.header.budgetUsd;
    if (budgetUsd === undefined) return Number.POSITIVE_INFINITY;
    const granted = this.c.shards.reduce((n, s) => n + outstandingStarts(this.quotaHolder(s)), 0);
    const left = budgetUsd - agg.spentUsd - agg.runningProjectedUsd;
    return Math.floor(left / this.perItemUsd() + 1e-9) - granted;
  }

  private pacePool(): number {
    const perMinute = this.c.header.startsPerMinute;
    if (perMinute === undefined) return Number.POSITIVE_INFINITY;
    const granted = this.c.shards.reduce((n, s) => n + this.allowanceNow(s), 0);
    return perMinute - granted;
  }

  private allowanceNow(ledger: ShardLedger): number {
    return ledger.grant.quota?.window === this.c.quotaWindow ? ledger.grant.quota.allowance : 0;
  }

  private quotaHolder(ledger: ShardLedger): QuotaHolder {
    const report = ledger.report;
    const usedNow = report?.window === this.c.quotaWindow ? report.startsInWindow : 0;
    const usedBefore = report?.window === this.c.quotaWindow - 1 ? report.startsInWindow : 0;
    return {
      startable: this.halted || !report ? 0 : this.openPending(report),
      allowance: this.allowanceNow(ledger),
      used: usedNow,
      unreported: Math.max(0, ledger.previousAllowance - usedBefore),
    };
  }

  /** Opens the next pacing window once the current one ended (its unused starts expire). */
  rollQuotaWindow(nowMs: number): void {
    if (this.c.header.startsPerMinute === undefined) return;
    if (this.c.quotaWindowEndsMs !== undefined && nowMs < this.c.quotaWindowEndsMs) return;
    for (const ledger of this.c.shards) ledger.previousAllowance = this.allowanceNow(ledger);
    this.c.quotaWindow += 1;
    this.c.quotaWindowEndsMs = nowMs + PACING_WINDOW_MS;
  }

  /** The grants that changed: slots, start quotas, the open wave and whether starts are halted. */
  nextGrants(): { index: number; grant: ShardGrant }[] {
    const started = this.c.shards.filter((s) => s.started);
    const holders = started.map((s) => ({
      running: s.report?.counts.running ?? 0,
      startable: this.halted || !s.report ? 0 : this.openPending(s.report),
      held: s.heldSlots,
      slots: s.grant.slots,
    }));
    const slots = allocateSlots(this.c.concurrency, holders);
    let allowances: number[] | undefined;
    if (this.rationed) {
      const agg = this.aggregate();
      const pool = Math.max(0, Math.min(this.budgetPool(agg), this.pacePool()));
      allowances = allocateQuota(
        Number.isFinite(pool) ? pool : 0,
        started.map((s) => this.quotaHolder(s)),
      );
    }
    const changed: { index: number; grant: ShardGrant }[] = [];
    started.forEach((ledger, i) => {
      const next: Omit<ShardGrant, 'seq'> = {
        slots: slots[i] ?? 0,
        openWave: this.c.openWave,
        halted: this.halted,
        ...(ledger.judged !== undefined && { judged: ledger.judged }),
        ...(allowances && {
          quota: {
            window: this.c.quotaWindow,
            allowance: allowances[i] ?? 0,
            ...(this.c.quotaWindowEndsMs !== undefined && { untilMs: this.c.quotaWindowEndsMs }),
          },
        }),
      };
      const { seq, ...current } = ledger.grant;
      if (JSON.stringify(current) === JSON.stringify(next)) return;
      ledger.grant = { seq: seq + 1, ...next };
      ledger.heldSlots = Math.max(ledger.heldSlots, next.slots);
      changed.push({ index: ledger.index, grant: ledger.grant });
    });
    return changed;
  }

  /** When the campaign must act without a message: a pacing window ends, or retention runs out. */
  nextWakeMs(): number | undefined {
    const c = this.c;
    const state = this.state();
    if (state === 'finished' || state === 'cancelled') {
      return c.finishedAtMs === undefined ? undefined : c.finishedAtMs + this.retentionMs();
    }
    if (c.header.startsPerMinute !== undefined && !this.halted && this.aggregate().startable > 0) {
      return c.quotaWindowEndsMs;
    }
    return undefined;
  }

  retentionMs(): number {
    return this.c.header.retentionMs ?? CAMPAIGN_DEFAULTS.retentionMs;
  }

  state(): CampaignState {
    const c = this.c;
    if (c.closed) return 'closed';
    if (c.cancelled) return 'cancelled';
    if (c.awaitingApproval) return 'awaiting_approval';
    if (c.paused) return 'paused';
    return c.finishedAtMs === undefined ? 'running' : 'finished';
  }

  progress(campaignId: string): CampaignProgress {
    const c = this.c;
    const agg = this.aggregate();
    const state = this.state();
    const total = Object.values(agg.counts).reduce((a, b) => a + b, 0);
    return {
      campaignId,
      ...(c.header.name !== undefined && { name: c.header.name }),
      state,
      total,
      counts: agg.counts,
      prsOpened: agg.prsOpened,
      outcomes: agg.outcomes,
      startedAt: c.startedAt,
      ...(c.finishedAtMs !== undefined && { finishedAt: new Date(c.finishedAtMs).toISOString() }),
      ...(c.finishedAtMs !== undefined &&
        (state === 'finished' || state === 'cancelled') && {
          closesAt: new Date(c.finishedAtMs + this.retentionMs()).toISOString(),
        }),
      concurrency: c.concurrency,
      ...(c.stopReason && { stopReason: c.stopReason }),
      spentUsd: round(agg.spentUsd),
      projectedUsd: round(agg.spentUsd + agg.runningProjectedUsd),
      ...(c.header.budgetUsd !== undefined && { budgetUsd: c.header.budgetUsd }),
      ...(c.waveBounds.length > 0 && {
        rollout: { wave: c.openWave, waves: this.lastWave + 1, awaitingApproval: c.awaitingApproval },
      }),
      shards: c.shardCount,
      recent: c.recent,
    };
  }

  // ---- controls: each answers why it cannot apply, or changes the state ----

  pause(): string | undefined {
    if (this.c.closed || this.c.cancelled) return `the campaign is ${this.state()}`;
    this.c.paused = true;
    return undefined;
  }

  /** Restarts new starts: lifts a pause and a failure-threshold or budget stop. */
  resume(): string | undefined {
    if (this.c.closed || this.c.cancelled) return `the campaign is ${this.state()}; nothing to resume`;
    this.c.paused = false;
    if (this.c.stopReason?.kind === 'failure_threshold') {
      // Another chance: the threshold judges what finishes from now on.
      this.c.thresholdBase = this.aggregate().waves.map((w) => ({
        failed: w.failed,
        finished: w.failed + w.succeeded,
      }));
    }
    if (this.c.stopReason?.kind === 'failure_threshold' || this.c.stopReason?.kind === 'budget')
      delete this.c.stopReason;
    return undefined;
  }

  /** Re-queues failed items (the shards count them): lifts a failure-threshold stop. */
  retryFailed(): string | undefined {
    if (this.c.closed || this.c.cancelled)
      return `the campaign is ${this.state()}; apply its spec under a new id`;
    if (this.c.stopReason?.kind === 'failure_threshold') delete this.c.stopReason;
    // Retried items leave the counts: the threshold judges what finishes, over every wave, afresh.
    delete this.c.thresholdBase;
    return undefined;
  }

  cancel(reason: StopReason = { kind: 'cancelled' }): string | undefined {
    if (this.c.closed) return 'the campaign is closed';
    if (this.c.cancelled) return 'the campaign is already cancelled';
    this.c.cancelled = true;
    this.c.awaitingApproval = false;
    this.c.stopReason = reason;
    return undefined;
  }

  approve(): string | undefined {
    if (!this.c.awaitingApproval) return `nothing awaits approval (the campaign is ${this.state()})`;
    this.c.awaitingApproval = false;
    this.c.openWave += 1;
    return undefined;
  }

  reject(): string | undefined {
    if (!this.c.awaitingApproval) return `nothing awaits approval (the campaign is ${this.state()})`;
    return this.cancel({ kind: 'rejected', wave: this.c.openWave + 1 });
  }

  close(): string | undefined {
    const running = this.aggregate().counts.running;
    if (this.c.closed) return 'the campaign is already closed';
    if (running > 0 || this.c.applying) return `${running} item(s) are running; cancel the campaign or wait`;
    this.c.closed = true;
    return undefined;
  }

  setConcurrency(concurrency: number): void {
    this.c.concurrency = concurrency;
  }

  private ensureShards(): void {
    for (let index = this.c.shards.length; index < this.c.shardCount; index += 1) {
      this.c.shards.push({
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
