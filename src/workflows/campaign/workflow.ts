import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CAMPAIGN_CONTINUING_AS_NEW,
  CAMPAIGN_DEFAULTS,
  CampaignIdAttribute,
  CampaignStateAttribute,
  LIMITS,
  TASK_QUEUES,
  describeStopReason,
  groupByShard,
  reportEveryMsFor,
  shardOf,
  shardWorkflowId,
  type ApplySummary,
  type ApplyTicket,
  type CampaignActivities,
  type KeptReplica,
  type CampaignTargets,
  type ResolvedTargets,
  type CampaignHeader,
  type CampaignItem,
  type CampaignProgress,
  type ShardAck,
  type ShardCommand,
  type ShardJobSettings,
  type TemporalLookupActivities,
} from '../../contracts';
import { CampaignBook, type CampaignCarry } from '../../policy/campaign-book';
import { recordCampaign } from '../metrics';
import { CAMPAIGN_SETTLES_IN_HANDLERS } from '../patches';
import { shardCommandSignal, shardGrantSignal } from '../shard/messages';
import { shardWorkflow } from '../shard/workflow';
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
  type OrderedItem,
} from './messages';

/** What a closed campaign returns: its last progress, and what a later apply reopens it from. */
export interface CampaignResult {
  progress: CampaignProgress;
  carry: CampaignCarry;
}

export interface CampaignInput {
  header: CampaignHeader;
  /** Started without the CLI (a schedule): the campaign applies its spec itself, items or targets. */
  selfApply?: boolean;
  initialItems?: CampaignItem[];
  carry?: CampaignCarry;
}

