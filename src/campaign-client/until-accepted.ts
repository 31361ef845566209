import { ServiceError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { CAMPAIGN_CONTINUING_AS_NEW } from '../contracts';

/** gRPC status of an update that reached a run as it closed ("unexpected workflow task failure"). */
const GRPC_FAILED_PRECONDITION = 9;

/** How long an update is sent again while the campaign continues as new (it takes a workflow task or two). */
const CONTINUING_RETRY = { delayMs: 200, maxMs: 120_000 };

/**
 * True when an update was not applied because the campaign was continuing as new: its validator
 * refused it, or it reached the run as the run closed. Sending it again reaches the new run.
 */
function refusedWhileContinuing(error: unknown): boolean {
  return (
    (error instanceof WorkflowUpdateFailedError &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === CAMPAIGN_CONTINUING_AS_NEW) ||
    (error instanceof ServiceError &&
      isGrpcServiceError(error.cause) &&
      error.cause.code === GRPC_FAILED_PRECONDITION)
  );
}

/**
 * Sends a campaign update again while the campaign refuses it for continuing as new, for up to
 * `retry.maxMs`; any other error, and that one after the time is up, is thrown.
 */
export async function untilAccepted<T>(send: () => Promise<T>, retry = CONTINUING_RETRY): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!refusedWhileContinuing(error) || Date.now() - started > retry.maxMs) throw error;
      await sleep(retry.delayMs);
    }
  }
}
