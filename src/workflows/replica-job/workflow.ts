import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CampaignIdAttribute,
  FailureTypes,
  JOB_DEFAULTS,
  JobStateAttribute,
  ReplicaIdAttribute,
  RepositoryAttribute,
  TASK_QUEUES,
  mergePullRequests,
  replicaName,
  snapshotSettles,
  type JobState,
  type ReplicaJobActivities,
  type ReplicaJobInput,
  type ReplicaJobResult,
  type ReplicaJobStatus,
  type ReplicaSnapshot,
} from '../../contracts';
import { jobFinishedSignal } from '../campaign/job-report';
import { AWAKE_EVENTS, EventInbox, TURN_EVENTS } from './event-inbox';
import { jobStateQuery, replicaEventSignal } from './messages';

const ABORTED = 'JobAborted';
const TURN_TIMEOUT = 'TurnTimeout';

function abort(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ABORTED);
}

function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(error);
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/**
 * Runs `fn` with a deadline. Expiry becomes a `TurnTimeout` failure, told apart from a cancellation of
 * the enclosing scope (job timeout or cancel request), which propagates unchanged.
 */
async function withDeadline<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await CancellationScope.withTimeout(ms, fn);
  } catch (err) {
    if (isCancellation(err) && !CancellationScope.current().consideredCancelled) {
      throw ApplicationFailure.nonRetryable(`${what} within ${minutes(ms)}`, TURN_TIMEOUT);
    }
    throw err;
  }
}

/**
 * One repository's journey: create a replica, wait for each turn (webhook first, polling as the net),
 * send follow-ups (waking a sleeping workspace, giving up on an errored one), collect the PRs, and
 * clean up however the job ends.
 */
export async function replicaJobWorkflow(input: ReplicaJobInput): Promise<ReplicaJobResult> {
  return new ReplicaJobRun(input).run();
}

class ReplicaJobRun {
  private readonly inbox = new EventInbox();
  private readonly status: ReplicaJobStatus;
  private readonly api: ReplicaJobActivities;
  private readonly poller: ReplicaJobActivities;
  private readonly name: string;
  private readonly settings;
  /** Hint counts already acted on, per kind of wait, so each new webhook triggers exactly one look. */
  private readonly consumedHints = { turn: 0, awake: 0 };
  private replicaId?: string;
  private webhooks = false;
  private createStarted = false;

  constructor(private readonly input: ReplicaJobInput) {
    this.settings = {
      turnTimeoutMs: input.turnTimeoutMs ?? JOB_DEFAULTS.turnTimeoutMs,
      jobTimeoutMs: input.jobTimeoutMs ?? JOB_DEFAULTS.jobTimeoutMs,
      pollIntervalMs: input.pollIntervalMs ?? JOB_DEFAULTS.pollIntervalMs,
      webhookSafetyPollMs: input.webhookSafetyPollMs ?? JOB_DEFAULTS.webhookSafetyPollMs,
      maxWakeAttempts: input.maxWakeAttempts ?? JOB_DEFAULTS.maxWakeAttempts,
    };
    const attempt = input.attempt ?? 1;
    this.name = replicaName(input.campaignId, attempt > 1 ? `${input.itemKey}#${attempt}` : input.itemKey);
    this.status = { itemKey: input.itemKey, phase: 'creating', prs: [], turns: 0, eventsReceived: 0 };
    const taskQueue = input.apiTaskQueue ?? TASK_QUEUES.api;
    // 408/429/5xx/network errors are retried with backoff; the activities mark 4xx as non-retryable.
    const retry = {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 20,
    };
    this.api = proxyActivities<ReplicaJobActivities>({ taskQueue, startToCloseTimeout: '2 minutes', retry });
    this.poller = proxyActivities<ReplicaJobActivities>({
      taskQueue,
      startToCloseTimeout: this.settings.turnTimeoutMs + 5 * 60_000,
      // A poll on a crashed worker is retried elsewhere once this much time passes without a heartbeat.
      heartbeatTimeout: input.pollHeartbeatTimeoutMs ?? JOB_DEFAULTS.pollHeartbeatTimeoutMs,
      retry,
    });
    setHandler(replicaEventSignal, (event) => {
      this.inbox.add(event);
      this.status.eventsReceived = this.inbox.received;
      if (event.replicaId === this.replicaId && event.type === 'replica.ready')
        this.status.replicaStatus = 'active';
    });
    setHandler(jobStateQuery, () => ({ ...this.status, prs: [...this.status.prs] }));
  }

