import { log, proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import {
  TASK_QUEUES,
  TRACKING_PULL_REQUESTS,
  TrackingAttribute,
  decorationFor,
  parsePullRequestUrl,
  type TrackedChange,
  type CodeHostActivities,
  type ReplicaJobActivities,
  type ShardJobSettings,
} from '../../contracts';
import { workspaceGoesWithChange } from '../../policy/change-tracking';
import type { BookEntry, ItemBook } from '../../policy/item-book';
import type { PullRequestHint } from './messages';

/** What following PRs needs of its shard. */
export interface ChangeTrackerShard {
  readonly campaignId: string;
  readonly book: ItemBook;
  readonly settings: ShardJobSettings;
  markChanged(reportNow?: boolean): void;
}

/** PRs read per activity: the adapter asks the host a hundred per query. */
const READ_BATCH = 100;

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

  constructor(private readonly shard: ChangeTrackerShard) {
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
    this.shard.markChanged();
  }

  /** A read is under way (continue-as-new waits for it). */
  busy = false;
  private announced = false;

  /** Once per run: the shard is findable by the webhook ingress as one that follows PRs. */
  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    upsertSearchAttributes([{ key: TrackingAttribute, value: TRACKING_PULL_REQUESTS }]);
  }

  /** Repositories of the PRs still followed (the ingress routes GitHub deliveries by them). */
  followedRepositories(): string[] {
    const settings = this.settings;
    if (!settings) return [];
    const repositories = new Set<string>();
    for (const { url } of this.shard.book.trackedChanges(Date.now(), settings.maxDays)) {
      const repository = parsePullRequestUrl(url)?.repository;
      if (repository) repositories.add(repository);
    }
    return [...repositories];
  }

  /**
   * Starts reading what is due, without holding the shard's loop: a slow or failing code host must
   * not stop items from starting. The readings land on the book when they come; a failed read is
   * tried again by the next hint or sweep.
   */
  follow(): void {
    const settings = this.settings;
    const hinted = this.hinted.size + this.hintedRepositories.size > 0;
    if (!settings || this.problem || this.busy || (!this.sweepDue && !hinted)) return;
    const urls = new Set(this.hinted);
    const repositories = new Set(this.hintedRepositories);
    const wanted = this.sweepDue
      ? undefined
      : (url: string) => urls.has(url) || repositories.has(parsePullRequestUrl(url)?.repository ?? '');
    this.sweepDue = false;
    this.hinted.clear();
    this.hintedRepositories.clear();
    const handles = this.shard.book.trackedChanges(Date.now(), settings.maxDays, wanted);
    if (handles.length === 0) return;
    this.announce();
    this.busy = true;
    void this.read(handles)
      .catch((error: unknown) => log.warn('reading pull requests failed', { error: String(error) }))
      .finally(() => {
        this.busy = false;
        this.shard.markChanged(true);
      });
  }

  private async read(handles: { url: string; nodeId?: string }[]): Promise<void> {
    for (let i = 0; i < handles.length; i += READ_BATCH) {
      const { configured, readings } = await this.api.readChanges(handles.slice(i, i + READ_BATCH));
      if (!configured) {
        this.problem =
          'no code host is configured on the worker (GITHUB_TOKEN or a GitHub App): PRs are not followed';
        return;
      }
      for (const entry of this.shard.book.takeReadings(readings, Date.now())) await this.release(entry);
      await this.decorate(readings.map((r) => r.url));
    }
  }

  /** Under `after-merge`, the kept workspace of a PR that merged or closed goes with it. */
  private async release(entry: BookEntry): Promise<void> {
    if (!workspaceGoesWithChange(this.shard.settings.job.cleanup) || !entry.replicaKept || !entry.replicaId)
      return;
    try {
      await this.api.deleteReplica(entry.replicaId);
      entry.replicaKept = false;
    } catch (error) {
      log.warn('could not delete the workspace of a settled PR', { item: entry.key, error: String(error) });
    }
  }

  /** The campaign's `pullRequest` block, once per open PR; a refusal is noted on the item, not retried. */
  private async decorate(urls: string[]): Promise<void> {
    const settings = this.shard.settings.pullRequest;
    if (!settings) return;
    for (const entry of this.shard.book.undecorated(urls)) {
      const change = entry.change as TrackedChange;
      try {
        await this.api.decorateChange(
          { url: change.url, ...(change.nodeId && { nodeId: change.nodeId }) },
          decorationFor(settings, this.shard.campaignId, entry.key),
        );
      } catch (error) {
        change.problem = `could not apply the pullRequest block: ${String(error)}`;
      }
      change.decorated = true;
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