/** Targets resolved per activity call: one page of repositories. */
const TARGETS_PAGE = 200;

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
  private readonly acks = new Map<string, ShardAck>();
  private readonly starting = new Map<number, Promise<void>>();
  private requestSeq = 0;
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
    this.book.c.runs += 1;
    this.restored = input.carry !== undefined;
    this.settlesInHandlers = patched(CAMPAIGN_SETTLES_IN_HANDLERS);
    this.api = proxyActivities<CampaignActivities>({
      taskQueue: input.header.apiTaskQueue ?? TASK_QUEUES.api,
      startToCloseTimeout: '10 minutes',
      retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
    });
    this.installHandlers();
  }

  async run(): Promise<CampaignResult> {
    upsertSearchAttributes([{ key: CampaignIdAttribute, value: this.id }]);
    if (!this.restored) {
      // Applied again after it was closed: continue from where it stopped.
      const previous = (await this.lookups.previousResult(this.id)) as CampaignResult | null;
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
      if (this.book.c.closed) return this.close();
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
        await condition(() => this.book.c.closed || due() || dueToContinue());
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
    this.grant();
    this.describe();
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
  private touched(): void {
    if (!this.settlesInHandlers) this.changed = true;
    // Before an earlier run's state is back, the loop's first pass settles.
    else if (this.restored) this.settle(Date.now());
  }

  // ---- handlers, in plain sight ----

  private installHandlers(): void {
    setHandler(shardReportSignal, (report) => {
      if (this.book.acceptReport(report)) this.touched();
    });
    setHandler(shardAckSignal, (ack) => {
      this.book.acceptReport(ack.report);
      this.acks.set(ack.requestId, ack);
      this.touched();
    });
    setHandler(progressQuery, () => this.book.progress(this.id));
    setHandler(headerQuery, () => this.book.c.header);
    setHandler(shardsQuery, () => ({
      shardCount: this.book.c.shardCount,
      shards: this.book.c.shards
        .filter((s) => s.started)
        .map((s) => ({ index: s.index, workflowId: shardWorkflowId(this.id, s.index) })),
    }));

    setHandler(applyUpdate, (request) => this.apply(request), {
      validator: ({ total }) => {
        this.refuseIf(this.book.applyRefusal());
        if (!Number.isInteger(total) || total < 0)
          throw new Error(`total must be a whole number, got ${total}`);
      },
    });
    setHandler(applyItemsUpdate, (chunk) => this.applyItems(chunk), {
      validator: ({ applyId, shard, items }) => {
        // Chunks in flight from parallel senders would keep a full history from ever continuing:
        // refuse new ones (not recorded) until it has, and the sender sends them again.
        if (workflowInfo().continueAsNewSuggested)
          throw ApplicationFailure.create({
            type: CAMPAIGN_CONTINUING_AS_NEW,
            message: 'the campaign is continuing as new: send this chunk again',
            nonRetryable: true,
          });
        if (applyId !== this.book.c.applySeq)
          throw new Error(`apply ${applyId} was superseded by apply ${this.book.c.applySeq}`);
        if (!Number.isInteger(shard) || shard < 0 || shard >= this.book.c.shardCount)
          throw new Error(`shard must be from 0 to ${this.book.c.shardCount - 1}, got ${shard}`);
        if (!Array.isArray(items) || items.length > LIMITS.maxItemsPerUpdate)
          throw new Error(`items must be a list of at most ${LIMITS.maxItemsPerUpdate}`);
        const stray = items.find((item) => shardOf(item.key, this.book.c.shardCount) !== shard);
        if (stray)
          throw new Error(
            `item "${stray.key}" belongs to shard ${shardOf(stray.key, this.book.c.shardCount)}`,
          );
      },
    });
    setHandler(finishApplyUpdate, (request) => this.finishApply(request), {
      validator: ({ applyId }) => {
        if (applyId !== this.book.c.applySeq)
          throw new Error(`apply ${applyId} was superseded by apply ${this.book.c.applySeq}`);
      },
    });
    setHandler(releaseReplicasUpdate, (replicas) => this.releaseReplicas(replicas), {
      validator: (replicas) => {
        if (!Array.isArray(replicas) || replicas.length > LIMITS.maxItemsPerUpdate)
          throw new Error(`send at most ${LIMITS.maxItemsPerUpdate} replicas per update`);
      },
    });
    setHandler(retryFailedUpdate, () => this.retryFailed(), {
      validator: () => this.validate((b) => b.retryFailed()),
    });
    setHandler(
      setConcurrencyUpdate,
      (concurrency) => {
        this.book.setConcurrency(concurrency);
        this.touched();
        return { concurrency };
      },
      {
        validator: (concurrency) => {
          if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > LIMITS.maxConcurrency)
            throw new Error(
              `concurrency must be a whole number from 1 to ${LIMITS.maxConcurrency}, got ${concurrency}`,
            );
        },
      },
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

  private refuseIf(reason: string | undefined): void {
    if (reason !== undefined) throw new Error(reason);
  }

  /** A validator: would this control apply? Tried on a copy, so a refusal changes nothing. */
  private validate(control: (book: CampaignBook) => string | undefined): void {
    this.refuseIf(control(new CampaignBook(JSON.parse(JSON.stringify(this.book.c)) as CampaignCarry)));
  }

  private control(control: (book: CampaignBook) => string | undefined): CampaignProgress {
    this.refuseIf(control(this.book));
    this.touched();
    return this.book.progress(this.id);
  }

  // ---- applies ----

  private async apply(request: {
    header?: CampaignHeader;
    total: number;
    retryFailed?: boolean;
    addOnly?: boolean;
  }) {
    await condition(() => this.restored);
    const header = request.header ?? this.book.c.header;
    const targets = request.addOnly ? undefined : header.targets;
    // A targets spec is resolved here, page by page; its first page tells how many items there are.
    const first = targets && (await this.api.resolveTargets({ targets, offset: 0, limit: TARGETS_PAGE }));
    const ticket = this.book.beginApply(header, first ? first.total : request.total);
    if (request.retryFailed) this.book.retryFailed();
    this.touched();
    if (ticket.settingsChanged) await this.broadcast({ kind: 'settings', settings: this.shardSettings() });
    if (!targets || !first) return ticket;
    const summary = await this.deliverTargets(targets, first, ticket, request.retryFailed ?? false);
    this.book.finishApply();
    // Runs from before the patch waited for the next report to notice.
    if (this.settlesInHandlers) this.touched();
    return { ...ticket, summary };
  }

  private async applyItems(chunk: {
    applyId: number;
    shard: number;
    items: OrderedItem[];
    retryFailed?: boolean;
    addOnly?: boolean;
  }): Promise<ApplySummary> {
    const ack = await this.command(chunk.shard, {
      kind: 'items',
      applyId: chunk.applyId,
      items: this.book.route(chunk.items),
      retryFailed: chunk.retryFailed ?? false,
      addOnly: chunk.addOnly ?? false,
    });
    const { requeued: _requeued, ...summary } = ack.summary;
    return summary;
  }

  private async finishApply({
    applyId,
    prune,
  }: {
    applyId: number;
    prune?: boolean;
  }): Promise<{ pruned: number }> {
    let pruned = 0;
    if (prune) {
      const acks = await this.broadcast({ kind: 'prune', applyId });
      pruned = acks.reduce((n, ack) => n + ack.summary.pruned, 0);
    }
    this.book.finishApply();
    this.touched();
    return { pruned };
  }

  /** The campaign applies a spec itself: a schedule's run, or a targets spec started without the CLI. */
  private async applyItself(header: CampaignHeader, items: CampaignItem[] | undefined): Promise<void> {
    if (!items) {
      await this.apply({ header, total: 0 });
      return;
    }
    const ticket = this.book.beginApply(header, items.length);
    await this.deliver(
      items.map((item, i) => ({ ...item, ordinal: ticket.ordinalBase + i })),
      ticket.applyId,
      false,
    );
    this.book.finishApply();
  }

  private async deliverTargets(
    targets: CampaignTargets,
    first: ResolvedTargets,
    ticket: ApplyTicket,
    retryFailed: boolean,
  ): Promise<ApplySummary> {
    const summary: ApplySummary = { added: 0, kept: 0, retried: 0, pruned: 0, updated: 0 };
    let page = first;
    for (let offset = 0; ;) {
      const items = page.items.map((item, i) => ({ ...item, ordinal: ticket.ordinalBase + offset + i }));
      const delivered = await this.deliver(items, ticket.applyId, retryFailed);
      for (const key of Object.keys(summary) as (keyof ApplySummary)[]) summary[key] += delivered[key];
      offset += TARGETS_PAGE;
      if (offset >= page.total || page.items.length === 0) return summary;
      page = await this.api.resolveTargets({ targets, offset, limit: TARGETS_PAGE });
    }
  }

  /** Routes items to their shards, one command per shard, and adds up what each did. */
  private async deliver(items: OrderedItem[], applyId: number, retryFailed: boolean): Promise<ApplySummary> {
    const byShard = groupByShard(items, this.book.c.shardCount);
    const summary: ApplySummary = { added: 0, kept: 0, retried: 0, pruned: 0, updated: 0 };
    for (const [shard, chunk] of byShard) {
      for (let i = 0; i < chunk.length; i += LIMITS.maxItemsPerUpdate) {
        const done = await this.applyItems({
          applyId,
          shard,
          items: chunk.slice(i, i + LIMITS.maxItemsPerUpdate),
          retryFailed,
        });
        for (const key of Object.keys(summary) as (keyof ApplySummary)[]) summary[key] += done[key];
      }
    }
    return summary;
  }

  private async releaseReplicas(replicas: KeptReplica[]): Promise<{ released: number }> {
    const started = (index: number) => this.book.c.shards.some((s) => s.index === index && s.started);
    const byShard = groupByShard(replicas, this.book.c.shardCount);
    const acks = await Promise.all(
      [...byShard]
        .filter(([index]) => started(index))
        .map(([index, chunk]) => this.command(index, { kind: 'released', replicas: chunk })),
    );
    return { released: acks.reduce((n, ack) => n + ack.summary.updated, 0) };
  }

  private async retryFailed(): Promise<{ requeued: number }> {
    this.refuseIf(this.book.retryFailed());
    const acks = await this.broadcast({ kind: 'retry' });
    this.touched();
    return { requeued: acks.reduce((n, ack) => n + ack.summary.requeued, 0) };
  }

  private async cancel(control: (book: CampaignBook) => string | undefined): Promise<CampaignProgress> {
    this.refuseIf(control(this.book));
    await this.broadcast({ kind: 'cancel' });
    this.touched();
    return this.book.progress(this.id);
  }

  // ---- shards ----

  private shardSettings(): ShardJobSettings {
    const header = this.book.c.header;
    return {
      job: header.job,
      awaitVerdicts: header.failureThreshold !== undefined,
      apiTaskQueue: header.apiTaskQueue,
      estimatedMinutesPerItem: header.estimatedMinutesPerItem ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem,
      reportEveryMs: reportEveryMsFor(this.book.c.shardCount),
    };
  }

  private ensureShard(index: number): Promise<void> {
    const ledger = this.book.c.shards[index];
    if (!ledger || ledger.started) return Promise.resolve();
    let starting = this.starting.get(index);
    if (!starting) {
      starting = (async () => {
        try {
          await startChild(shardWorkflow, {
            workflowId: shardWorkflowId(this.id, index),
            args: [{ campaignId: this.id, index, settings: this.shardSettings() }],
            // Shards outlive this run: continue-as-new must not take them down; they signal by id.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            typedSearchAttributes: [{ key: CampaignIdAttribute, value: this.id }],
            staticSummary: `shard ${index} of campaign ${this.id}`,
          });
        } catch (error) {
          // Already running (an earlier run of this campaign started it): it is the same shard.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
        ledger.started = true;
      })();
      this.starting.set(index, starting);
    }
    return starting;
  }

  /** Sends a command to one shard and waits for its acknowledgement. */
  private async command(
    index: number,
    command: DistributiveOmit<ShardCommand, 'requestId'>,
  ): Promise<ShardAck> {
    await this.ensureShard(index);
    const requestId = `${this.book.c.runs}.${(this.requestSeq += 1)}`;
    await getExternalWorkflowHandle(shardWorkflowId(this.id, index)).signal(shardCommandSignal, {
      ...command,
      requestId,
    } as ShardCommand);
    await condition(() => this.acks.has(requestId));
    const ack = this.acks.get(requestId) as ShardAck;
    this.acks.delete(requestId);
    return ack;
  }

  /** The same command to every started shard, in parallel. */
  private broadcast(command: DistributiveOmit<ShardCommand, 'requestId'>): Promise<ShardAck[]> {
    return Promise.all(
      this.book.c.shards.filter((s) => s.started).map((s) => this.command(s.index, command)),
    );
  }

  /** Sends each shard its changed grant; a shard that is gone is not worth failing over. */
  private grant(): void {
    for (const { index, grant } of this.book.nextGrants()) {
      getExternalWorkflowHandle(shardWorkflowId(this.id, index))
        .signal(shardGrantSignal, grant)
        .catch((error: unknown) => log.warn('could not grant shard', { shard: index, error: String(error) }));
    }
  }

  private describe(): void {
    const p = this.book.progress(this.id);
    recordCampaign(p);
    if (p.state !== this.lastState) {
      // Searchable in the Temporal UI and `campaign list`: CampaignState = 'awaiting_approval'.
      upsertSearchAttributes([{ key: CampaignStateAttribute, value: p.state }]);
      this.lastState = p.state;
    }
    const reason = p.stopReason ? ` — ${describeStopReason(p.stopReason)}` : '';
    setCurrentDetails(
      `${p.state}: ${p.counts.succeeded + p.counts.failed + p.counts.timed_out + p.counts.cancelled + p.counts.skipped}/${p.total} done, ${p.counts.running} running, ${p.counts.failed + p.counts.timed_out} failed, ${p.prsOpened} PRs${reason}`,
    );
  }

  private async close(): Promise<CampaignResult> {
    await this.broadcast({ kind: 'close' });
    await condition(allHandlersFinished);
    this.describe();
    return { progress: this.book.progress(this.id), carry: this.book.c };
  }

  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<typeof campaignWorkflow>({ header: this.book.c.header, carry: this.book.c });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
