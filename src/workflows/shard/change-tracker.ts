import { log, proxyActivities, sleep } from '@temporalio/workflow';
import {
  TASK_QUEUES,
  parsePullRequestUrl,
  type CodeHostActivities,
  type ReplicaJobActivities,
  type ShardJobSettings,
} from '../../contracts';
import { workspaceGoesWithChange } from '../../policy/change-tracking';
import type { ItemBook } from '../../policy/item-book';
import type { PullRequestHint } from './messages';

/** What following PRs needs of its shard. */
export interface ChangeTrackerShard {
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
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
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

  /** Reads what is due, takes the readings onto the book, and lets settled changes take their workspace. */
  async follow(): Promise<void> {
    const settings = this.settings;
    const hinted = this.hinted.size + this.hintedRepositories.size > 0;
    if (!settings || this.problem || (!this.sweepDue && !hinted)) return;
    const urls = new Set(this.hinted);
    const repositories = new Set(this.hintedRepositories);
    const wanted = this.sweepDue
      ? undefined
      : (url: string) => urls.has(url) || repositories.has(parsePullRequestUrl(url)?.repository ?? '');
    this.sweepDue = false;
    this.hinted.clear();
    this.hintedRepositories.clear();
    const handles = this.shard.book.trackedChanges(Date.now(), settings.maxDays, wanted);
    for (let i = 0; i < handles.length; i += READ_BATCH) {
      const { configured, readings } = await this.api.readChanges(handles.slice(i, i + READ_BATCH));
      if (!configured) {
        this.problem =
          'no code host is configured on the worker (GITHUB_TOKEN or a GitHub App): PRs are not followed';
        break;
      }
      for (const entry of this.shard.book.takeReadings(readings, Date.now())) {
        if (
          !workspaceGoesWithChange(this.shard.settings.job.cleanup) ||
          !entry.replicaKept ||
          !entry.replicaId
        )
          continue;
        try {
          await this.api.deleteReplica(entry.replicaId);
          entry.replicaKept = false;
        } catch (error) {
          log.warn('could not delete the workspace of a settled PR', {
            item: entry.key,
            error: String(error),
          });
        }
      }
    }
    this.shard.markChanged(true);
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
