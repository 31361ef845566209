import { ApplicationFailure } from '@temporalio/common';
import type { CodeHost, CodeHostActivities } from '../contracts';
import { CodeHostError } from '../code-host';

/**
 * Reads of the code host for the campaign's PR tracking. Without a code host the answer says so (the
 * campaign reports it once instead of failing). Rate limits and outages are retried by Temporal, after
 * the host's own `retry-after` when it gave one; other failures are the campaign's to report.
 */
export function createCodeHostActivities(codeHost: CodeHost | undefined): CodeHostActivities {
  return {
    async readChanges(handles) {
      if (!codeHost) return { configured: false, readings: [] };
      try {
        return { configured: true, readings: await codeHost.readPullRequests(handles) };
      } catch (error) {
        throw asFailure(error);
      }
    },
    async markChangeReady(handle) {
      if (!codeHost) return;
      try {
        await codeHost.markReady(handle);
      } catch (error) {
        throw asFailure(error);
      }
    },
    async decorateChange(handle, decoration) {
      if (!codeHost) return [];
      try {
        return await codeHost.decoratePullRequest(handle, decoration);
      } catch (error) {
        throw asFailure(error);
      }
    },
  };
}

/** A code-host error as Temporal retries it: limits and outages again (after `retry-after`), the rest not. */
function asFailure(error: unknown): unknown {
  if (!(error instanceof CodeHostError)) return error;
  return ApplicationFailure.create({
    type: `CodeHost:${error.kind}`,
    message: error.message,
    nonRetryable: !error.retryable,
    ...(error.details.retryAfterSeconds !== undefined && {
      nextRetryDelay: error.details.retryAfterSeconds * 1000,
    }),
  });
}
