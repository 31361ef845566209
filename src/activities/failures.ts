import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { FailureTypes } from '../contracts';
import { ReplicasApiError, ReplicasRequestValidationError } from '../replicas';

const typeByKind: Record<string, string> = {
  conflict: FailureTypes.conflict,
  not_found: FailureTypes.notFound,
  unauthorized: FailureTypes.unauthorized,
  forbidden: FailureTypes.forbidden,
  validation: FailureTypes.validation,
  rate_limited: FailureTypes.rateLimited,
  server: FailureTypes.server,
  network: FailureTypes.network,
  timeout: FailureTypes.timeout,
  invalid_response: FailureTypes.invalidResponse,
};

/**
 * Turns a Replicas client error into the `ApplicationFailure` Temporal retries (or not) by: the
 * client's own retry rule decides. 409 is non-retryable on purpose: the workflow reads the workspace
 * status and decides (wake or abort); it is expected, so it is marked benign and not logged or counted
 * as an activity error. The message names the call and the API's own words; the client already keeps
 * the API key out.
 */
export function toApplicationFailure(call: string, error: unknown): unknown {
  if (error instanceof ReplicasRequestValidationError) {
    return ApplicationFailure.create({
      type: FailureTypes.validation,
      message: `${call}: ${error.message}`,
      nonRetryable: true,
    });
  }
  if (!(error instanceof ReplicasApiError)) return error;
  const said = [error.apiError, typeof error.details === 'string' ? error.details : undefined]
    .filter(Boolean)
    .join(': ');
  const status = error.status === undefined ? error.kind : `HTTP ${error.status}`;
  return ApplicationFailure.create({
    type: typeByKind[error.kind] ?? 'ReplicasError',
    message: `${call} (${error.method} ${error.path}) failed with ${status}${said ? `: ${said}` : ''}`,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterMs,
    details: [{ kind: error.kind, status: error.status ?? null }],
    ...(error.kind === 'conflict' && { category: ApplicationFailureCategory.BENIGN }),
  });
}

/** Runs one API call, mapping its failure. */
export async function apiCall<T>(call: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toApplicationFailure(call, error);
  }
}
