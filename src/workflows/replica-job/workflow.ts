import {
  ApplicationFailure,
  CancellationScope,
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
  JobFailureTypes,
  TASK_QUEUES,
  replicaName,
  type JobState,
  type ReplicaJobActivities,
  type ReplicaJobInput,
  type ReplicaJobResult,
  type ReplicaJobStatus,
} from '../../contracts';
import {
  deletesReplica,
  jobSettings,
  judgeConflict,
  turnMarker,
  type JobSettings,
} from '../../policy/job-policy';
import { canContinueOn, continuationMessage } from '../../policy/change-continuation';
import { jobMetrics } from '../metrics';
import { EventInbox } from './event-inbox';
import { TIMED_OUT, abort, failureMessage, failureType } from './failures';
import { jobStateQuery, replicaEventSignal } from './messages';
import { TurnWatch } from './turn-watch';

/** Replicas of this job cannot be older than its start minus this (clock skew between hosts). */
const CLOCK_SKEW_MARGIN_MS = 10 * 60_000;

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
  private readonly name: string;
  private readonly startedAtMs = Date.now();
  private readonly watch: TurnWatch;
  private createStarted = false;
  /** Turns delivered to the agent (the instruction and each follow-up sent), finished or not. */
  private turnsStarted = 0;

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
    const poller = proxyActivities<ReplicaJobActivities>({
      taskQueue,
      startToCloseTimeout: this.settings.turnTimeoutMs + 5 * 60_000,
      heartbeatTimeout: input.pollHeartbeatTimeoutMs ?? JOB_DEFAULTS.pollHeartbeatTimeoutMs,
      retry,
    });
    this.watch = new TurnWatch({
      inbox: this.inbox,
      status: this.status,
      settings: this.settings,
      api: this.api,
      poller,
      jobDeadline: this.startedAtMs + this.settings.jobTimeoutMs,
      deletedMeansDone: input.lifecyclePolicy === 'delete_when_done',
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
      this.watch.finished ?? (await CancellationScope.nonCancellable(() => this.finish(state)));
    this.status.phase = 'done';
    jobMetrics.finished(state);
    const result: ReplicaJobResult = {
      itemKey: this.input.itemKey,
      attempt: this.input.attempt ?? 1,
      replicaId: this.watch.replicaId,
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
    const fixTurn = this.input.fixTurn;
    // A fix turn's message already names the PR; a re-run's is told which change it continues.
    const task =
      change && fixTurn === undefined ? continuationMessage(change, this.input.message) : this.input.message;
    const followUps = this.input.followUps ?? [];
    if (!change?.replicaId || !(await this.resume(change.replicaId, task))) {
      // A fix belongs where the PR was made: a new workspace would not know the change.
      if (fixTurn !== undefined)
        throw ApplicationFailure.create({
          type: JobFailureTypes.failed,
          message: `its workspace ${change?.replicaId ?? '(none)'} is gone (deleted, expired or errored)`,
          nonRetryable: true,
        });
      await this.create(task);
    }
    await this.watch.awaitTurn(1, followUps.length === 0);
    for (const [i, followUp] of followUps.entries()) {
      await this.sendFollowUp(followUp, i + 2);
      await this.watch.awaitTurn(i + 2, i === followUps.length - 1);
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
      workspaceConfig: this.input.workspaceConfig,
      webhooks: this.input.webhooks ?? true,
      lookupExisting: this.input.lookupExisting ?? false,
      notBeforeMs: this.startedAtMs - CLOCK_SKEW_MARGIN_MS,
    });
    this.watch.adopt(created.replicaId, created.status, created.webhookRegistered);
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
    this.watch.adopt(replicaId, snapshot.status, webhookRegistered);
    this.watch.observe(snapshot);
    await this.sendFollowUp(message, 1);
    return true;
  }

  private classify(err: unknown): { state: JobState; error: string } {
    // Without a timeout scope around the job, a cancellation can only come from a cancel request.
    if (isCancellation(err)) return { state: 'cancelled', error: 'job cancelled' };
    if (failureType(err) === TIMED_OUT) return { state: 'timed_out', error: failureMessage(err) };
    return { state: 'failed', error: failureMessage(err) };
  }

  /**
   * Sends a follow-up exactly once. Every send of this turn carries the turn's marker; once a send was
   * refused (409) or its outcome is unknown, the next one first checks whether the message landed. A
   * 409 means asleep (wake, wait until awake, send again) or errored (give up with its message).
   */
  private async sendFollowUp(message: string, turn: number): Promise<void> {
    const replicaId = this.watch.replicaId as string;
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
      const snapshot = await this.watch.look();
      const verdict = judgeConflict(snapshot, this.watch.platformError(snapshot));
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
        await this.watch.wakeUntilActive(snapshot, deadline);
      }
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
      let replicaId = this.watch.replicaId;
      if (replicaId && this.status.prs.length === 0 && this.status.replicaStatus === 'active') {
        lastMessage = await this.api.lastAgentMessage(replicaId);
      }
      if (!deletesReplica(this.settings.cleanup, state)) return { deleted: false, lastMessage };
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
