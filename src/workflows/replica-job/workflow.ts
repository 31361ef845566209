import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  FailureTypes,
  JOB_DEFAULTS,
  JOB_EVENT_TYPES,
  JobFailureTypes,
  TASK_QUEUES,
  mergePullRequests,
  replicaName,
  type JobState,
  type ReplicaJobActivities,
  type ReplicaJobInput,
  type ReplicaJobResult,
  type ReplicaJobStatus,
  type ReplicaSnapshot,
} from '../../contracts';
import {
  deletesReplica,
  durationText,
  jobSettings,
  judgeConflict,
  judgeTurn,
  nextLookDelay,
  planWait,
  turnMarker,
  type JobSettings,
} from '../../policy/job-policy';
import { canContinueOn, continuationMessage } from '../../policy/change-continuation';
import { jobMetrics } from '../metrics';
import { EventInbox } from './event-inbox';
import { jobStateQuery, replicaEventSignal } from './messages';

const ABORTED = 'JobAborted';
const TIMED_OUT = 'JobTimedOut';
/** Replicas of this job cannot be older than its start minus this (clock skew between hosts). */
const CLOCK_SKEW_MARGIN_MS = 10 * 60_000;

const abort = (message: string) => ApplicationFailure.nonRetryable(message, ABORTED);
const timedOut = (message: string) => ApplicationFailure.nonRetryable(message, TIMED_OUT);

function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(error);
}

/**
 * One repository's journey: create a replica, wait for each turn (webhook first, adaptive looks as
 * the net), send follow-ups exactly once (waking a sleeping workspace, giving up on an errored one),
 * collect the PRs, and clean up however the job ends. Succeeds with the result; a failed or timed-out
 * item fails the workflow (non-retryable, the result in its details) so the Temporal UI shows it; a
 * cancelled job ends cancelled. Policy lives in `src/policy/job-policy.ts`.
 */
export async function replicaJobWorkflow(input: ReplicaJobInput): Promise<ReplicaJobResult> {
  return new ReplicaJob(input).run();
}

class ReplicaJob {
  private readonly inbox = new EventInbox();
  private readonly status: ReplicaJobStatus;
  private readonly settings: JobSettings;
  private readonly api: ReplicaJobActivities;
  private readonly poller: ReplicaJobActivities;
  private readonly name: string;
  private readonly startedAtMs = Date.now();
  private readonly jobDeadline: number;
  private replicaId?: string;
  private webhooks = false;
  private createStarted = false;
  /** Turns delivered to the agent (the instruction and each follow-up sent), finished or not. */
  private turnsStarted = 0;
  /** Inbox mark at the last look: a relevant webhook after it is the cue to look again. */
  private lookedAt = 0;
  /** Set when the look that ended the last turn also collected evidence and cleaned up. */
  private finished?: { deleted: boolean; lastMessage?: string };

  /**
   * What a turn's message marker names. A re-run continuing on a kept workspace shares the workflow id
   * with the run that sent its earlier messages there, so its markers name the attempt too.
   */
  private get markerScope(): string {
    const { workflowId } = workflowInfo();
    return this.input.continueChange ? `${workflowId}@${this.input.attempt ?? 1}` : workflowId;
  }

  constructor(private readonly input: ReplicaJobInput) {
    this.settings = jobSettings(input);
    this.jobDeadline = this.startedAtMs + this.settings.jobTimeoutMs;
    const attempt = input.attempt ?? 1;
    this.name = replicaName(input.campaignId, attempt > 1 ? `${input.itemKey}#${attempt}` : input.itemKey);
    this.status = { itemKey: input.itemKey, phase: 'creating', prs: [], turns: 0, eventsReceived: 0 };
    const taskQueue = input.apiTaskQueue ?? TASK_QUEUES.api;
    // 408/429/5xx/network errors are retried with backoff; the activities mark other 4xx non-retryable.
    const retry = {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 20,
    };
    this.api = proxyActivities<ReplicaJobActivities>({
      taskQueue,
      startToCloseTimeout: '2 minutes',
      // A call on a worker that died is retried once this passes without a heartbeat.
      heartbeatTimeout: input.apiHeartbeatTimeoutMs ?? JOB_DEFAULTS.apiHeartbeatTimeoutMs,
      retry,
    });
    this.poller = proxyActivities<ReplicaJobActivities>({
      taskQueue,
      startToCloseTimeout: this.settings.turnTimeoutMs + 5 * 60_000,
      heartbeatTimeout: input.pollHeartbeatTimeoutMs ?? JOB_DEFAULTS.pollHeartbeatTimeoutMs,
      retry,
    });
    setHandler(replicaEventSignal, (event) => {
      this.inbox.add(event);
      this.status.eventsReceived = this.inbox.received;
    });
    setHandler(jobStateQuery, () => ({ ...this.status, prs: [...this.status.prs] }));
  }

