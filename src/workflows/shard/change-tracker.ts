import { log, patched, proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import {
  JOB_DEFAULTS,
  MARK_READY_REFUSED,
  SHARD_LIMITS,
  codeHostWritesQueue,
  type ActionRequest,
  type ActionState,
  type PullRequestAction,
  TASK_QUEUES,
  TRACKING_PULL_REQUESTS,
  TrackingAttribute,
  decorationFor,
  parsePullRequestUrl,
  type PullRequestObservation,
  type TrackedChange,
  type CodeHostActivities,
  type ReplicaJobActivities,
  type ShardJobSettings,
} from '../../contracts';
import { workspaceGoesWithChange } from '../../policy/change-tracking';
import { DECORATION_APART_FROM_READS, JOB_END_READS_GROUPED, READS_IN_LARGER_BATCHES } from '../patches';
import type { BookEntry, ItemBook } from '../../policy/item-book';
import type { PullRequestHint } from './messages';

/** What following PRs needs of its shard. */
export interface ChangeTrackerShard {
  readonly campaignId: string;
  readonly book: ItemBook;
  readonly settings: ShardJobSettings;
  markChanged(reportNow?: boolean): void;
  /** What the campaign counts of PRs changed: reported at once, or on the tracking cadence. */
  countsChanged(): void;
}

/** PRs read per activity (the adapter asks the host a hundred per query); see READS_IN_LARGER_BATCHES. */
const READ_BATCH = 100;
const LARGER_READ_BATCH = 500;
/** PRs decorated per pass: continue-as-new waits for a pass, not for a campaign's worth of writes. */
const DECORATE_BATCH = 20;

/**
 * Follows the shard's PRs on the code host until each is merged or closed (or tracking expires):
 * reads the ones a hint names at once, every followed one on the sweep interval (GitHub never
 * redelivers a lost webhook), and deletes a kept workspace once its PR settles under `after-merge`.
 */
export class ChangeTracker {
  private readonly hinted = new Set<string>();
  private readonly hintedRepositories = new Set<string>();
  private sweepDue = false;
  private sweepTimer = false;
  /** Set when the worker has no code host: reported, not asked again until the next apply. */
  problem?: string;
  private readonly api: CodeHostActivities & Pick<ReplicaJobActivities, 'deleteReplica'>;

  private readonly writes: Pick<CodeHostActivities, 'actOnChange'>;

  constructor(private readonly shard: ChangeTrackerShard) {
    this.writes = proxyActivities<Pick<CodeHostActivities, 'actOnChange'>>({
      taskQueue: codeHostWritesQueue(shard.settings.apiTaskQueue ?? TASK_QUEUES.api),
      startToCloseTimeout: '2 minutes',
      // The write heartbeats while GitHub paces it: one on a worker that died is retried in seconds.
      heartbeatTimeout: JOB_DEFAULTS.apiHeartbeatTimeoutMs,
      // A rate-limited queue may hold a write a while; a worker down for longer fails it, reported per PR.
      scheduleToCloseTimeout: '2 hours',
      retry: {
        initialInterval: '2 seconds',
        backoffCoefficient: 2,
        maximumInterval: '1 minute',
        maximumAttempts: 5,
      },
    });
    this.api = proxyActivities<CodeHostActivities & Pick<ReplicaJobActivities, 'deleteReplica'>>({
      taskQueue: shard.settings.apiTaskQueue ?? TASK_QUEUES.api,
      startToCloseTimeout: '2 minutes',
      // Bounded: a code host down for longer is read again by the next hint or sweep.
      retry: {
        initialInterval: '1 second',
        backoffCoefficient: 2,
        maximumInterval: '1 minute',
        maximumAttempts: 5,
      },
    });
  }

  private get settings() {
    return this.shard.settings.tracking;
  }

  /** PRs to read on the next pass (`all`: every followed one, as a sweep does). */
  hint(request: PullRequestHint): void {
    if (!this.settings) return;
    if (request.all) this.sweepDue = true;
    for (const url of request.urls ?? []) this.hinted.add(url);
    for (const repository of request.repositories ?? []) this.hintedRepositories.add(repository);
    const news = request.observations ?? [];
    if (news.length > 0) {
      // A reading under way was taken before this news: it is told again once the reading lands.
      this.heardDuringRead?.push(...news);
      this.observe(news);
    }
    if (news.length > 0) this.shard.countsChanged();
    else this.shard.markChanged();
  }

  /** PRs of jobs that just ended, read together once the grouping timer fires. */
  private readonly ending = new Set<string>();

  /** A job ended with this PR: it is read a moment later, with the PRs of the jobs ending meanwhile. */
  jobEnded(url: string): void {
    if (!this.settings) return;
    if (!patched(JOB_END_READS_GROUPED)) return this.hint({ urls: [url] });
    const first = this.ending.size === 0;
    this.ending.add(url);
    if (!first) return;
    void sleep(SHARD_LIMITS.jobEndReadDelayMs).then(() => {
      for (const ended of this.ending) this.hinted.add(ended);
      this.ending.clear();
      this.shard.markChanged();
    });
  }

  /** A read is under way or due shortly (continue-as-new waits for both). */
  get pending(): boolean {
    return this.busy || this.decorating || this.writing.size > 0 || this.ending.size > 0;
  }

  /** A bulk action on some of the shard's PRs: guarded and recorded now, sent a PR at a time. */
  requestActions(request: ActionRequest): void {
    // The action is kept once here (a comment's text would weigh on every item), its state per PR.
    this.actions[request.id] ??= request.action;
    this.shard.book.requestActions(request, Date.now());
    this.shard.countsChanged();
  }

  /** Bulk actions by id, while any PR still waits for one (carried across continue-as-new). */
  private actions: Record<string, PullRequestAction> = {};

  /** The actions some PR still waits for: what continue-as-new carries. */
  carriedActions(): Record<string, PullRequestAction> | undefined {
    const waiting = new Set(this.shard.book.pendingActions().map((entry) => entry.change?.action?.id));
    const kept = Object.entries(this.actions).filter(([id]) => waiting.has(id));
    this.actions = Object.fromEntries(kept);
    return kept.length > 0 ? this.actions : undefined;
  }

  restoreActions(actions: Record<string, PullRequestAction> | undefined): void {
    this.actions = { ...actions };
  }

  /**
   * Bulk actions waiting to be sent, one PR at a time on the code-host writes queue, whose rate limit
   * keeps every worker together under GitHub's content limits. Each outcome lands on its item; one PR's
   * failure never stops the rest.
   */
  private actApart(): void {
    this.writeApart('acting', this.shard.book.pendingActions(), async (entry, change) => {
      const state = change.action as ActionState;
      const action = this.actions[state.id];
      let outcome: { status: ActionState['status']; detail?: string };
      if (!action)
        outcome = { status: 'failed', detail: 'the action was lost before it was sent; ask again' };
      else
        try {
          outcome = await this.writes.actOnChange(handleOf(change), action, {
            actionId: state.id,
            headSha: change.headSha,
          });
        } catch (error) {
          outcome = { status: 'failed', detail: String(error) };
        }
      // A reading or news may have replaced the change meanwhile: the outcome goes on the current one.
      const current = entry.change ?? change;
      current.action = { ...state, ...outcome, atMs: Date.now() };
      if (outcome.status === 'done') this.hinted.add(current.url);
    });
  }

  /** Writes under way apart from reads, by kind: continue-as-new waits for them. */
  private readonly writing = new Set<'acting' | 'readying'>();

  /**
   * Works through a batch of `due` in its own lane, one PR at a time, without holding the shard's
   * loop; the loop hears of it (and reports) once the batch is done.
   */
  private writeApart(
    lane: 'acting' | 'readying',
    due: readonly BookEntry[],
    each: (entry: BookEntry, change: TrackedChange) => Promise<void>,
  ): void {
    if (this.writing.has(lane) || due.length === 0) return;
    this.writing.add(lane);
    void (async () => {
      for (const entry of due.slice(0, DECORATE_BATCH)) await each(entry, entry.change as TrackedChange);
    })().finally(() => {
      this.writing.delete(lane);
      this.shard.countsChanged();
    });
  }

  /** `campaign prs --mark-ready`: every open draft followed here is marked ready, apart from reads. */
  requestReady(): void {
    if (!this.settings) return;
    if (this.shard.book.requestReady() > 0) this.shard.countsChanged();
  }

  /** Drafts asked to be marked ready, a batch at a time; a refusal is noted on the item, not retried. */
  private markReadyApart(): void {
    this.writeApart('readying', this.shard.book.readyRequested(), async (entry, change) => {
      let problem: string | undefined;
      try {
        await this.api.markChangeReady(handleOf(change));
      } catch (error) {
        problem = `${MARK_READY_REFUSED}: ${String(error)}`;
      }
      // A reading or news may have replaced the change meanwhile: the outcome goes on the current one.
      const current = entry.change ?? change;
      delete current.readyRequested;
      if (problem) current.problem = problem;
      else current.draft = false;
    });
  }

  /** News heard while a read is under way (undefined when none is). */
  private heardDuringRead?: PullRequestObservation[];

  private observe(news: readonly PullRequestObservation[]): void {
    const { toRead } = this.shard.book.takeObservations(news, Date.now());
    // A PR whose job just ended is read with its group shortly; news of it needs no read of its own.
    for (const url of toRead) if (!this.ending.has(url)) this.hinted.add(url);
  }

  /** A read is under way. */
  private busy = false;
  private announced = false;

  /** Once per run: the shard is findable by the webhook ingress as one that follows PRs. */
  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    upsertSearchAttributes([{ key: TrackingAttribute, value: TRACKING_PULL_REQUESTS }]);
  }

  /** URLs of the PRs still followed (the ingress routes GitHub deliveries by them and their repositories). */
  followedPullRequests(): string[] {
    const settings = this.settings;
    if (!settings) return [];
    return this.shard.book.trackedChanges(Date.now(), settings.maxDays).map(({ url }) => url);
  }

  /**
   * Starts reading what is due and deleting the workspaces of settled PRs, without holding the
   * shard's loop: a slow or failing code host must not stop items from starting. The readings land
   * on the book when they come; a failed read is tried again by the next hint or sweep.
   */
  follow(): void {
    const settings = this.settings;
    if (!settings || this.problem) return;
    this.decorateApart();
    this.markReadyApart();
    this.actApart();
    if (this.busy) return;
    const releasable = workspaceGoesWithChange(this.shard.settings.job.cleanup)
      ? this.shard.book.settledWithWorkspace().filter((entry) => !this.unreleased.has(entry.key))
      : [];
    const handles = this.due(settings.maxDays);
    if (handles.length === 0 && releasable.length === 0) return;
    if (handles.length > 0) this.announce();
    this.busy = true;
    this.heardDuringRead = [];
    void (async () => {
      for (const entry of releasable) await this.release(entry);
      if (handles.length > 0) await this.read(handles);
    })()
      .catch((error: unknown) => log.warn('reading pull requests failed', { error: String(error) }))
      .finally(() => {
        this.busy = false;
        this.heardDuringRead = undefined;
        this.shard.countsChanged();
      });
  }

  /** The PRs to read now: every followed one after a sweep, else the ones hints named. */
  private due(maxDays: number): { url: string; nodeId?: string }[] {
    const hinted = this.hinted.size + this.hintedRepositories.size > 0;
    if (!this.sweepDue && !hinted) return [];
    const urls = new Set(this.hinted);
    const repositories = new Set(this.hintedRepositories);
    const wanted = this.sweepDue
      ? undefined
      : (url: string) => urls.has(url) || repositories.has(parsePullRequestUrl(url)?.repository ?? '');
    this.sweepDue = false;
    this.hinted.clear();
    this.hintedRepositories.clear();
    return this.shard.book.trackedChanges(Date.now(), maxDays, wanted);
  }

  private async read(handles: { url: string; nodeId?: string }[]): Promise<void> {
    const batch = patched(READS_IN_LARGER_BATCHES) ? LARGER_READ_BATCH : READ_BATCH;
    for (let i = 0; i < handles.length; i += batch) {
      const { configured, readings } = await this.api.readChanges(handles.slice(i, i + batch));
      if (!configured) {
        this.problem =
          'no code host is configured on the worker (GITHUB_TOKEN or a GitHub App): PRs are not followed';
        return;
      }
      for (const entry of this.shard.book.takeReadings(readings, Date.now()))
        if (workspaceGoesWithChange(this.shard.settings.job.cleanup) && entry.replicaKept)
          await this.release(entry);
      if (this.heardDuringRead?.length) this.observe(this.heardDuringRead);
      if (!patched(DECORATION_APART_FROM_READS))
        await this.decorate(this.shard.book.undecorated(readings.map((r) => r.url)));
    }
  }

  /** Keys whose workspace could not be deleted in this run: not asked again until the next one. */
  private readonly unreleased = new Set<string>();

  /** Under `after-merge`, the kept workspace of a PR that merged or closed goes with it. */
  private async release(entry: BookEntry): Promise<void> {
    if (!entry.replicaId) return;
    try {
      await this.api.deleteReplica(entry.replicaId);
      entry.replicaKept = false;
    } catch (error) {
      this.unreleased.add(entry.key);
      log.warn('could not delete the workspace of a settled PR', { item: entry.key, error: String(error) });
    }
  }

  private decorating = false;

  /**
   * The campaign's `pullRequest` block on the followed open PRs that lack it, a batch at a time and
   * apart from reads: GitHub paces writes (about one a second), and sweeps must not wait for them.
   */
  private decorateApart(): void {
    if (this.decorating || !this.shard.settings.pullRequest || !patched(DECORATION_APART_FROM_READS)) return;
    const due = this.shard.book.undecorated().slice(0, DECORATE_BATCH);
    if (due.length === 0) return;
    this.decorating = true;
    void this.decorate(due).finally(() => {
      this.decorating = false;
      this.shard.markChanged();
    });
  }

  /** Once per open PR; a refusal is noted on the item, not retried. */
  private async decorate(entries: readonly BookEntry[]): Promise<void> {
    const settings = this.shard.settings.pullRequest;
    if (!settings) return;
    for (const entry of entries) {
      const change = entry.change as TrackedChange;
      let problem: string | undefined;
      try {
        await this.api.decorateChange(
          handleOf(change),
          decorationFor(settings, this.shard.campaignId, entry.key),
        );
      } catch (error) {
        problem = `could not apply the pullRequest block: ${String(error)}`;
      }
      // A reading or news may have replaced the change meanwhile: the mark goes on the current one.
      const current = entry.change ?? change;
      current.decorated = true;
      if (problem) current.problem = problem;
    }
  }

  /** One durable timer per sweep interval while any PR is followed. */
  schedule(): void {
    const settings = this.settings;
    if (!settings || this.problem || this.sweepTimer) return;
    if (this.shard.book.trackedChanges(Date.now(), settings.maxDays).length === 0) return;
    this.sweepTimer = true;
    void sleep(settings.sweepMs).then(() => {
      this.sweepTimer = false;
      this.sweepDue = true;
      this.shard.markChanged();
    });
  }
}

/** How the code host is asked about a change: by URL, and by node id once read. */
function handleOf(change: TrackedChange): { url: string; nodeId?: string } {
  return { url: change.url, ...(change.nodeId && { nodeId: change.nodeId }) };
}
