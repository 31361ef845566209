import { TerminatedFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  sleep,
  startChild,
} from '@temporalio/workflow';
import {
  CampaignIdAttribute,
  RepositoryAttribute,
  SHARD_LIMITS,
  endedJob,
  jobWorkflowId,
  renderMessage,
  type JobLookup,
  type ReplicaJobInput,
  type ShardJobSettings,
  type TemporalLookupActivities,
} from '../../contracts';
import type { BookEntry, ItemBook, JobOutcome } from '../../policy/item-book';
import { replicaJobWorkflow } from '../replica-job/workflow';

/** What following jobs needs of its shard. */
export interface JobRunsShard {
  readonly campaignId: string;
  /** The shard's book; replaced when a closed earlier run's records come back. */
  readonly book: ItemBook;
  readonly settings: ShardJobSettings;
  /** A job ended as `outcome`: true when the book took it (it was that attempt, still running). */
  jobEnded(key: string, attempt: number, outcome: JobOutcome): boolean;
  /** Something changed that the shard's loop should look at. */
  markChanged(): void;
}

/**
 * A shard's replica jobs, from start to end: starts each as a child workflow, learns how it ended from
 * the child itself, and asks Temporal about the ones whose end never reached the shard (an id an
 * earlier run holds, a result lost to a reset).
 */
export class JobRuns {
  /** Child starts and results in flight: continue-as-new waits until none are left. */
  private running = 0;
  /** Items whose workflow id was taken by an earlier run: Temporal is asked how they ended. */
  private readonly unresolved = new Set<string>();
  private lastProgressMs = Date.now();
  private sweepTimer = false;
  private recheckTimer = false;

  constructor(
    private readonly shard: JobRunsShard,
    private readonly lookups: TemporalLookupActivities,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Starts the item's job without waiting on it; its end comes back through `jobEnded`. */
  start(entry: BookEntry): void {
    this.shard.book.markStarted(entry, Date.now());
    this.running += 1;
    const { key, attempt } = entry;
    const settings = this.shard.settings;
    const job = settings.job;
    const item = { key, environmentId: entry.environmentId, repository: entry.repository, vars: entry.vars };
    const input: ReplicaJobInput = {
      ...job,
      campaignId: this.shard.campaignId,
      itemKey: key,
      attempt,
      repository: entry.repository,
      environmentId: entry.environmentId,
      message: renderMessage(job.message, item),
      followUps: job.followUps?.map((followUp) => renderMessage(followUp, item)),
      apiTaskQueue: settings.apiTaskQueue,
      lookupExisting: attempt > 1,
      ...(entry.continueFrom && { continueChange: entry.continueFrom }),
    };
    void this.run(key, attempt, input);
  }

  private async run(key: string, attempt: number, input: ReplicaJobInput): Promise<void> {
    let outcome: JobOutcome;
    try {
      const child = await startChild(replicaJobWorkflow, {
        workflowId: jobWorkflowId(this.shard.campaignId, key),
        args: [input],
        // A shard closed by force takes its jobs down with cleanup; continue-as-new first drains them.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        // Identity: a succeeded item's job can never run twice; only a failed one may run again.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [
          { key: CampaignIdAttribute, value: this.shard.campaignId },
          ...(input.repository ? [{ key: RepositoryAttribute, value: input.repository }] : []),
        ],
        staticSummary: `${input.repository ?? key}: ${firstLine(input.message)}`,
      });
      outcome = { kind: 'result', result: await child.result() };
    } catch (error) {
      const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
      // An earlier run of this item's job holds the id (it succeeded, or is still running), or the job
      // was terminated out of band (the reason is on its own history): Temporal is asked.
      if (error instanceof WorkflowExecutionAlreadyStartedError || cause instanceof TerminatedFailure) {
        this.unresolved.add(key);
        this.running -= 1;
        this.shard.markChanged();
        return;
      }
      const ended = endedJob(cause);
      outcome = ended.result ? { kind: 'result', result: ended.result } : { kind: 'lost', ...ended };
    }
    this.running -= 1;
    this.ended(key, attempt, outcome);
  }

  private ended(key: string, attempt: number, outcome: JobOutcome): void {
    if (this.shard.jobEnded(key, attempt, outcome)) this.lastProgressMs = Date.now();
  }

  /**
   * Jobs whose end the shard cannot learn from the child itself: ids taken by an earlier run, and —
   * when nothing has ended for a while — every running job, in case a result was lost.
   */
  async resolveLost(): Promise<void> {
    const stale = Date.now() - this.lastProgressMs >= SHARD_LIMITS.reconcileAfterMs;
    const keys = new Set(this.unresolved);
    if (stale) for (const entry of this.shard.book.running()) keys.add(entry.key);
    if (keys.size === 0) return;
    this.lastProgressMs = Date.now();
    const keyOf = new Map([...keys].map((key) => [jobWorkflowId(this.shard.campaignId, key), key]));
    const ids = [...keyOf.keys()];
    const found: JobLookup[] = [];
    for (let i = 0; i < ids.length; i += 100)
      found.push(...(await this.lookups.describeJobs(ids.slice(i, i + 100))));
    for (const lookup of found) {
      const key = keyOf.get(lookup.workflowId) as string;
      const attempt = this.shard.book.get(key)?.attempt ?? 1;
      if (lookup.status === 'running') continue;
      this.unresolved.delete(key);
      if (lookup.status === 'succeeded') this.ended(key, attempt, { kind: 'result', result: lookup.result });
      else
        this.ended(
          key,
          attempt,
          lookup.result
            ? { kind: 'result', result: lookup.result }
            : { kind: 'lost', state: lookup.state, error: lookup.error },
        );
    }
  }

  /**
   * Jobs may end without the shard hearing of it (a reset): look them up after a quiet while. Jobs of
   * an id an earlier run holds are looked up again soon.
   */
  scheduleSweep(): void {
    if (!this.sweepTimer && this.shard.book.running().length > 0) {
      this.sweepTimer = true;
      void sleep(SHARD_LIMITS.reconcileAfterMs).then(() => {
        this.sweepTimer = false;
        this.shard.markChanged();
      });
    }
    if (!this.recheckTimer && this.unresolved.size > 0) {
      this.recheckTimer = true;
      void sleep(SHARD_LIMITS.recheckTakenMs).then(() => {
        this.recheckTimer = false;
        this.shard.markChanged();
      });
    }
  }
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
