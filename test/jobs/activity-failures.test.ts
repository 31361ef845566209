import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../src/activities/failures';
import { FailureTypes } from '../../src/contracts/replica-job';
import { ReplicasApiError, type ReplicasErrorKind } from '../../src/replicas';

const failure = (kind: ReplicasErrorKind, status?: number, extra: Partial<ReplicasApiError> = {}) =>
  toApplicationFailure(
    'createReplica',
    new ReplicasApiError({
      kind,
      status,
      method: 'POST',
      path: '/v1/replica',
      apiError: 'said so',
      details: 'because',
      ...extra,
    }),
  ) as ApplicationFailure;

describe('activity failure mapping', () => {
  it.each([
    ['conflict', 409, FailureTypes.conflict, true],
    ['not_found', 404, FailureTypes.notFound, true],
    ['unauthorized', 401, FailureTypes.unauthorized, true],
    ['forbidden', 403, FailureTypes.forbidden, true],
    ['validation', 400, FailureTypes.validation, true],
    ['validation', 422, FailureTypes.validation, true],
    ['rate_limited', 429, FailureTypes.rateLimited, false],
    ['server', 503, FailureTypes.server, false],
    ['network', undefined, FailureTypes.network, false],
    ['timeout', undefined, FailureTypes.timeout, false],
  ] as const)('%s (%s) → %s, non-retryable %s', (kind, status, type, nonRetryable) => {
    const mapped = failure(kind, status);
    expect(mapped).toBeInstanceOf(ApplicationFailure);
    expect(mapped.type).toBe(type);
    expect(mapped.nonRetryable).toBe(nonRetryable);
    expect(mapped.message).toContain('createReplica (POST /v1/replica)');
    expect(mapped.message).toContain('said so: because');
  });

  it('retries a 429 after its Retry-After', () => {
    expect(
      failure('rate_limited', 429, { retryAfterMs: 7000 } as Partial<ReplicasApiError>).nextRetryDelay,
    ).toBe(7000);
  });
});