  async run(): Promise<ReplicaJobResult> {
    const startedAt = workflowInfo().startTime.toISOString();
    upsertSearchAttributes([
      { key: CampaignIdAttribute, value: this.input.campaignId },
      { key: JobStateAttribute, value: 'running' },
      ...(this.input.repository ? [{ key: RepositoryAttribute, value: this.input.repository }] : []),
    ]);
    let state: JobState = 'succeeded';
    let error: string | undefined;
    try {
      await CancellationScope.withTimeout(this.settings.jobTimeoutMs, () => this.execute());
    } catch (err) {
      ({ state, error } = this.classify(err));
      this.status.lastError = error;
      log.warn('replica job ended early', { state, error });
    }
    const deleted = await CancellationScope.nonCancellable(() => this.cleanUp(state));
    this.status.phase = 'done';
    upsertSearchAttributes([{ key: JobStateAttribute, value: state }]);
    const result: ReplicaJobResult = {
      itemKey: this.input.itemKey,
      attempt: this.input.attempt ?? 1,
      replicaId: this.replicaId,
      state,
      prs: this.status.prs,
      turns: this.status.turns,
      ...(error === undefined ? {} : { error }),
      startedAt,
      endedAt: new Date().toISOString(),
      deleted,
    };
    await CancellationScope.nonCancellable(() => this.report(result));
    return result;
  }

  private async report(result: ReplicaJobResult): Promise<void> {
    if (!this.input.reportTo) return;
    try {
      await getExternalWorkflowHandle(this.input.reportTo).signal(jobFinishedSignal, {
        workflowId: workflowInfo().workflowId,
        result,
      });
    } catch (err) {
      // A campaign that is gone no longer needs the report; the result stays this workflow's return value.
      log.warn('could not report to campaign', { campaign: this.input.reportTo, error: failureMessage(err) });
    }
  }

  private async execute(): Promise<void> {
    this.createStarted = true;
    const created = await this.api.createReplica({
      workflowId: workflowInfo().workflowId,
      name: this.name,
      environmentId: this.input.environmentId,
      message: this.input.message,
      codingAgent: this.input.codingAgent,
      model: this.input.model,
      thinkingLevel: this.input.thinkingLevel,
      size: this.input.size,
      lifecyclePolicy: this.input.lifecyclePolicy,
      webhooks: this.input.webhooks ?? true,
      lookupExisting: this.input.lookupExisting ?? false,
    });
    this.replicaId = created.replicaId;
    this.webhooks = created.webhookRegistered;
    this.status.replicaId = created.replicaId;
    this.status.replicaStatus = created.status;
    this.inbox.bind(created.replicaId);
    this.noteReady(); // the callback may have come before the create activity's result
    upsertSearchAttributes([{ key: ReplicaIdAttribute, value: created.replicaId }]);

    await this.awaitTurn(1);
    const followUps = this.input.followUps ?? [];
    for (let i = 0; i < followUps.length; i += 1) {
      await this.sendFollowUp(followUps[i] as string);
      await this.awaitTurn(i + 2);
    }
    this.status.phase = 'collecting';
  }

  /** Keeps the state query current from `replica.ready` without an API call; snapshots still decide. */
  private noteReady(): void {
    if (this.status.replicaStatus === 'preparing' && this.inbox.count(['replica.ready']) > 0) {
      this.status.replicaStatus = 'active';
    }
  }

  private classify(err: unknown): { state: JobState; error: string } {
    if (isCancellation(err)) {
      // The root scope is cancelled only by an external cancel request; otherwise our job timer fired.
      return CancellationScope.current().consideredCancelled
        ? { state: 'cancelled', error: 'job cancelled' }
        : { state: 'timed_out', error: `job did not finish within ${minutes(this.settings.jobTimeoutMs)}` };
    }
    const type = failureType(err);
    if (type === TURN_TIMEOUT) return { state: 'timed_out', error: failureMessage(err) };
    return { state: 'failed', error: failureMessage(err) };
  }

  /** Waits until turn `turn` is over: nothing processing, or the workspace slept, errored or vanished. */
  private async awaitTurn(turn: number): Promise<void> {
    this.status.phase = 'waiting_turn';
    await withDeadline(this.settings.turnTimeoutMs, `turn ${turn} did not finish`, async () => {
      for (;;) {
        const snapshot = await this.nextSnapshot('turn');
        if (this.turnIsOver(snapshot)) return;
        // Fell asleep mid-turn: the turn resumes once the workspace is awake again.
        if (snapshot.status === 'sleeping' && snapshot.processing) await this.wake(snapshot);
      }
    });
    this.status.turns = turn;
  }

  private turnIsOver(snapshot: ReplicaSnapshot): boolean {
    switch (snapshot.status) {
      case 'error':
        throw abort(this.platformError(snapshot));
      case 'deleted':
        // With delete_when_done the platform removes the workspace as soon as the agent finishes.
        if (this.input.lifecyclePolicy === 'delete_when_done') return true;
        throw abort(this.platformError(snapshot, 'the replica was deleted before the job finished'));
      case 'sleeping':
        return !snapshot.processing && snapshot.chatCount > 0;
      default:
        return snapshotSettles(snapshot, 'turn');
    }
  }

