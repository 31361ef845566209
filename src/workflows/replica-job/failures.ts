import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** Failure types the job raises itself, to end early: `classify` tells them apart. */
const ABORTED = 'JobAborted';
export const TIMED_OUT = 'JobTimedOut';

export const abort = (message: string) => ApplicationFailure.nonRetryable(message, ABORTED);
export const timedOut = (message: string) => ApplicationFailure.nonRetryable(message, TIMED_OUT);

/** The type of an application failure, seen through the activity failure that carries it. */
export function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

export function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(error);
}