  async run(): Promise<ReplicaJobResult> {
    jobMetrics.started();
    let state: JobState = 'succeeded';
    let error: string | undefined;
    let cancellation: unknown;
    try {
      await this.execute();
    } catch (err) {
      ({ state, error } = this.classify(err));
      if (state === 'cancelled') cancellation = err;
      this.status.lastError = error;
      log.warn('replica job ended early', { state, error });
    }
    const { deleted, lastMessage } =
      this.finished ?? (await CancellationScope.nonCancellable(() => this.finish(state)));
    this.status.phase = 'done';
    jobMetrics.finished(state);
    const result: ReplicaJobResult = {
      itemKey: this.input.itemKey,
      attempt: this.input.attempt ?? 1,
      replicaId: this.replicaId,
      state,
      prs: this.status.prs,
      turns: this.status.turns,
      turnsStarted: this.turnsStarted,
      ...(error === undefined ? {} : { error }),
      startedAt: new Date(this.startedAtMs).toISOString(),
      endedAt: new Date().toISOString(),
      deleted,
      ...(lastMessage === undefined ? {} : { lastMessage }),
    };
    setCurrentDetails(
      `${state}: ${result.prs.map((pr) => pr.url).join(' ') || 'no PR'}${error ? ` — ${error}` : ''}`,
    );
    if (state === 'succeeded') return result;
    if (cancellation !== undefined) throw cancellation;
    throw ApplicationFailure.create({
      type: state === 'timed_out' ? JobFailureTypes.timedOut : JobFailureTypes.failed,
      message: error ?? state,
      nonRetryable: true,
      details: [result],
    });
  }

  private async execute(): Promise<void> {
    const change = this.input.continueChange;
    const task = change ? continuationMessage(change, this.input.message) : this.input.message;
    const followUps = this.input.followUps ?? [];
    if (!change?.replicaId || !(await this.resume(change.replicaId, task))) {
      await this.create(task);
    }
    await this.awaitTurn(1, followUps.length === 0);
    for (const [i, followUp] of followUps.entries()) {
      await this.sendFollowUp(followUp, i + 2);
      await this.awaitTurn(i + 2, i === followUps.length - 1);
    }
    this.status.phase = 'collecting';
  }

  private async create(message: string): Promise<void> {
    this.createStarted = true;
    const created = await this.api.createReplica({
      workflowId: workflowInfo().workflowId,
      name: this.name,
      environmentId: this.input.environmentId,
      message,
      codingAgent: this.input.codingAgent,
      model: this.input.model,
      thinkingLevel: this.input.thinkingLevel,
      size: this.input.size,
      lifecyclePolicy: this.input.lifecyclePolicy,
      webhooks: this.input.webhooks ?? true,
      lookupExisting: this.input.lookupExisting ?? false,
      notBeforeMs: this.startedAtMs - CLOCK_SKEW_MARGIN_MS,
    });
    this.adopt(created.replicaId, created.status, created.webhookRegistered);
    this.turnsStarted = 1;
  }

  /**
   * A re-run continues on the workspace the earlier run kept, when it still lives: the first turn is
   * a message there (a sleeping workspace is woken by the 409 path). False when it is gone or errored.
   */
  private async resume(replicaId: string, message: string): Promise<boolean> {
    const { snapshot, webhookRegistered } = await this.api.resumeReplica({
      replicaId,
      workflowId: workflowInfo().workflowId,
      webhooks: this.input.webhooks ?? true,
    });
    if (!canContinueOn(snapshot)) return false;
    this.adopt(replicaId, snapshot.status, webhookRegistered);
    this.observe(snapshot);
    await this.sendFollowUp(message, 1);
    return true;
  }

  private adopt(replicaId: string, status: string, webhooks: boolean): void {
    this.replicaId = replicaId;
    this.webhooks = webhooks;
    this.status.replicaId = replicaId;
    this.status.replicaStatus = status;
    this.inbox.bind(replicaId);
    setCurrentDetails(`replica ${replicaId}`);
  }

  private classify(err: unknown): { state: JobState; error: string } {
    // Without a timeout scope around the job, a cancellation can only come from a cancel request.
    if (isCancellation(err)) return { state: 'cancelled', error: 'job cancelled' };
    if (failureType(err) === TIMED_OUT) return { state: 'timed_out', error: failureMessage(err) };
    return { state: 'failed', error: failureMessage(err) };
  }

