import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CAMPAIGN_CONTINUING_AS_NEW,
  CampaignIdAttribute,
  CampaignStateAttribute,
  TASK_QUEUES,
  describeProgress,
  shardWorkflowId,
  type CampaignActivities,
  type CampaignHeader,
  type CampaignItem,
  type CampaignProgress,
  type TemporalLookupActivities,
} from '../../contracts';
import { CampaignBook } from '../../policy/campaign-book';
import { recordCampaign } from '../metrics';
import { CAMPAIGN_SETTLES_IN_HANDLERS, FIX_TURNS_WITHIN_BUDGET } from '../patches';
import { ApplyDelivery } from './apply-delivery';
import {
  applyItemsUpdate,
  applyUpdate,
  approveUpdate,
  cancelUpdate,
  closeUpdate,
  finishApplyUpdate,
  headerQuery,
  pauseUpdate,
  progressQuery,
  rejectUpdate,
  resumeUpdate,
  releaseReplicasUpdate,
  retryFailedUpdate,
  setConcurrencyUpdate,
  shardAckSignal,
  shardReportSignal,
  shardsQuery,
  type ApplyRequest,
  type CampaignInput,
  type CampaignResult,
  type FinishApplyRequest,
} from './messages';
import { ShardMessaging } from './shard-messaging';

export type { CampaignInput, CampaignResult } from './messages';

/**
 * A campaign: a durable object users converge toward done. Applies reconcile items by key into shard
 * workflows that run the jobs; the campaign shares out the global window (concurrency, pacing, budget),
 * runs the rollout, keeps aggregate counts, and stays open after the last item until it is closed or
 * its retention passes. Rules live in `src/policy/campaign-book.ts`.
 */
export async function campaignWorkflow(input: CampaignInput): Promise<CampaignResult> {
  return new Campaign(input).run();
}

class Campaign {
  private readonly id = workflowInfo().workflowId;
  private readonly book: CampaignBook;
  private readonly api: CampaignActivities;
  private readonly shards: ShardMessaging;
  private readonly delivery: ApplyDelivery;
  private readonly lookups = proxyActivities<TemporalLookupActivities>({ startToCloseTimeout: '1 minute' });
  /** Updates wait until a reopened campaign has its earlier state back. */
  private restored: boolean;
  /** Something changed since the loop last ran (runs from before CAMPAIGN_SETTLES_IN_HANDLERS). */
  private changed = true;
  private lastState?: string;
  private readonly settlesInHandlers: boolean;
  /** The deadline a timer is set for (CAMPAIGN_SETTLES_IN_HANDLERS): retention or the next quota window. */
  private armedWake?: number;

  constructor(private readonly input: CampaignInput) {
    this.book = input.carry
      ? new CampaignBook(input.carry)
      : CampaignBook.create(input.header, new Date().toISOString());
    this.shards = new ShardMessaging(this.id, this.book, this.book.beginRun());
    this.restored = input.carry !== undefined;
    this.settlesInHandlers = patched(CAMPAIGN_SETTLES_IN_HANDLERS);
    this.shards.fixTurnsWithinBudget = patched(FIX_TURNS_WITHIN_BUDGET);
    this.api = proxyActivities<CampaignActivities>({
      taskQueue: input.header.apiTaskQueue ?? TASK_QUEUES.api,
      startToCloseTimeout: '10 minutes',
      retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
    });
    this.delivery = new ApplyDelivery(this.api, this.shards, this.book);
    this.installHandlers();
  }

  async run(): Promise<CampaignResult> {
    upsertSearchAttributes([{ key: CampaignIdAttribute, value: this.id }]);
    if (!this.restored) {
      // Applied again after it was closed: continue from where it stopped.
      const previous = await this.lookups.previousResult<typeof campaignWorkflow>(this.id);
      if (previous?.carry) this.book.reopen(previous.carry);
      this.restored = true;
    }
    if (!this.input.carry && this.input.selfApply) {
      await this.applyItself(this.input.header, this.input.initialItems);
    }
    for (;;) {
      const now = Date.now();
      if (this.armedWake !== undefined && now >= this.armedWake) this.armedWake = undefined;
      this.settle(now);
      if (this.book.isClosed) return this.close();
      const wake = this.book.nextWakeMs();
      if (wake !== undefined && now >= wake && this.book.state() !== 'running') {
        // Idle past its retention: close, as `campaign close` would.
        if (this.book.close() === undefined) continue;
      }
      const dueToContinue = () => workflowInfo().continueAsNewSuggested && allHandlersFinished();
      if (dueToContinue()) await this.continueAsNew();
      if (this.settlesInHandlers) {
        // Handlers settle the book themselves; the loop wakes for what only it does: deadlines, closing.
        const due = () => this.armedWake !== undefined && Date.now() >= this.armedWake;
        await condition(() => this.book.isClosed || due() || dueToContinue());
        continue;
      }
      this.changed = false;
      // Not on the suggestion alone: while an update is still running, that would wake at once, forever.
      const woken = () => this.changed || dueToContinue();
      if (wake === undefined) await condition(woken);
      else await condition(woken, Math.max(1, wake - now));
    }
  }

