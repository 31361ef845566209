import { CancellationScope, condition, isCancellation, setCurrentDetails } from '@temporalio/workflow';
import {
  FailureTypes,
  JOB_EVENT_TYPES,
  mergePullRequests,
  type ReplicaJobActivities,
  type ReplicaJobStatus,
  type ReplicaSnapshot,
} from '../../contracts';
import {
  deletesReplica,
  durationText,
  judgeTurn,
  nextLookDelay,
  planWait,
  type JobSettings,
} from '../../policy/job-policy';
import { jobMetrics } from '../metrics';
import type { EventInbox } from './event-inbox';
import { abort, failureType, timedOut } from './failures';

/** What the watch shares with its job: the status it keeps current, the activities, the deadlines. */
export interface TurnWatchDeps {
  inbox: EventInbox;
  status: ReplicaJobStatus;
  settings: JobSettings;
  api: ReplicaJobActivities;
  /** The long-poll activity, with a timeout that covers a whole turn. */
  poller: ReplicaJobActivities;
  jobDeadline: number;
  /** The workspace deletes itself when its work is done: a deleted one has finished its turn. */
  deletedMeansDone: boolean;
}

/**
 * A job's eyes on its replica: waits for each turn to end (webhook first, adaptive looks as the net,
 * or one long-poll without webhooks), wakes a workspace that fell asleep, and keeps the job's status
 * (replica status, PRs) current with every look.
 */
export class TurnWatch {
  private id?: string;
  private webhooks = false;
  /** Inbox mark at the last look: a relevant webhook after it is the cue to look again. */
  private lookedAt = 0;
  /** Set when the look that ended the last turn also collected evidence and cleaned up. */
  finished?: { deleted: boolean; lastMessage?: string };

  constructor(private readonly deps: TurnWatchDeps) {}

  get replicaId(): string | undefined {
    return this.id;
  }

  /** From now on the job follows this replica: its webhooks count, its status shows. */
  adopt(replicaId: string, status: string, webhooks: boolean): void {
    this.id = replicaId;
    this.webhooks = webhooks;
    this.deps.status.replicaId = replicaId;
    this.deps.status.replicaStatus = status;
    this.deps.inbox.bind(replicaId);
    setCurrentDetails(`replica ${replicaId}`);
  }

