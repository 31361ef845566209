import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  LIMITS,
  SHARD_LIMITS,
  TRACKING_REPORT_MS,
  ratePerMinute,
  fixTurnMinutes,
  jobWorkflowId,
  type ApplySummary,
  type PullRequestAction,
  type ReplicaJobResult,
  type ShardCommand,
  type ShardGrant,
  type ShardJobSettings,
  type ShardReport,
  type TemporalLookupActivities,
} from '../../contracts';
import {
  CLOSED_BEFORE_START,
  ItemBook,
  toRecord,
  type BookEntry,
  type JobOutcome,
} from '../../policy/item-book';
import { shardAckSignal, shardReportSignal } from '../campaign/messages';
import {
  FIX_TURNS_END_WITH_CANCEL,
  GRANTS_REPORTED_ON_CADENCE,
  TRACKING_REPORTED_ON_CADENCE,
} from '../patches';
import { ChangeTracker } from './change-tracker';
import { FixRuns, type FixRunsShard } from './fix-runs';
import { JobRuns, type JobRunsShard } from './job-runs';
import {
  activeTargetsQuery,
  followedPullRequestsQuery,
  itemQuery,
  pullRequestHintSignal,
  markReadySignal,
  pullRequestActionSignal,
  recordsQuery,
  shardCommandSignal,
  shardGrantSignal,
} from './messages';

export interface ShardCarry {
  entries: BookEntry[];
  grant: ShardGrant;
  window: number;
  startsInWindow: number;
  reportSeq: number;
  closing: boolean;
  /** Bulk actions some PR still waits for, by id (absent in older runs). */
  actions?: Record<string, PullRequestAction>;
  /** The campaign was cancelled: no fix turn starts any more (absent in older runs). */
  fixesStopped?: boolean;
}

export interface ShardInput {
  campaignId: string;
  index: number;
  settings: ShardJobSettings;
  carry?: ShardCarry;
}

/** What a closed shard leaves behind: its records, readable after the campaign closes. */
export interface ShardResult {
  index: number;
  entries: BookEntry[];
}

/**
 * Up to a few thousand items of one campaign: starts their replica jobs within what the campaign
 * grants (slots, start quotas, open waves), learns how each ended from the child itself, and reports
 * counts to the campaign. Item rules live in `src/policy/item-book.ts`.
 */
export async function shardWorkflow(input: ShardInput): Promise<ShardResult> {
  return new Shard(input).run();
}

class Shard implements JobRunsShard, FixRunsShard {
  book: ItemBook;
  settings: ShardJobSettings;
  private readonly lookups = proxyActivities<TemporalLookupActivities>({
    startToCloseTimeout: '2 minutes',
    retry: { maximumInterval: '1 minute' },
  });
  private readonly jobs: JobRuns;
  private readonly tracker: ChangeTracker;
  private readonly fixes: FixRuns;
  private readonly campaign;
  private grant: ShardGrant;
  private window: number;
  private startsInWindow: number;
  private reportSeq: number;
  private closing: boolean;
  /** Something changed since the loop last ran. */
  private changed = true;
  private reportDue = true;
  private reportTimer = false;
  /** Commands from the campaign not executed yet, in the order they came. */
  private readonly pendingCommands: ShardCommand[] = [];
  /** After a failure (with a failure threshold), no starts until the campaign judged this report. */
  private verdictAfter = 0;
  /** Once no item runs, PR news waits for the tracking cadence (see TRACKING_REPORTED_ON_CADENCE). */
  private readonly trackingOnCadence: boolean;
  /** PR news the campaign has not heard yet. */
  private countsNews = false;
  /** The grant the last report answered: the campaign moves slots only once a shard has seen their loss. */
  private reportedGrantSeq = 0;
  /** Open PRs in the last report (see `openChanged`). */
  private reportedOpen = 0;
  /** The PR counts and tracking problem of the last report: a sweep that changed nothing says nothing. */
  private reportedCounts = '';