  /** Rolls the quota window, judges the campaign, sends changed grants and shows where it stands. */
  private settle(now: number): void {
    this.book.rollQuotaWindow(now);
    this.book.evaluate(now);
    this.shards.sendGrants();
    this.publishProgress();
    if (this.settlesInHandlers) this.arm(now);
  }

  /**
   * Sets a timer for a new deadline, from wherever the book changed, like the grants. A timer set for
   * an earlier deadline is left to fire: cancelling it would be one more command, and the wake is cheap.
   */
  private arm(now: number): void {
    const wake = this.book.nextWakeMs();
    if (wake === undefined) return;
    // Never due in the task that sets it: a deadline already past wakes the loop in the next task.
    const due = Math.max(wake, now + 1);
    if (due === this.armedWake) return;
    this.armedWake = due;
    void sleep(due - now);
  }

  /** The book changed: settle it here, in the handler (see CAMPAIGN_SETTLES_IN_HANDLERS), or let the loop. */
  private bookChanged(): void {
    if (!this.settlesInHandlers) this.changed = true;
    // Before an earlier run's state is back, the loop's first pass settles.
    else if (this.restored) this.settle(Date.now());
  }

  // ---- handlers, in plain sight; each validator asks the book why it would refuse ----

  private installHandlers(): void {
    setHandler(shardReportSignal, (report) => {
      if (this.book.acceptReport(report)) this.bookChanged();
    });
    setHandler(shardAckSignal, (ack) => {
      this.book.acceptReport(ack.report);
      this.shards.acknowledge(ack);
      this.bookChanged();
    });
    setHandler(progressQuery, () => this.book.progress(this.id));
    setHandler(headerQuery, () => this.book.header);
    setHandler(shardsQuery, () => ({
      shardCount: this.book.shardCount,
      shards: this.book
        .startedShards()
        .map((index) => ({ index, workflowId: shardWorkflowId(this.id, index) })),
    }));

    setHandler(applyUpdate, (request) => this.apply(request), {
      validator: ({ total }) => refuseIf(this.book.applyRequestRefusal(total)),
    });
    setHandler(applyItemsUpdate, (chunk) => this.delivery.chunk(chunk), {
      validator: (chunk) => {
        // Chunks in flight from parallel senders would keep a full history from ever continuing:
        // refuse new ones (not recorded) until it has, and the sender sends them again.
        if (workflowInfo().continueAsNewSuggested)
          throw ApplicationFailure.create({
            type: CAMPAIGN_CONTINUING_AS_NEW,
            message: 'the campaign is continuing as new: send this chunk again',
            nonRetryable: true,
          });
        refuseIf(this.book.chunkRefusal(chunk));
      },
    });
    setHandler(finishApplyUpdate, (request) => this.finishApply(request), {
      validator: ({ applyId }) => refuseIf(this.book.supersededRefusal(applyId)),
    });
    setHandler(releaseReplicasUpdate, (replicas) => this.shards.release(replicas), {
      validator: (replicas) => refuseIf(this.book.releaseRefusal(replicas)),
    });
    setHandler(retryFailedUpdate, () => this.retryFailed(), {
      validator: () => this.validate((b) => b.retryFailed()),
    });
    setHandler(
      setConcurrencyUpdate,
      (concurrency) => {
        this.book.setConcurrency(concurrency);
        this.bookChanged();
        return { concurrency };
      },
      { validator: (concurrency) => refuseIf(this.book.concurrencyRefusal(concurrency)) },
    );
    setHandler(pauseUpdate, () => this.control((b) => b.pause()), {
      validator: () => this.validate((b) => b.pause()),
    });
    setHandler(resumeUpdate, () => this.control((b) => b.resume()), {
      validator: () => this.validate((b) => b.resume()),
    });
    setHandler(approveUpdate, () => this.control((b) => b.approve()), {
      validator: () => this.validate((b) => b.approve()),
    });
    setHandler(cancelUpdate, () => this.cancel((b) => b.cancel()), {
      validator: () => this.validate((b) => b.cancel()),
    });
    setHandler(rejectUpdate, () => this.cancel((b) => b.reject()), {
      validator: () => this.validate((b) => b.reject()),
    });
    setHandler(closeUpdate, () => this.control((b) => b.close()), {
      validator: () => this.validate((b) => b.close()),
    });
  }

