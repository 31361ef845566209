import { describe, expect, it } from 'vitest';
import type { PullRequestReading, PullRequestState, ReplicaJobResult, RoutedItem } from '../../src/contracts';
import {
  applyReading,
  countChange,
  emptyPullRequestCounts,
  stillTracked,
  workspaceGoesWithChange,
} from '../../src/policy/change-tracking';
import { ItemBook } from '../../src/policy/item-book';

const URL = 'https://github.com/acme/api/pull/108';
const pr = (over: Partial<PullRequestState> = {}): PullRequestState => ({
  nodeId: 'PR_kwDO108',
  url: URL,
  repository: 'acme/api',
  number: 108,
  lifecycle: 'open',
  draft: false,
  headBranch: 'replicas/a',
  headSha: 'a1',
  baseBranch: 'main',
  checks: { state: 'pending', failing: [], pending: ['ci'], passing: [], total: 1 },
  review: 'review-required',
  mergeability: 'blocked',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...over,
});
const read = (over: Partial<PullRequestState> = {}): PullRequestReading => ({
  url: URL,
  status: 'read',
  pullRequest: pr(over),
});
const T = Date.parse('2026-12-02T00:00:00.000Z');

describe('change tracking', () => {
  it('keeps when the PR first went green and was approved, across later readings', () => {
    let change = applyReading(undefined, read(), T);
    expect(change).toMatchObject({ lifecycle: 'open', checks: 'pending', review: 'review-required' });
    expect(change.firstGreenAt).toBeUndefined();
    change = applyReading(
      change,
      read({ checks: { state: 'passing', failing: [], pending: [], passing: ['ci'], total: 1 } }),
      T + 1000,
    );
    expect(change.firstGreenAt).toBe(new Date(T + 1000).toISOString());
    change = applyReading(
      change,
      read({
        headSha: 'a2',
        checks: { state: 'failing', failing: ['lint'], pending: [], passing: ['ci'], total: 2 },
        review: 'approved',
      }),
      T + 2000,
    );
    expect(change).toMatchObject({
      headSha: 'a2',
      checks: 'failing',
      failingChecks: ['lint'],
      firstGreenAt: new Date(T + 1000).toISOString(),
      approvedAt: new Date(T + 2000).toISOString(),
    });
    change = applyReading(
      change,
      read({ lifecycle: 'merged', mergedAt: '2026-12-02T01:00:00.000Z' }),
      T + 3000,
    );
    expect(change).toMatchObject({ lifecycle: 'merged', mergedAt: '2026-12-02T01:00:00.000Z' });
    expect(stillTracked(change, T, 30, T + 4000)).toBe(false);
  });

  it('reports a PR that cannot be read on its item, and a moved one at its new address', () => {
    const gone = applyReading(
      undefined,
      { url: URL, status: 'unreadable', reason: 'not-found', detail: 'repository deleted' },
      T,
    );
    expect(gone).toMatchObject({ url: URL, lifecycle: 'open', problem: 'not-found: repository deleted' });
    const moved = applyReading(
      gone,
      { url: URL, status: 'transferred', pullRequest: pr({ url: 'https://github.com/acme2/api/pull/108' }) },
      T,
    );
    expect(moved).toMatchObject({
      url: 'https://github.com/acme2/api/pull/108',
      problem: `moved from ${URL}`,
    });
  });

  it('stops following a PR left open past maxDays', () => {
    const open = applyReading(undefined, read(), T);
    expect(stillTracked(open, T, 30, T + 29 * 86_400_000)).toBe(true);
    expect(stillTracked(open, T, 30, T + 30 * 86_400_000)).toBe(false);
  });

  it('counts PRs by state, and open ones by checks and review', () => {
    const counts = emptyPullRequestCounts();
    for (const over of [
      { checks: { state: 'failing' as const, failing: ['unit'], pending: [], passing: [], total: 1 } },
      { draft: true, review: 'changes-requested' as const },
      {
        review: 'approved' as const,
        checks: { state: 'passing' as const, failing: [], pending: [], passing: ['ci'], total: 1 },
      },
      { lifecycle: 'merged' as const },
      { lifecycle: 'closed' as const },
    ])
      countChange(counts, applyReading(undefined, read(over), T));
    expect(counts).toEqual({
      open: 2,
      draft: 1,
      merged: 1,
      closed: 1,
      checksFailing: 1,
      checksPending: 1,
      checksPassing: 1,
      approved: 1,
      changesRequested: 1,
    });
  });

  it('the item book follows finished items with a PR, takes readings by URL, and names the ones that settled', () => {
    const book = new ItemBook();
    const items: RoutedItem[] = ['a', 'b'].map((key, ordinal) => ({
      key,
      environmentId: 'e',
      ordinal,
      wave: 0,
    }));
    book.apply(items, { applyId: 1, retryFailed: false, addOnly: false }, 0);
    for (const entry of book.startable(0, 2)) book.markStarted(entry, 0);
    const result = (key: string, prs: ReplicaJobResult['prs']): ReplicaJobResult => ({
      itemKey: key,
      attempt: 1,
      replicaId: `r-${key}`,
      state: 'succeeded',
      prs,
      turns: 1,
      startedAt: new Date(0).toISOString(),
      endedAt: new Date(T - 1000).toISOString(),
      deleted: false,
    });
    book.finish(
      'a',
      1,
      { kind: 'result', result: result('a', [{ repository: 'acme/api', number: 108, url: URL }]) },
      1000,
      () => 0,
    );
    book.finish('b', 1, { kind: 'result', result: result('b', []) }, 1000, () => 0);
    expect(book.trackedChanges(T, 30)).toEqual([{ url: URL }]);
    expect(book.takeReadings([read()], T).map((e) => e.key)).toEqual([]);
    expect(book.trackedChanges(T, 30)).toEqual([{ url: URL, nodeId: 'PR_kwDO108' }]);
    expect(
      book
        .takeReadings([read({ lifecycle: 'closed', closedAt: '2026-12-02T00:00:01.000Z' })], T)
        .map((e) => e.key),
    ).toEqual(['a']);
    expect(book.trackedChanges(T, 30)).toEqual([]);
    expect(book.pullRequestCounts()).toMatchObject({ closed: 1, open: 0 });
  });

  it('deletes a kept workspace with its settled PR only under cleanup after-merge', () => {
    expect(workspaceGoesWithChange('after-merge')).toBe(true);
    expect(workspaceGoesWithChange('keep')).toBe(false);
    expect(workspaceGoesWithChange(undefined)).toBe(false);
  });

  it("a reading keeps that the campaign's pullRequest block was applied: it is applied once, not after every sweep", () => {
    const decorated = { ...applyReading(undefined, read(), T), decorated: true };
    expect(
      applyReading(decorated, read({ title: 'x' } as Partial<PullRequestState>), T + 1000).decorated,
    ).toBe(true);
  });
});
