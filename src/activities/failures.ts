import { ApplicationFailure } from '@temporalio/activity';
import { FailureTypes } from '../contracts/replica-job';
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

/** 408/429/5xx and transport faults may pass; anything else will fail the same way again. */
const retryableKinds = new Set(['rate_limited', 'server', 'network', 'timeout']);

/**
 * Turns a Replicas client error into the `ApplicationFailure` Temporal retries (or not) by. 409 is
 * non-retryable on purpose: the workflow reads the workspace status and decides (wake or abort).
 * The message names the call and the API's own words; the client already keeps the API key out.
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
    nonRetryable: !retryableKinds.has(error.kind),
    nextRetryDelay:
      error.kind === 'rate_limited' && error.retryAfterMs !== undefined ? error.retryAfterMs : undefined,
    details: [{ kind: error.kind, status: error.status ?? null }],
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