  constructor(private readonly input: ShardInput) {
    const carry = input.carry;
    this.book = new ItemBook(carry?.entries ?? []);
    this.settings = input.settings;
    this.grant = carry?.grant ?? { seq: 0, slots: 0, openWave: 0, halted: true };
    this.window = carry?.window ?? 0;
    this.startsInWindow = carry?.startsInWindow ?? 0;
    this.reportSeq = carry?.reportSeq ?? 0;
    this.closing = carry?.closing ?? false;
    this.trackingOnCadence = patched(TRACKING_REPORTED_ON_CADENCE);
    this.campaign = getExternalWorkflowHandle(input.campaignId);
    this.jobs = new JobRuns(this, this.lookups);
    this.tracker = new ChangeTracker(this);
    this.fixes = new FixRuns(this, carry?.fixesStopped);
    this.tracker.restoreActions(carry?.actions);
    setHandler(pullRequestHintSignal, (hint) => this.tracker.hint(hint));
    setHandler(markReadySignal, () => this.tracker.requestReady());
    setHandler(pullRequestActionSignal, (request) => this.tracker.requestActions(request));
    setHandler(followedPullRequestsQuery, () => this.tracker.followedPullRequests());
    setHandler(shardGrantSignal, (grant) => {
      if (grant.seq <= this.grant.seq) return;
      if (grant.quota && grant.quota.window !== this.window) {
        this.window = grant.quota.window;
        this.startsInWindow = 0;
      }
      this.grant = grant;
      // Not urgent: answering every grant at once made each report set off more grants, shard after shard.
      this.markChanged(!patched(GRANTS_REPORTED_ON_CADENCE));
    });
    setHandler(shardCommandSignal, (command) => {
      this.pendingCommands.push(command);
      this.markChanged(true);
    });
    setHandler(recordsQuery, (page = {}) => {
      const offset = Math.max(0, page.offset ?? 0);
      const limit = Math.min(LIMITS.maxResultsPage, Math.max(1, page.limit ?? 100));
      return { offset, ...this.book.page(offset, limit, page.state) };
    });
    setHandler(activeTargetsQuery, () => this.book.activeTargets());
    setHandler(itemQuery, (key) => {
      const entry = this.book.get(key);
      return entry ? toRecord(entry) : null;
    });
  }

  get campaignId(): string {
    return this.input.campaignId;
  }

  get fixTurnsUpTo(): number | undefined {
    return this.grant.fixTurnsUpTo;
  }

  async run(): Promise<ShardResult> {
    if (!this.input.carry) await this.restorePrevious();
    for (;;) {
      await condition(() => this.changed || this.reportDue);
      this.changed = false;
      for (const command of this.pendingCommands.splice(0)) await this.execute(command);
      await this.jobs.resolveLost();
      this.tracker.follow();
      this.fixes.consider();
      if (!this.draining) this.startWhatIsAllowed();
      const running = this.book.running().length > 0;
      const onCadence = this.trackingOnCadence && this.itemsDone();
      const answersGrant = this.grant.seq !== this.reportedGrantSeq;
      if (this.reportDue || (!running && (!onCadence || answersGrant || this.openChanged()))) this.report();
      else if (running) this.scheduleReport();
      else if (this.hasCountsNews())
        this.scheduleReport(this.settings.tracking?.reportMs ?? TRACKING_REPORT_MS);
      this.jobs.scheduleSweep();
      this.tracker.schedule();
      if (this.closing && this.idle) return { index: this.input.index, entries: this.book.all() };
      if (this.draining && this.idle) await this.continueAsNew();
    }
  }

  /** History grows with every item: past the limit, stop starting, let running jobs end, continue anew. */
  private get draining(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= SHARD_LIMITS.historyEvents;
  }

  private get idle(): boolean {
    return (
      this.jobs.inFlight === 0 &&
      this.fixes.inFlight === 0 &&
      this.pendingCommands.length === 0 &&
      !this.tracker.pending
    );
  }

  /** Wakes the loop; `reportNow` also sends a report on this pass instead of on the cadence. */
  markChanged(reportNow = false): void {
    this.changed = true;
    if (reportNow) this.reportDue = true;
  }

  countsChanged(): void {
    if (!this.trackingOnCadence) return this.markChanged(true);
    this.changed = true;
    this.countsNews = true;
  }

  /**
   * No item runs or waits: only PR news is left to tell (the tracking cadence). A shard with items
   * waiting reports as before, so the campaign hears that it has room for them.
   */
  private itemsDone(): boolean {
    return this.book.running().length === 0 && this.book.counts().pending === 0;
  }