  /**
   * The next look at the replica: at once when a webhook arrived since the last look. Otherwise, with
   * webhooks, a durable timer (the safety net for lost deliveries) that the next webhook cuts short, so
   * no worker slot is held while waiting; without webhooks, one heartbeating long-poll activity for the
   * whole wait instead of a timer plus an activity per look.
   */
  private async nextSnapshot(kind: 'turn' | 'awake'): Promise<ReplicaSnapshot> {
    const replicaId = this.replicaId as string;
    const hintTypes = kind === 'turn' ? TURN_EVENTS : AWAKE_EVENTS;
    const hinted = () => this.inbox.count(hintTypes) > this.consumedHints[kind];
    if (!hinted()) {
      if (this.webhooks) {
        await condition(hinted, this.settings.webhookSafetyPollMs);
      } else {
        const interval = this.settings.pollIntervalMs;
        const pollScope = new CancellationScope();
        const poll = pollScope.run(() =>
          this.poller.pollReplica({ replicaId, until: kind, intervalMs: interval, initialDelayMs: interval }),
        );
        // Webhooks may still arrive (e.g. a replica adopted from a run that had them): they cut the poll short.
        const first = await Promise.race([poll, condition(hinted).then(() => undefined)]);
        if (first) return this.observe(first);
        pollScope.cancel();
        poll.catch(() => undefined); // its cancellation is the expected outcome
      }
    }
    this.consumedHints[kind] = this.inbox.count(hintTypes);
    return this.observe(await this.api.getReplicaSnapshot(replicaId));
  }

  private observe(snapshot: ReplicaSnapshot): ReplicaSnapshot {
    this.status.replicaStatus = snapshot.status;
    const fromEvents = this.inbox.ofType('replica.turn_completed').flatMap((event) => event.prs ?? []);
    this.status.prs = mergePullRequests(this.status.prs, [...fromEvents, ...snapshot.pullRequests]);
    return snapshot;
  }

  private platformError(
    snapshot: ReplicaSnapshot,
    fallback = 'the workspace entered the error state',
  ): string {
    const fromEvent = this.inbox.ofType('replica.error').at(-1)?.errorMessage;
    const message = fromEvent ?? snapshot.errorMessage ?? fallback;
    return `replica ${snapshot.replicaId} failed: ${message}`;
  }

  /** Sends a follow-up; a 409 means asleep (wake, then resend) or errored (give up with its message). */
  private async sendFollowUp(message: string): Promise<void> {
    const replicaId = this.replicaId as string;
    for (let attempt = 0; ; attempt += 1) {
      this.status.phase = 'sending_follow_up';
      try {
        await this.api.sendReplicaMessage({ replicaId, message });
        return;
      } catch (err) {
        if (failureType(err) !== FailureTypes.conflict) throw err;
      }
      const snapshot = this.observe(await this.api.getReplicaSnapshot(replicaId));
      if (snapshot.status === 'error' || snapshot.status === 'deleted')
        throw abort(this.platformError(snapshot));
      if (attempt >= this.settings.maxWakeAttempts) {
        throw abort(
          `follow-up not delivered: replica ${replicaId} still ${snapshot.status} after ${attempt} wake attempts`,
        );
      }
      await this.wake(snapshot);
    }
  }

  /** Wakes the workspace and waits until it is active; wakes again if it falls back asleep meanwhile. */
  private async wake(snapshot: ReplicaSnapshot): Promise<void> {
    this.status.phase = 'waking';
    const replicaId = snapshot.replicaId;
    await withDeadline(this.settings.turnTimeoutMs, `replica ${replicaId} did not wake`, async () => {
      let current = snapshot;
      for (let attempt = 1; ; attempt += 1) {
        if ((current.status === 'sleeping' || current.status === 'archived') && !current.waking) {
          if (attempt > this.settings.maxWakeAttempts) {
            throw abort(`replica ${replicaId} still ${current.status} after ${attempt - 1} wake attempts`);
          }
          await this.requestWake(replicaId);
        }
        current = await this.nextSnapshot('awake');
        if (current.status === 'error' || current.status === 'deleted')
          throw abort(this.platformError(current));
        if (current.status === 'active' && !current.waking) return;
      }
    });
  }

  private async requestWake(replicaId: string): Promise<void> {
    try {
      await this.api.wakeReplica(replicaId);
    } catch (err) {
      // A 409 here means it errored meanwhile (or is not wakeable yet): the next look decides.
      if (failureType(err) !== FailureTypes.conflict) throw err;
    }
  }

  /** Deletes the replica unless the policy keeps it; returns whether it is gone. Never throws. */
  private async cleanUp(state: JobState): Promise<boolean> {
    this.status.phase = 'cleaning_up';
    if ((this.input.cleanup ?? 'delete') === 'keep') return false;
    try {
      let replicaId = this.replicaId;
      // Cancelled or timed out mid-create: the replica may exist although its id never reached us.
      if (!replicaId && this.createStarted && (state === 'cancelled' || state === 'timed_out')) {
        replicaId = (await this.api.findReplicaByName(this.name)) ?? undefined;
      }
      if (!replicaId) return false;
      await this.api.deleteReplica(replicaId);
      return true;
    } catch (err) {
      this.status.lastError = `cleanup failed: ${failureMessage(err)}`;
      return false;
    }
  }
}