  /** Waits until turn `turn` is over: nothing processing, or the workspace slept, errored or vanished. */
  private async awaitTurn(turn: number, last: boolean): Promise<void> {
    this.status.phase = 'waiting_turn';
    const turnDeadline = Date.now() + this.settings.turnTimeoutMs;
    const deletedMeansDone = this.input.lifecyclePolicy === 'delete_when_done';
    let waking = false;
    let wakes = 0;
    for (let looks = 0; ; looks += 1) {
      const snapshot = await this.nextTurnLook(turn, last, turnDeadline, looks, waking);
      if (this.finished) break;
      const verdict = judgeTurn(snapshot, deletedMeansDone, this.platformError(snapshot));
      if (verdict.kind === 'done') break;
      if (verdict.kind === 'abort') throw abort(verdict.reason);
      waking = verdict.kind === 'wake' || verdict.waking;
      if (verdict.kind === 'wake') {
        // Fell asleep mid-turn: the turn resumes once the workspace is awake again.
        if (wakes >= this.settings.maxWakeAttempts)
          throw abort(`replica ${snapshot.replicaId} still asleep after ${wakes} wake attempts`);
        wakes += 1;
        await this.requestWake();
      }
    }
    this.status.turns = turn;
  }

  /**
   * The next look at the replica during a turn. With webhooks: at once when a relevant webhook came
   * since the last look, else one durable timer until the next adaptive look or a deadline, whichever
   * is first, cut short by the next webhook; a look cued by the last turn's `turn_completed` also
   * finishes the job when it confirms the turn is over. Without: one heartbeating long-poll activity.
   */
  private async nextTurnLook(
    turn: number,
    last: boolean,
    turnDeadline: number,
    looks: number,
    waking: boolean,
  ): Promise<ReplicaSnapshot> {
    const what = `turn ${turn} did not finish`;
    if (this.webhooks) {
      await this.waitForLook(
        JOB_EVENT_TYPES,
        nextLookDelay(this.settings, looks, waking),
        turnDeadline,
        what,
      );
      const turnOver = this.inbox.arrivedSince(this.lookedAt, ['replica.turn_completed']);
      return last && turnOver ? this.lookAndFinish() : this.look();
    }
    const plan = planWait(Date.now(), Number.POSITIVE_INFINITY, turnDeadline, this.jobDeadline);
    const interval = this.settings.pollIntervalMs;
    try {
      if (plan.waitMs <= 0) throw this.expired(plan.then, what);
      return this.observe(
        await CancellationScope.withTimeout(plan.waitMs, () =>
          this.poller.pollReplica({
            replicaId: this.replicaId as string,
            until: 'turn',
            intervalMs: interval,
            initialDelayMs: interval,
          }),
        ),
      );
    } catch (err) {
      // The deadline's scope cancelled the poll; a cancel request of the job propagates unchanged.
      if (isCancellation(err) && !CancellationScope.current().consideredCancelled)
        throw this.expired(plan.then, what);
      throw err;
    }
  }

  /** Waits for one of these webhooks or the look's time; reaching a deadline first ends the job. */
  private async waitForLook(
    types: readonly string[],
    delayMs: number,
    turnDeadline: number,
    what: string,
  ): Promise<void> {
    const cue = () => this.inbox.arrivedSince(this.lookedAt, types);
    if (cue()) return;
    const now = Date.now();
    const plan = planWait(now, now + delayMs, turnDeadline, this.jobDeadline);
    const cued = plan.waitMs > 0 && (await condition(cue, plan.waitMs));
    if (!cued && plan.then !== 'look') throw this.expired(plan.then, what);
  }

  private expired(which: 'turn_timeout' | 'job_timeout' | 'look', what: string): ApplicationFailure {
    return which === 'job_timeout'
      ? timedOut(`job did not finish within ${durationText(this.settings.jobTimeoutMs)}`)
      : timedOut(`${what} within ${durationText(this.settings.turnTimeoutMs)}`);
  }

  private async look(): Promise<ReplicaSnapshot> {
    this.lookedAt = this.inbox.mark;
    return this.observe(await this.api.getReplicaSnapshot(this.replicaId as string));
  }

  /** The last turn's look after its webhook: when the turn is over, evidence and cleanup in one go. */
  private async lookAndFinish(): Promise<ReplicaSnapshot> {
    this.lookedAt = this.inbox.mark;
    const { snapshot, finished } = await this.api.lookAndFinish({
      replicaId: this.replicaId as string,
      deletedMeansDone: this.input.lifecyclePolicy === 'delete_when_done',
      deleteOnSuccess: deletesReplica(this.settings.cleanup, 'succeeded'),
      knownPullRequests: mergePullRequests(this.status.prs, this.knownPullRequests()).length,
    });
    this.finished = finished;
    return this.observe(snapshot);
  }

  private knownPullRequests() {
    return this.inbox.ofType('replica.turn_completed').flatMap((event) => event.prs ?? []);
  }

