import { describe, expect, it } from 'vitest';
import { mergeability, summariseChecks, toPullRequestState } from '../../src/code-host/github-mapping';
import { checkRun, pullRequestNode, statusContext } from './github-fixtures';

describe('checks summary', () => {
  it('a green re-run of a red check run is green: the latest run per name decides', () => {
    const summary = summariseChecks([
      checkRun('test', { conclusion: 'FAILURE', startedAt: '2026-05-01T10:00:00Z' }),
      checkRun('test', { conclusion: 'SUCCESS', startedAt: '2026-05-01T11:00:00Z' }),
      checkRun('lint'),
    ]);
    expect(summary).toEqual({
      state: 'passing',
      failing: [],
      pending: [],
      passing: ['lint', 'test'],
      total: 2,
    });
  });

  it('a red re-run of a green check is red, whatever order GitHub lists them in', () => {
    const summary = summariseChecks([
      checkRun('test', { conclusion: 'TIMED_OUT', startedAt: '2026-05-01T12:00:00Z' }),
      checkRun('test', { conclusion: 'SUCCESS', startedAt: '2026-05-01T11:00:00Z' }),
    ]);
    expect(summary).toEqual({ state: 'failing', failing: ['test'], pending: [], passing: [], total: 1 });
  });

  it('statuses and check runs count together, failing names sorted, failing before pending', () => {
    const summary = summariseChecks([
      statusContext('ci/jenkins', { state: 'ERROR' }),
      checkRun('build', { conclusion: 'FAILURE' }),
      checkRun('e2e', { status: 'IN_PROGRESS', conclusion: null, completedAt: null }),
      statusContext('coverage', { state: 'PENDING' }),
      checkRun('docs', { conclusion: 'SKIPPED' }),
      checkRun('style', { conclusion: 'NEUTRAL' }),
    ]);
    expect(summary).toEqual({
      state: 'failing',
      failing: ['build', 'ci/jenkins'],
      pending: ['coverage', 'e2e'],
      passing: ['docs', 'style'],
      total: 6,
    });
  });

  it('a queued re-run (not started) of a red check makes it pending again', () => {
    const summary = summariseChecks([
      checkRun('test', { conclusion: 'FAILURE' }),
      checkRun('test', { status: 'QUEUED', conclusion: null, startedAt: null, completedAt: null }),
    ]);
    expect(summary).toEqual({ state: 'pending', failing: [], pending: ['test'], passing: [], total: 1 });
  });

  it('no checks at all is none, and an expected status is pending', () => {
    expect(summariseChecks([]).state).toBe('none');
    expect(summariseChecks([statusContext('required', { state: 'EXPECTED' })]).state).toBe('pending');
  });
});

describe('mergeability', () => {
  it.each([
    ['MERGEABLE', 'CLEAN', 'clean'],
    ['MERGEABLE', 'HAS_HOOKS', 'clean'],
    ['MERGEABLE', 'BEHIND', 'behind'],
    ['CONFLICTING', 'DIRTY', 'conflicting'],
    ['CONFLICTING', 'UNKNOWN', 'conflicting'],
    ['MERGEABLE', 'BLOCKED', 'blocked'],
    ['MERGEABLE', 'DRAFT', 'blocked'],
    ['MERGEABLE', 'UNSTABLE', 'unstable'],
    ['UNKNOWN', 'UNKNOWN', 'unknown'],
  ] as const)('mergeable %s with merge state %s is %s', (mergeable, mergeStateStatus, expected) => {
    expect(mergeability({ mergeable, mergeStateStatus })).toBe(expected);
  });
});

describe('a pull request read from GraphQL', () => {
  it('maps to the port vocabulary: lifecycle, head, review, checks, timestamps', () => {
    const state = toPullRequestState(
      pullRequestNode(
        { number: 12, reviewDecision: 'CHANGES_REQUESTED', isDraft: true, mergeStateStatus: 'DRAFT' },
        [checkRun('build', { conclusion: 'FAILURE' })],
      ),
    );
    expect(state).toEqual({
      nodeId: 'PR_kwDO12',
      url: 'https://github.com/acme/api/pull/12',
      repository: 'acme/api',
      number: 12,
      lifecycle: 'open',
      draft: true,
      headBranch: 'replica/upgrade-node',
      headSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      baseBranch: 'main',
      checks: { state: 'failing', failing: ['build'], pending: [], passing: [], total: 1 },
      review: 'changes-requested',
      mergeability: 'blocked',
      createdAt: '2026-05-01T09:00:00Z',
      updatedAt: '2026-05-01T10:05:00Z',
    });
  });

  it('a merged one carries mergedAt and closedAt; a commit without checks has none', () => {
    const state = toPullRequestState(
      pullRequestNode(
        {
          state: 'MERGED',
          merged: true,
          mergedAt: '2026-05-02T08:00:00Z',
          closedAt: '2026-05-02T08:00:00Z',
          reviewDecision: 'APPROVED',
        },
        [],
      ),
    );
    expect(state).toMatchObject({
      lifecycle: 'merged',
      review: 'approved',
      mergedAt: '2026-05-02T08:00:00Z',
      closedAt: '2026-05-02T08:00:00Z',
      checks: { state: 'none', failing: [], pending: [], passing: [], total: 0 },
    });
  });
});
