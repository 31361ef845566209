import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../src/activities/failures';
import { FailureTypes } from '../../src/contracts';
import { ReplicasApiError, ReplicasClient, type ReplicasErrorKind } from '../../src/replicas';

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

describe('retry rule, from the HTTP status the API answers', () => {
  // A loopback server that answers GET /v1/replica/<status> with that status.
  const server = createServer((req, res) => {
    const status = Number(req.url?.split('/').at(-1));
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'no', details: null }));
  });
  let client: ReplicasClient;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new ReplicasClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      apiKey: 'k',
    });
  });
  afterAll(async () => {
    await client.close();
    server.close();
  });

  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
  ])('HTTP %i: retried %s', async (status, retried) => {
    const error = await client.getReplica(String(status)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplicasApiError);
    expect((error as ReplicasApiError).retryable).toBe(retried);
    expect((toApplicationFailure('getReplica', error) as ApplicationFailure).nonRetryable).toBe(!retried);
  });

  it('marks the expected 409 benign (not logged or counted as an activity error), and nothing else', async () => {
    const conflict = toApplicationFailure(
      'sendMessage',
      await client.getReplica('409').catch((e: unknown) => e),
    );
    expect((conflict as ApplicationFailure).category).toBe(ApplicationFailureCategory.BENIGN);
    const server = toApplicationFailure(
      'sendMessage',
      await client.getReplica('500').catch((e: unknown) => e),
    );
    expect((server as ApplicationFailure).category).toBeUndefined();
  });
});
