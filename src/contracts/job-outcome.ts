import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import type { ItemState } from './enums';
import type { ReplicaJobResult } from './replica-job';

/** Failure types a replica job fails with; the result travels in the failure's details. */
export const JobFailureTypes = { failed: 'ItemFailed', timedOut: 'ItemTimedOut' } as const;

/** How a job ended when it did not return a result: the item's state, why, and its result if it had one. */
export interface EndedJob {
  state: Extract<ItemState, 'failed' | 'timed_out' | 'cancelled'>;
  error: string;
  result?: ReplicaJobResult;
}

/**
 * Reads the failure Temporal reports for a job (the cause of a child or workflow failure): the job's
 * own failure carries its result; a cancel, a termination or a timeout out of band says only how.
 */
export function endedJob(failure: unknown): EndedJob {
  if (
    failure instanceof ApplicationFailure &&
    (failure.type === JobFailureTypes.failed || failure.type === JobFailureTypes.timedOut)
  ) {
    const result = failure.details?.[0] as ReplicaJobResult | undefined;
    const state = failure.type === JobFailureTypes.timedOut ? 'timed_out' : 'failed';
    return { state, error: failure.message, ...(result && { result }) };
  }
  if (failure instanceof CancelledFailure) return { state: 'cancelled', error: 'job cancelled' };
  if (failure instanceof TerminatedFailure) {
    return {
      state: 'failed',
      error: `job terminated out of band${failure.message ? `: ${failure.message}` : ''}`,
    };
  }
  if (failure instanceof TimeoutFailure) {
    return { state: 'failed', error: `job timed out out of band (${failure.timeoutType ?? 'timeout'})` };
  }
  return { state: 'failed', error: failure instanceof Error ? failure.message : String(failure) };
}
