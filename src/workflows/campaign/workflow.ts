import {
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CAMPAIGN_DEFAULTS,
  CampaignIdAttribute,
  LIMITS,
  TASK_QUEUES,
  costOf,
  jobWorkflowId,
  ratePerMinute,
  renderMessage,
  type CampaignActivities,
  type CampaignCarry,
  type CampaignInput,
  type CampaignItem,
  type CampaignProgress,
  type CampaignResult,
  type ItemRecord,
  type ReplicaJobResult,
} from '../../contracts';
import { replicaJobWorkflow } from '../replica-job/workflow';
import { jobFinishedSignal } from './job-report';
import {
  addItemsUpdate,
  cancelCampaignSignal,
  pauseSignal,
  progressQuery,
  resultsQuery,
  resumeSignal,
  retryFailedUpdate,
  setConcurrencyUpdate,
} from './messages';

/**
 * A campaign: one replica job per item, at most `concurrency` in flight, with live controls, guards
 * (failure threshold, budget, pacing) and continue-as-new that carries a compact state.
 */
export async function campaignWorkflow(input: CampaignInput): Promise<CampaignResult> {
  return new CampaignRun(input).run();
}

class CampaignRun {
  private readonly campaignId = workflowInfo().workflowId;
  private readonly spec;
  private readonly activities: CampaignActivities;
  private carry: CampaignCarry;
  private readonly records = new Map<string, ItemRecord>();
  private readonly itemByKey = new Map<string, CampaignItem>();
  /** Bumped by every report and control, so the main loop wakes exactly when something changed. */
  private version = 0;

  constructor(input: CampaignInput) {
    this.spec = input.spec;
    this.activities = proxyActivities<CampaignActivities>({
      taskQueue: input.spec.apiTaskQueue ?? TASK_QUEUES.api,
      startToCloseTimeout: '10 minutes',
      retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
    });
    this.carry = input.carry ?? {
      items: [...(input.spec.items ?? [])],
      records: [],
      startedAt: new Date().toISOString(),
      paused: false,
      cancelled: false,
      concurrency: input.spec.concurrency ?? CAMPAIGN_DEFAULTS.concurrency,
      recentStarts: [],
      runs: 0,
    };
    this.carry.runs += 1;
    for (const item of this.carry.items) this.itemByKey.set(item.key, item);
    for (const record of this.carry.records) this.records.set(record.key, record);
    // Before any handler runs: an update in the first activation must see every item.
    for (const item of this.carry.items) this.ensureRecord(item);
    this.installHandlers();
  }