  /** A validator: would this control apply? Tried on a copy, so a refusal changes nothing. */
  private validate(control: (book: CampaignBook) => string | undefined): void {
    refuseIf(control(this.book.copy()));
  }

  private control(control: (book: CampaignBook) => string | undefined): CampaignProgress {
    refuseIf(control(this.book));
    this.bookChanged();
    return this.book.progress(this.id);
  }

  // ---- applies ----

  private async apply(request: ApplyRequest) {
    await condition(() => this.restored);
    const header = request.header ?? this.book.header;
    const targets = request.addOnly ? undefined : header.targets;
    // A targets spec is resolved here, page by page; its first page tells how many items there are.
    const first = targets && (await this.delivery.firstPage(targets));
    const ticket = this.book.beginApply(header, first ? first.total : request.total);
    if (request.retryFailed) this.book.retryFailed();
    this.bookChanged();
    if (ticket.settingsChanged)
      await this.shards.broadcast({ kind: 'settings', settings: this.book.shardSettings() });
    if (!targets || !first) return ticket;
    const summary = await this.delivery.targets(targets, first, ticket, request.retryFailed ?? false);
    this.book.finishApply();
    // Runs from before the patch waited for the next report to notice.
    if (this.settlesInHandlers) this.bookChanged();
    return { ...ticket, summary };
  }

  private async finishApply({ applyId, prune }: FinishApplyRequest): Promise<{ pruned: number }> {
    let pruned = 0;
    if (prune) {
      const acks = await this.shards.broadcast({ kind: 'prune', applyId });
      pruned = acks.reduce((n, ack) => n + ack.summary.pruned, 0);
    }
    this.book.finishApply();
    this.bookChanged();
    return { pruned };
  }

  /** The campaign applies a spec itself: a schedule's run, or a targets spec started without the CLI. */
  private async applyItself(header: CampaignHeader, items: CampaignItem[] | undefined): Promise<void> {
    if (!items) {
      await this.apply({ header, total: 0 });
      return;
    }
    const ticket = this.book.beginApply(header, items.length);
    await this.delivery.items(
      items.map((item, i) => ({ ...item, ordinal: ticket.ordinalBase + i })),
      ticket.applyId,
      false,
    );
    this.book.finishApply();
  }

  // ---- controls that reach the shards ----

  private async retryFailed(): Promise<{ requeued: number }> {
    refuseIf(this.book.retryFailed());
    const acks = await this.shards.broadcast({ kind: 'retry' });
    this.bookChanged();
    return { requeued: acks.reduce((n, ack) => n + ack.summary.requeued, 0) };
  }

  private async cancel(control: (book: CampaignBook) => string | undefined): Promise<CampaignProgress> {
    refuseIf(control(this.book));
    await this.shards.broadcast({ kind: 'cancel' });
    this.bookChanged();
    return this.book.progress(this.id);
  }

  // ---- where it stands, and how a run ends ----

  /** Progress for the Temporal UI (details, the CampaignState search attribute) and the metrics. */
  private publishProgress(): void {
    const p = this.book.progress(this.id);
    recordCampaign(p);
    if (p.state !== this.lastState) {
      // Searchable in the Temporal UI and `campaign list`: CampaignState = 'awaiting_approval'.
      upsertSearchAttributes([{ key: CampaignStateAttribute, value: p.state }]);
      this.lastState = p.state;
    }
    setCurrentDetails(describeProgress(p));
  }

  private async close(): Promise<CampaignResult> {
    await this.shards.broadcast({ kind: 'close' });
    await condition(allHandlersFinished);
    this.publishProgress();
    return { progress: this.book.progress(this.id), carry: this.book.carried };
  }

  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<typeof campaignWorkflow>({ header: this.book.header, carry: this.book.carried });
  }
}

/** A refusal becomes the update's error (the update is rejected, nothing recorded). */
function refuseIf(reason: string | undefined): void {
  if (reason !== undefined) throw new Error(reason);
}