  /** What the campaign's PR counts come to, comparable with `reportedCounts`. */
  private countsNow(counts = this.settings.tracking && this.book.pullRequestCounts()): string {
    return JSON.stringify([counts || null, this.tracker.problem ?? null]);
  }

  /** PR news the campaign has not heard, that changes what it would be told. */
  private hasCountsNews(): boolean {
    if (this.countsNews && !this.book.hasEvents && this.countsNow() === this.reportedCounts)
      this.countsNews = false;
    return this.countsNews;
  }

  /**
   * Whether the campaign would now judge otherwise whether PRs are open: the first readings after the
   * last job ended (it is tracking), or the last PR settled (it may end). Those go at once.
   */
  private openChanged(): boolean {
    const counts = this.settings.tracking && this.book.pullRequestCounts();
    const open = counts ? counts.open + counts.draft : 0;
    return open > 0 !== this.reportedOpen > 0;
  }

  /** Starts pending items of open waves while slots and start quotas allow, without waiting on any start. */
  private startWhatIsAllowed(): void {
    const grant = this.grant;
    if (grant.halted || this.closing) return;
    if ((grant.judged ?? 0) < this.verdictAfter) return;
    const running = this.book.running().length;
    let room = grant.slots - running;
    if (grant.quota) {
      if (grant.quota.untilMs !== undefined && Date.now() >= grant.quota.untilMs) return;
      room = Math.min(room, grant.quota.allowance - this.startsInWindow);
    }
    if (room <= 0) return;
    for (const entry of this.book.startable(grant.openWave, room)) {
      this.startsInWindow += 1;
      this.jobs.start(entry);
    }
  }

  /** How long a running fix turn is projected to run: one turn of the item's estimate. */
  private get expectedFixMs(): number {
    const { estimatedMinutesPerItem, job } = this.settings;
    return fixTurnMinutes(estimatedMinutesPerItem, job.followUps?.length ?? 0) * 60_000;
  }

  /** A run's cost by its duration, at the campaign's workspace size; unrounded, so runs add up exactly. */
  private readonly costFor = (ms: number): number => (ratePerMinute(this.settings.job.size) * ms) / 60_000;

  jobEnded(key: string, attempt: number, outcome: JobOutcome): boolean {
    if (!this.book.finish(key, attempt, outcome, Date.now(), this.costFor)) return false;
    // Its PR is read within seconds: the campaign shows where it stands without waiting for a sweep.
    const pullRequest = this.book.get(key)?.pullRequest;
    if (pullRequest) this.tracker.jobEnded(pullRequest);
    const failed = this.book.get(key)?.state === 'failed' || this.book.get(key)?.state === 'timed_out';
    if (failed && this.settings.awaitVerdicts) {
      // The next report carries this failure: hold new starts until the campaign has judged it.
      this.verdictAfter = this.reportSeq + 1;
      this.markChanged(true);
    } else {
      this.markChanged(this.book.running().length === 0);
    }
    return true;
  }

  fixEnded(key: string, number: number, ended: { result?: ReplicaJobResult; error?: string }): void {
    this.book.fixEnded(key, number, ended, Date.now(), this.costFor);
    // The agent pushed (or not): the PR is read again, grouped with the other jobs ending meanwhile.
    const url = this.book.get(key)?.change?.url;
    if (url) this.tracker.jobEnded(url);
    this.markChanged(true);
  }