  async run(): Promise<CampaignResult> {
    upsertSearchAttributes([{ key: CampaignIdAttribute, value: this.campaignId }]);
    try {
      if (this.carry.runs === 1 && this.spec.targets) {
        this.addItems(await this.activities.resolveTargets(this.spec.targets));
      }
      await this.loop();
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // The campaign itself was cancelled: same as the cancel control, cleanup included.
      await CancellationScope.nonCancellable(async () => {
        this.cancel();
        await condition(() => this.count('running') === 0);
      });
    }
    for (const record of this.records.values()) {
      if (record.state === 'pending') {
        record.state = this.carry.cancelled ? 'cancelled' : 'skipped';
        record.error = this.carry.stopReason;
      }
    }
    await condition(allHandlersFinished);
    return { summary: this.progress(), records: [...this.records.values()] };
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof campaignWorkflow>({
          spec: { ...this.spec, items: undefined, targets: undefined },
          carry: { ...this.carry, records: [...this.records.values()] },
        });
      }
      this.checkFailureThreshold();
      const running = this.count('running');
      const next = this.stopped ? undefined : this.nextPending();
      if (!next && running === 0) return;
      const seen = this.version;
      if (next && !this.carry.paused && running < this.carry.concurrency) {
        const waitMs = this.pacingWaitMs();
        if (waitMs > 0) {
          await condition(() => this.version !== seen, waitMs);
          continue;
        }
        const batch = this.nextBatch(this.carry.concurrency - running);
        if (batch.length > 0) {
          // One workflow task issues every start of the batch; awaiting them one by one would cost a
          // round trip to the server per child.
          await Promise.all(batch.map((record) => this.start(record)));
          continue;
        }
        // Over budget: wait for running items to settle their real cost; with none left, stop for good.
        if (running === 0) {
          this.carry.stopReason = `budget: the next item would take the projected spend past $${this.spec.budgetUsd}`;
          continue;
        }
      }
      await condition(() => this.version !== seen || workflowInfo().continueAsNewSuggested);
    }
  }

  private get stopped(): boolean {
    return this.carry.cancelled || this.carry.stopReason !== undefined;
  }

  private nextPending(): ItemRecord | undefined {
    for (const record of this.records.values()) if (record.state === 'pending') return record;
    return undefined;
  }

  /**
   * Pending items to start now, within the free slots, the pacing allowance and the budget. Each is
   * marked running before the next is considered, so the projections count it.
   */
  private nextBatch(slots: number): ItemRecord[] {
    const batch: ItemRecord[] = [];
    const perMinute = this.spec.startsPerMinute;
    for (const record of this.records.values()) {
      if (batch.length >= slots) break;
      if (record.state !== 'pending') continue;
      if (perMinute && this.carry.recentStarts.length >= perMinute) break;
      if (!this.budgetAllowsOneMore()) break;
      const now = Date.now();
      record.state = 'running';
      record.startedAtMs = now;
      this.carry.recentStarts.push(now);
      batch.push(record);
    }
    return batch;
  }

  private async start(record: ItemRecord): Promise<void> {
    const item = this.itemByKey.get(record.key) as CampaignItem;
    const job = this.spec.job;
    const args = {
      ...job,
      campaignId: this.campaignId,
      itemKey: item.key,
      attempt: record.attempt,
      repository: item.repository,
      environmentId: item.environmentId,
      message: renderMessage(job.message, item),
      followUps: job.followUps?.map((followUp) => renderMessage(followUp, item)),
      apiTaskQueue: this.spec.apiTaskQueue,
      lookupExisting: record.attempt > 1,
      reportTo: this.campaignId,
    };
    try {
      const child = await startChild(replicaJobWorkflow, {
        workflowId: jobWorkflowId(this.campaignId, item.key),
        args: [args],
        // Children outlive this run: continue-as-new must not take them down; they report by id.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      const attempt = record.attempt;
      child.result().then(
        (result) => this.finish(result),
        (err: unknown) => this.finishWithError(item.key, attempt, err),
      );
    } catch (err) {
      // Already running (e.g. started by an earlier run of this campaign id): attach; it reports by id.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.info('item already running; attached', { item: item.key });
    }
  }

  private finish(result: ReplicaJobResult): void {
    const record = this.records.get(result.itemKey);
    // Reports arrive twice (child result and signal) and may be late; only the current run counts.
    if (!record || record.state !== 'running' || record.attempt !== (result.attempt ?? 1)) return;
    record.state = result.state;
    record.replicaId = result.replicaId;
    record.prs = result.prs.map((pr) => pr.url);
    record.turns = result.turns;
    record.error = result.error?.slice(0, LIMITS.maxErrorLength);
    record.durationMs = Math.max(
      0,
      new Date(result.endedAt).getTime() - new Date(result.startedAt).getTime(),
    );
    record.costUsd = costOf(this.spec.job.size, record.durationMs);
    record.startedAtMs = undefined;
    this.version += 1;
  }

  private finishWithError(key: string, attempt: number, err: unknown): void {
    const record = this.records.get(key);
    if (!record || record.state !== 'running' || record.attempt !== attempt) return;
    record.state = isCancellation(err) ? 'cancelled' : 'failed';
    record.error = (err instanceof Error ? err.message : String(err)).slice(0, LIMITS.maxErrorLength);
    record.startedAtMs = undefined;
    this.version += 1;
  }

  private cancel(): void {
    if (this.carry.cancelled) return;
    this.carry.cancelled = true;
    this.carry.stopReason = 'cancelled';
    for (const record of this.records.values()) {
      if (record.state === 'pending') record.state = 'cancelled';
      if (record.state === 'running') {
        // By id, so children started by earlier runs of this campaign are reached too.
        getExternalWorkflowHandle(jobWorkflowId(this.campaignId, record.key))
          .cancel()
          .catch((err: unknown) =>
            log.warn('could not cancel item', { item: record.key, error: String(err) }),
          );
      }
    }
    this.version += 1;
  }

  private checkFailureThreshold(): void {
    const threshold = this.spec.failureThreshold;
    if (!threshold || this.stopped) return;
    const failed = this.count('failed') + this.count('timed_out');
    const finished = failed + this.count('succeeded');
    if (finished >= threshold.minFinished && (failed / finished) * 100 > threshold.percent) {
      this.carry.stopReason = `failure threshold: ${failed} of ${finished} finished items failed (limit ${threshold.percent}%)`;
    }
  }

  /** Spend of finished items plus running ones at least at the expected duration. */
  private projectedCost(): number {
    const rate = ratePerMinute(this.spec.job.size);
    const expectedMs =
      (this.spec.estimatedMinutesPerItem ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem) * 60_000;
    let total = 0;
    for (const record of this.records.values()) {
      if (record.costUsd !== undefined && record.state !== 'running') total += record.costUsd;
      if (record.state === 'running') {
        const elapsed = Date.now() - (record.startedAtMs ?? Date.now());
        total += (rate * Math.max(elapsed, expectedMs)) / 60_000;
      }
    }
    return total;
  }

  private budgetAllowsOneMore(): boolean {
    if (this.spec.budgetUsd === undefined) return true;
    const oneItem =
      ratePerMinute(this.spec.job.size) *
      (this.spec.estimatedMinutesPerItem ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem);
    return this.projectedCost() + oneItem <= this.spec.budgetUsd + 1e-9;
  }

  private pacingWaitMs(): number {
    const perMinute = this.spec.startsPerMinute;
    if (!perMinute) return 0;
    const now = Date.now();
    this.carry.recentStarts = this.carry.recentStarts.filter((t) => now - t < 60_000);
    if (this.carry.recentStarts.length < perMinute) return 0;
    return (this.carry.recentStarts[0] as number) + 60_000 - now;
  }

  private ensureRecord(item: CampaignItem): void {
    if (!this.records.has(item.key))
      this.records.set(item.key, { key: item.key, state: 'pending', attempt: 1 });
  }

  private addItems(items: CampaignItem[]): void {
    for (const item of items) {
      if (this.itemByKey.has(item.key)) continue;
      this.itemByKey.set(item.key, item);
      this.carry.items.push(item);
      this.ensureRecord(item);
    }
    this.version += 1;
  }

  private count(state: ItemRecord['state']): number {
    let n = 0;
    for (const record of this.records.values()) if (record.state === state) n += 1;
    return n;
  }

  private progress(): CampaignProgress {
    const prsOpened = [...this.records.values()].reduce((n, r) => n + (r.prs?.length ?? 0), 0);
    return {
      total: this.records.size,
      pending: this.count('pending'),
      running: this.count('running'),
      succeeded: this.count('succeeded'),
      failed: this.count('failed'),
      cancelled: this.count('cancelled'),
      timedOut: this.count('timed_out'),
      skipped: this.count('skipped'),
      prsOpened,
      startedAt: this.carry.startedAt,
      paused: this.carry.paused,
      concurrency: this.carry.concurrency,
      ...(this.carry.stopReason !== undefined && { stopReason: this.carry.stopReason }),
      estimatedCostUsd: Math.round(this.projectedCost() * 1000) / 1000,
      runs: this.carry.runs,
    };
  }

  private installHandlers(): void {
    const changed = () => {
      this.version += 1;
    };
    setHandler(jobFinishedSignal, ({ result }) => this.finish(result));
    setHandler(pauseSignal, () => {
      this.carry.paused = true;
      changed();
    });
    setHandler(resumeSignal, () => {
      this.carry.paused = false;
      changed();
    });
    setHandler(cancelCampaignSignal, () => this.cancel());
    setHandler(
      setConcurrencyUpdate,
      (concurrency) => {
        this.carry.concurrency = concurrency;
        changed();
        return { concurrency };
      },
      {
        validator: (concurrency) => {
          if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > LIMITS.maxConcurrency) {
            throw new Error(
              `concurrency must be a whole number from 1 to ${LIMITS.maxConcurrency}, got ${concurrency}`,
            );
          }
        },
      },
    );
    setHandler(
      retryFailedUpdate,
      () => {
        let requeued = 0;
        for (const record of this.records.values()) {
          if (record.state !== 'failed' && record.state !== 'timed_out') continue;
          Object.assign(record, { state: 'pending', attempt: record.attempt + 1 });
          for (const field of ['replicaId', 'prs', 'error', 'turns', 'durationMs', 'costUsd'] as const)
            delete record[field];
          requeued += 1;
        }
        // An explicit retry lifts the failure-threshold stop; cancel and budget stops stay.
        if (this.carry.stopReason?.startsWith('failure threshold')) this.carry.stopReason = undefined;
        changed();
        return { requeued };
      },
      {
        validator: () => {
          if (this.carry.cancelled)
            throw new Error('the campaign is cancelled; start a new one to retry its items');
        },
      },
    );
    setHandler(
      addItemsUpdate,
      (items) => {
        this.addItems(items);
        return { added: items.length, total: this.records.size };
      },
      {
        validator: (items) => {
          if (this.carry.cancelled) throw new Error('the campaign is cancelled; items cannot be added');
          if (!Array.isArray(items) || items.length === 0) throw new Error('items must be a non-empty list');
          if (this.records.size + items.length > LIMITS.maxItems) {
            throw new Error(
              `a campaign holds at most ${LIMITS.maxItems} items; start another campaign for the rest`,
            );
          }
          const keys = new Set<string>();
          for (const [i, item] of items.entries()) {
            if (typeof item?.key !== 'string' || !/^\S+$/.test(item.key))
              throw new Error(`items[${i}].key must be a non-empty string without whitespace`);
            if (typeof item.environmentId !== 'string' || !item.environmentId)
              throw new Error(`items[${i}].environmentId is required`);
            if (keys.has(item.key) || this.records.has(item.key))
              throw new Error(`items[${i}].key "${item.key}" already exists in this campaign`);
            keys.add(item.key);
          }
        },
      },
    );
    setHandler(progressQuery, () => this.progress());
    setHandler(resultsQuery, (page = {}) => {
      const all = [...this.records.values()];
      const offset = Math.max(0, page.offset ?? 0);
      const limit = Math.min(LIMITS.maxResultsPage, Math.max(1, page.limit ?? 100));
      return { offset, total: all.length, records: all.slice(offset, offset + limit) };
    });
  }
}