  /** Waits until turn `turn` is over: nothing processing, or the workspace slept, errored or vanished. */
  async awaitTurn(turn: number, last: boolean): Promise<void> {
    const { status, settings } = this.deps;
    status.phase = 'waiting_turn';
    const turnDeadline = Date.now() + settings.turnTimeoutMs;
    let waking = false;
    let wakes = 0;
    for (let looks = 0; ; looks += 1) {
      const snapshot = await this.nextTurnLook(turn, last, turnDeadline, looks, waking);
      if (this.finished) break;
      const verdict = judgeTurn(snapshot, this.deps.deletedMeansDone, this.platformError(snapshot));
      if (verdict.kind === 'done') break;
      if (verdict.kind === 'abort') throw abort(verdict.reason);
      waking = verdict.kind === 'wake' || verdict.waking;
      if (verdict.kind === 'wake') {
        // Fell asleep mid-turn: the turn resumes once the workspace is awake again.
        if (wakes >= settings.maxWakeAttempts)
          throw abort(`replica ${snapshot.replicaId} still asleep after ${wakes} wake attempts`);
        wakes += 1;
        await this.requestWake();
      }
    }
    status.turns = turn;
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
    const { settings, inbox } = this.deps;
    const what = `turn ${turn} did not finish`;
    if (this.webhooks) {
      await this.waitForLook(JOB_EVENT_TYPES, nextLookDelay(settings, looks, waking), turnDeadline, what);
      const turnOver = inbox.arrivedSince(this.lookedAt, ['replica.turn_completed']);
      return last && turnOver ? this.lookAndFinish() : this.look();
    }
    const plan = planWait(Date.now(), Number.POSITIVE_INFINITY, turnDeadline, this.deps.jobDeadline);
    const interval = settings.pollIntervalMs;
    try {
      if (plan.waitMs <= 0) throw this.expired(plan.then, what);
      return this.observe(
        await CancellationScope.withTimeout(plan.waitMs, () =>
          this.deps.poller.pollReplica({
            replicaId: this.id as string,
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
    const cue = () => this.deps.inbox.arrivedSince(this.lookedAt, types);
    if (cue()) return;
    const now = Date.now();
    const plan = planWait(now, now + delayMs, turnDeadline, this.deps.jobDeadline);
    const cued = plan.waitMs > 0 && (await condition(cue, plan.waitMs));
    if (!cued && plan.then !== 'look') throw this.expired(plan.then, what);
  }

  private expired(which: 'turn_timeout' | 'job_timeout' | 'look', what: string) {
    const { jobTimeoutMs, turnTimeoutMs } = this.deps.settings;
    return which === 'job_timeout'
      ? timedOut(`job did not finish within ${durationText(jobTimeoutMs)}`)
      : timedOut(`${what} within ${durationText(turnTimeoutMs)}`);
  }

  async look(): Promise<ReplicaSnapshot> {
    this.lookedAt = this.deps.inbox.mark;
    return this.observe(await this.deps.api.getReplicaSnapshot(this.id as string));
  }

  /** The last turn's look after its webhook: when the turn is over, evidence and cleanup in one go. */
  private async lookAndFinish(): Promise<ReplicaSnapshot> {
    this.lookedAt = this.deps.inbox.mark;
    const { snapshot, finished } = await this.deps.api.lookAndFinish({
      replicaId: this.id as string,
      deletedMeansDone: this.deps.deletedMeansDone,
      deleteOnSuccess: deletesReplica(this.deps.settings.cleanup, 'succeeded'),
      knownPullRequests: mergePullRequests(this.deps.status.prs, this.knownPullRequests()).length,
    });
    this.finished = finished;
    return this.observe(snapshot);
  }

  private knownPullRequests() {
    return this.deps.inbox.ofType('replica.turn_completed').flatMap((event) => event.prs ?? []);
  }

  /** Keeps the job's status current with what a look saw, and the PRs webhooks told of. */
  observe(snapshot: ReplicaSnapshot): ReplicaSnapshot {
    const status = this.deps.status;
    status.replicaStatus = snapshot.status;
    status.prs = mergePullRequests(status.prs, [...this.knownPullRequests(), ...snapshot.pullRequests]);
    return snapshot;
  }

  /** Why the workspace failed, from its error webhook or the look; empty while it has not. */
  platformError(snapshot: ReplicaSnapshot): string {
    const fromEvent = this.deps.inbox.ofType('replica.error').at(-1)?.errorMessage;
    const message = fromEvent ?? snapshot.errorMessage;
    if (message === undefined && snapshot.status !== 'error') return '';
    return `replica ${snapshot.replicaId} failed: ${message ?? 'the workspace entered the error state'}`;
  }

  /** Wakes the workspace and waits (looks, cut short by a webhook) until it is active again. */
  async wakeUntilActive(snapshot: ReplicaSnapshot, deadline: number): Promise<void> {
    this.deps.status.phase = 'waking';
    const maxWakes = this.deps.settings.maxWakeAttempts;
    let current = snapshot;
    for (let wakes = 0; current.status !== 'active' || current.waking;) {
      if (current.status === 'error' || current.status === 'deleted')
        throw abort(this.platformError(current));
      if (!current.waking && current.status !== 'preparing') {
        if (wakes >= maxWakes)
          throw abort(`replica ${current.replicaId} still ${current.status} after ${wakes} wake attempts`);
        wakes += 1;
        await this.requestWake();
      }
      await this.waitForLook(
        JOB_EVENT_TYPES,
        this.deps.settings.lookAfterMs,
        deadline,
        `replica ${current.replicaId} did not wake`,
      );
      current = await this.look();
    }
  }

  private async requestWake(): Promise<void> {
    jobMetrics.woke();
    try {
      await this.deps.api.wakeReplica(this.id as string);
    } catch (err) {
      // A 409 here means it errored meanwhile (or is not wakeable yet): the next look decides.
      if (failureType(err) !== FailureTypes.conflict) throw err;
    }
  }
}