  private observe(snapshot: ReplicaSnapshot): ReplicaSnapshot {
    this.status.replicaStatus = snapshot.status;
    this.status.prs = mergePullRequests(this.status.prs, [
      ...this.knownPullRequests(),
      ...snapshot.pullRequests,
    ]);
    return snapshot;
  }

  private platformError(snapshot: ReplicaSnapshot): string {
    const fromEvent = this.inbox.ofType('replica.error').at(-1)?.errorMessage;
    const message = fromEvent ?? snapshot.errorMessage;
    if (message === undefined && snapshot.status !== 'error') return '';
    return `replica ${snapshot.replicaId} failed: ${message ?? 'the workspace entered the error state'}`;
  }

  /**
   * Sends a follow-up exactly once. Every send of this turn carries the turn's marker; once a send was
   * refused (409) or its outcome is unknown, the next one first checks whether the message landed. A
   * 409 means asleep (wake, wait until awake, send again) or errored (give up with its message).
   */
  private async sendFollowUp(message: string, turn: number): Promise<void> {
    const replicaId = this.replicaId as string;
    const marker = turnMarker(this.markerScope, turn);
    const sinceMs = Date.now();
    const deadline = sinceMs + this.settings.turnTimeoutMs;
    let verifyFirst = false;
    for (let wakes = 0; ;) {
      this.status.phase = 'sending_follow_up';
      try {
        await this.api.sendReplicaMessage({ replicaId, message, marker, verifyFirst, sinceMs });
        this.turnsStarted += 1;
        return;
      } catch (err) {
        if (failureType(err) !== FailureTypes.conflict) throw err;
      }
      verifyFirst = true;
      const snapshot = await this.look();
      const verdict = judgeConflict(snapshot, this.platformError(snapshot));
      if (verdict.kind === 'abort') {
        jobMetrics.aborted();
        throw abort(verdict.reason);
      }
      if (verdict.kind === 'wake') {
        if (wakes >= this.settings.maxWakeAttempts)
          throw abort(
            `follow-up not delivered: replica ${replicaId} still ${snapshot.status} after ${wakes} wake attempts`,
          );
        wakes += 1;
        await this.wakeUntilActive(snapshot, deadline);
      }
    }
  }

  /** Wakes the workspace and waits (looks, cut short by a webhook) until it is active again. */
  private async wakeUntilActive(snapshot: ReplicaSnapshot, deadline: number): Promise<void> {
    this.status.phase = 'waking';
    let current = snapshot;
    for (let wakes = 0; current.status !== 'active' || current.waking;) {
      if (current.status === 'error' || current.status === 'deleted')
        throw abort(this.platformError(current));
      if (!current.waking && current.status !== 'preparing') {
        if (wakes >= this.settings.maxWakeAttempts)
          throw abort(`replica ${current.replicaId} still ${current.status} after ${wakes} wake attempts`);
        wakes += 1;
        await this.requestWake();
      }
      await this.waitForLook(
        JOB_EVENT_TYPES,
        this.settings.lookAfterMs,
        deadline,
        `replica ${current.replicaId} did not wake`,
      );
      current = await this.look();
    }
  }

  private async requestWake(): Promise<void> {
    jobMetrics.woke();
    try {
      await this.api.wakeReplica(this.replicaId as string);
    } catch (err) {
      // A 409 here means it errored meanwhile (or is not wakeable yet): the next look decides.
      if (failureType(err) !== FailureTypes.conflict) throw err;
    }
  }

  /**
   * Collects evidence and cleans up; never throws. An item that ends without a PR keeps the agent's
   * last answer (why it made no change, or how it failed) while the workspace can still tell it.
   */
  private async finish(state: JobState): Promise<{ deleted: boolean; lastMessage?: string }> {
    this.status.phase = 'cleaning_up';
    let lastMessage: string | undefined;
    try {
      if (this.replicaId && this.status.prs.length === 0 && this.status.replicaStatus === 'active') {
        lastMessage = await this.api.lastAgentMessage(this.replicaId);
      }
      if (!deletesReplica(this.settings.cleanup, state)) return { deleted: false, lastMessage };
      let replicaId = this.replicaId;
      // Cancelled or timed out mid-create: the replica may exist although its id never reached us.
      if (!replicaId && this.createStarted && state !== 'failed') {
        replicaId =
          (await this.api.findReplicaByName({
            name: this.name,
            notBeforeMs: this.startedAtMs - CLOCK_SKEW_MARGIN_MS,
          })) ?? undefined;
      }
      if (!replicaId) return { deleted: false, lastMessage };
      await this.api.deleteReplica(replicaId);
      return { deleted: true, lastMessage };
    } catch (err) {
      this.status.lastError = `cleanup failed: ${failureMessage(err)}`;
      return { deleted: false, lastMessage };
    }
  }
}