  private async execute(command: ShardCommand): Promise<void> {
    const now = Date.now();
    const summary: ApplySummary & { requeued: number } = {
      added: 0,
      kept: 0,
      retried: 0,
      pruned: 0,
      updated: 0,
      requeued: 0,
    };
    switch (command.kind) {
      case 'items': {
        Object.assign(summary, this.book.apply(command.items, command, now));
        // Imported PRs have no job whose end would have them read: they are read at once.
        const imported = command.items.flatMap((item) => item.importedPullRequest ?? []);
        if (imported.length > 0) this.tracker.hint({ urls: imported });
        break;
      }
      case 'settings':
        this.settings = command.settings;
        this.tracker.problem = undefined;
        break;
      case 'retry':
        summary.requeued = this.book.retryFailed(now);
        break;
      case 'prune': {
        const { pruned, cancel } = this.book.prune(command.applyId, now);
        summary.pruned = pruned;
        this.cancelJobs(cancel);
        break;
      }
      case 'cancel':
        this.book.endPending('cancelled', 'campaign cancelled', now);
        this.cancelJobs(this.book.running().map((entry) => entry.key));
        if (patched(FIX_TURNS_END_WITH_CANCEL)) this.fixes.cancel();
        break;
      case 'released':
        summary.updated = this.book.release(command.replicas);
        break;
      case 'close':
        this.closing = true;
        this.book.endPending('skipped', CLOSED_BEFORE_START, now);
        break;
    }
    await this.campaign.signal(shardAckSignal, {
      requestId: command.requestId,
      index: this.input.index,
      summary,
      report: this.buildReport(),
    });
  }

  /** Cancels jobs by workflow id; each cleans up its replica and ends cancelled. */
  private cancelJobs(keys: string[]): void {
    for (const key of keys) {
      getExternalWorkflowHandle(jobWorkflowId(this.input.campaignId, key))
        .cancel()
        .catch((error: unknown) => log.warn('could not cancel job', { item: key, error: String(error) }));
    }
  }

  private buildReport(): ShardReport {
    const expectedMs = this.settings.estimatedMinutesPerItem * 60_000;
    this.reportSeq += 1;
    const pullRequests = this.settings.tracking && this.book.pullRequestCounts();
    this.countsNews = false;
    this.reportedGrantSeq = this.grant.seq;
    this.reportedOpen = pullRequests ? pullRequests.open + pullRequests.draft : 0;
    this.reportedCounts = this.countsNow(pullRequests);
    return {
      index: this.input.index,
      seq: this.reportSeq,
      grantSeq: this.grant.seq,
      window: this.window,
      startsInWindow: this.startsInWindow,
      counts: this.book.counts(),
      waves: this.book.waveCounts(),
      ...this.book.spend(Date.now(), expectedMs, this.costFor, this.expectedFixMs),
      prsOpened: this.book.prsOpened(),
      outcomes: this.book.outcomes(),
      ...(pullRequests && { pullRequests }),
      ...(this.tracker.problem && { trackingProblem: this.tracker.problem }),
      recent: this.book.takeEvents(),
      ...(this.verdictAfter > (this.grant.judged ?? 0) && { awaitingVerdict: true }),
      ...(this.fixes.waitingForBudget > 0 && { fixTurnsWanted: this.fixes.waitingForBudget }),
    };
  }

  private report(): void {
    this.reportDue = false;
    this.campaign
      .signal(shardReportSignal, this.buildReport())
      .catch((error: unknown) => log.warn('could not report to campaign', { error: String(error) }));
  }

  /** At most one report per interval while items keep ending: one durable timer, never cancelled. */
  private scheduleReport(everyMs = this.settings.reportEveryMs ?? SHARD_LIMITS.reportEveryMs): void {
    if (this.reportTimer) return;
    this.reportTimer = true;
    void sleep(everyMs).then(() => {
      this.reportTimer = false;
      // Set while items ran, due once none does: the last one's end was reported, so only news counts.
      const idle = this.trackingOnCadence && this.itemsDone();
      if (!idle || this.hasCountsNews()) this.reportDue = true;
    });
  }

  /** Restores the records a closed earlier run of this shard left, when its campaign is applied again. */
  private async restorePrevious(): Promise<void> {
    const previous = await this.lookups.previousResult<typeof shardWorkflow>(workflowInfo().workflowId);
    if (previous?.entries.length) this.book = ItemBook.reopened(previous.entries);
  }

  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    this.report();
    const actions = this.tracker.carriedActions();
    return continueAsNew<typeof shardWorkflow>({
      ...this.input,
      settings: this.settings,
      carry: {
        entries: this.book.all(),
        grant: this.grant,
        window: this.window,
        startsInWindow: this.startsInWindow,
        reportSeq: this.reportSeq,
        closing: this.closing,
        ...(actions && { actions }),
        ...(this.fixes.stopped && { fixesStopped: true }),
      },
    });
  }
}
