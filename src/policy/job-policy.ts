/**
 * The replica job's rules, as plain functions of time and snapshots: when to look at the replica, what
 * a look means for the turn, when the job or a turn is out of time, and what cleanup does. The
 * workflow (`src/workflows/replica-job/workflow.ts`) is a thin shell that does the Temporal parts.
 */
import {
  JOB_DEFAULTS,
  snapshotSettles,
  type CleanupPolicy,
  type JobState,
  type ReplicaJobInput,
  type ReplicaSnapshot,
} from '../contracts';

export interface JobSettings {
  turnTimeoutMs: number;
  jobTimeoutMs: number;
  pollIntervalMs: number;
  webhookSafetyPollMs: number;
  lookAfterMs: number;
  maxWakeAttempts: number;
  cleanup: CleanupPolicy;
}

export function jobSettings(input: ReplicaJobInput): JobSettings {
  return {
    turnTimeoutMs: input.turnTimeoutMs ?? JOB_DEFAULTS.turnTimeoutMs,
    jobTimeoutMs: input.jobTimeoutMs ?? JOB_DEFAULTS.jobTimeoutMs,
    pollIntervalMs: input.pollIntervalMs ?? JOB_DEFAULTS.pollIntervalMs,
    webhookSafetyPollMs: input.webhookSafetyPollMs ?? JOB_DEFAULTS.webhookSafetyPollMs,
    lookAfterMs: Math.min(
      input.lookAfterMs ?? JOB_DEFAULTS.lookAfterMs,
      input.webhookSafetyPollMs ?? JOB_DEFAULTS.webhookSafetyPollMs,
    ),
    maxWakeAttempts: input.maxWakeAttempts ?? JOB_DEFAULTS.maxWakeAttempts,
    cleanup: input.cleanup ?? JOB_DEFAULTS.cleanup,
  };
}

/**
 * With webhooks, when to look at the replica next: the platform sends no webhook when a workspace
 * falls asleep, and a delivery can be lost, so the job looks after `lookAfterMs`, then backs off
 * (doubling) up to the safety interval. While a wake is under way it looks again after `lookAfterMs`.
 */
export function nextLookDelay(settings: JobSettings, looksSoFar: number, waking: boolean): number {
  if (waking) return settings.lookAfterMs;
  const backedOff = settings.lookAfterMs * 2 ** Math.min(looksSoFar, 20);
  return Math.min(backedOff, settings.webhookSafetyPollMs);
}

/** The three clocks of a wait: the next look, the turn's deadline and the job's; the earliest wins. */
export interface WaitPlan {
  /** How long to wait (one durable timer, cut short by a webhook). */
  waitMs: number;
  /** What the end of the wait means if no webhook cuts it short. */
  then: 'look' | 'turn_timeout' | 'job_timeout';
}

export function planWait(
  now: number,
  nextLookAt: number,
  turnDeadline: number,
  jobDeadline: number,
): WaitPlan {
  const candidates: [number, WaitPlan['then']][] = [
    [jobDeadline, 'job_timeout'],
    [turnDeadline, 'turn_timeout'],
    [nextLookAt, 'look'],
  ];
  // Ties go to the deadline: a look at the deadline cannot save the turn anyway.
  const [at, then] = candidates.reduce((best, c) => (c[0] < best[0] ? c : best));
  return { waitMs: Math.max(0, at - now), then };
}

/** What a look at the replica means while a turn runs. */
export type TurnVerdict =
  | { kind: 'done' }
  /** Still working, preparing or waking: wait (`waking` looks again sooner). */
  | { kind: 'wait'; waking: boolean }
  /** Asleep with the turn unfinished: the turn resumes once the workspace is woken. */
  | { kind: 'wake' }
  | { kind: 'abort'; reason: string };

export function judgeTurn(
  snapshot: ReplicaSnapshot,
  deletedMeansDone: boolean,
  platformError: string,
): TurnVerdict {
  switch (snapshot.status) {
    case 'error':
      return { kind: 'abort', reason: platformError };
    case 'deleted':
      // With delete_when_done the platform removes the workspace as soon as the agent finishes.
      return deletedMeansDone
        ? { kind: 'done' }
        : { kind: 'abort', reason: platformError || 'the replica was deleted before the job finished' };
    case 'sleeping':
      if (!snapshot.processing && snapshot.chatCount > 0) return { kind: 'done' };
      return snapshot.waking ? { kind: 'wait', waking: true } : { kind: 'wake' };
    default:
      if (snapshotSettles(snapshot, 'turn')) return { kind: 'done' };
      return { kind: 'wait', waking: snapshot.waking };
  }
}

/** What a follow-up that met a 409 should do after a look: wake and resend, or give up. */
export type ConflictVerdict = { kind: 'resend' } | { kind: 'wake' } | { kind: 'abort'; reason: string };

export function judgeConflict(snapshot: ReplicaSnapshot, platformError: string): ConflictVerdict {
  if (snapshot.status === 'error' || snapshot.status === 'deleted')
    return { kind: 'abort', reason: platformError };
  if (snapshot.status === 'active' && !snapshot.waking) return { kind: 'resend' };
  return { kind: 'wake' };
}

/**
 * Whether the replica is deleted when the job ends this way: `delete-on-success` keeps the replicas
 * of failed and timed-out items as evidence; a cancelled job cleans up like a successful one.
 * `after-merge` keeps every one: its PR may still need the workspace (follow-ups on CI and review),
 * so the campaign deletes it once the PR is merged or closed.
 */
export function deletesReplica(cleanup: CleanupPolicy, state: JobState): boolean {
  if (cleanup === 'keep' || cleanup === 'after-merge') return false;
  if (cleanup === 'delete-on-success') return state === 'succeeded' || state === 'cancelled';
  return true;
}

/** The marker a follow-up carries, so a retried send can tell whether the platform already took it. */
export function turnMarker(workflowId: string, turn: number): string {
  return `replica-fleet:${workflowId}#turn-${turn}`;
}

export function durationText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
