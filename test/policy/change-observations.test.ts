import { describe, expect, it } from 'vitest';
import type { PullRequestObservation, TrackedChange } from '../../src/contracts';
import { applyObservation } from '../../src/policy/change-observations';

const URL = 'https://github.com/acme/api/pull/7';
const T = Date.parse('2026-12-02T00:00:00.000Z');
const change = (over: Partial<TrackedChange> = {}): TrackedChange => ({
  url: URL,
  lifecycle: 'open',
  draft: false,
  headSha: 'a1',
  checks: 'pending',
  checkStates: { lint: { verdict: 'pending' }, unit: { verdict: 'passing' } },
  review: 'review-required',
  mergeability: 'blocked',
  openedAt: '2026-12-01T10:00:00Z',
  hostUpdatedAt: '2026-12-01T10:00:00Z',
  readAtMs: T,
  ...over,
});
const check = (over: Partial<Extract<PullRequestObservation, { kind: 'check' }>> = {}) =>
  ({
    kind: 'check',
    urls: [URL],
    repository: 'acme/api',
    headSha: 'a1',
    name: 'lint',
    id: 10,
    verdict: 'passing',
    ...over,
  }) as const;
const pr = (over: Partial<Extract<PullRequestObservation, { kind: 'pull-request' }>> = {}) =>
  ({
    kind: 'pull-request',
    url: URL,
    lifecycle: 'open',
    draft: false,
    headSha: 'a1',
    updatedAt: '2026-12-01T11:00:00Z',
    ...over,
  }) as const;
const applied = (c: TrackedChange, news: PullRequestObservation) => {
  const effect = applyObservation(c, news, T + 1000);
  if (effect === 'read') throw new Error('expected the news to be taken');
  return effect;
};

describe('news from webhook deliveries', () => {
  it("a check's verdict updates the summary: the last pending check passing makes the PR green, once", () => {
    const green = applied(change(), check());
    expect(green).toMatchObject({ checks: 'passing', firstGreenAt: new Date(T + 1000).toISOString() });
    const red = applied(green, check({ name: 'unit', id: 11, verdict: 'failing' }));
    expect(red).toMatchObject({ checks: 'failing', failingChecks: ['unit'] });
    expect(red.firstGreenAt).toBe(green.firstGreenAt);
    // The green re-run of the red check is green again.
    expect(applied(red, check({ name: 'unit', id: 12, verdict: 'passing' }))).toMatchObject({
      checks: 'passing',
    });
  });

  it('late or repeated check news changes nothing: an older run, or a created overtaking its completed', () => {
    const done = applied(change(), check({ id: 20, verdict: 'failing' }));
    expect(applied(done, check({ id: 19, verdict: 'passing' }))).toEqual(done);
    expect(applied(done, check({ id: 20, verdict: 'pending' }))).toEqual(done);
    expect(applied(done, check({ id: 20, verdict: 'failing' }))).toEqual(done);
  });

  it('a check on another head commit cannot be placed: only a reading tells', () => {
    expect(applyObservation(change(), check({ headSha: 'b2' }), T)).toBe('read');
  });

  it('a pull_request delivery: merged settles the change; an older one after it changes nothing', () => {
    const merged = applied(
      change(),
      pr({ lifecycle: 'merged', mergedAt: '2026-12-01T11:00:00Z', closedAt: '2026-12-01T11:00:00Z' }),
    );
    expect(merged).toMatchObject({ lifecycle: 'merged', mergedAt: '2026-12-01T11:00:00Z' });
    expect(applied(merged, pr({ updatedAt: '2026-12-01T10:30:00Z' }))).toEqual(merged);
    // Same second, reordered: a settled PR stays settled.
    expect(applied(merged, pr())).toEqual(merged);
  });

  it('a push (new head) resets the checks to pending until they report, and takes the mergeability given', () => {
    const pushed = applied(change({ checks: 'failing', failingChecks: ['lint'] }), pr({ headSha: 'b2' }));
    expect(pushed).toMatchObject({
      headSha: 'b2',
      checks: 'pending',
      checkStates: {},
      mergeability: 'unknown',
    });
    expect(pushed.failingChecks).toBeUndefined();
    const noChecks = applied(
      change({ checks: 'none', checkStates: {} }),
      pr({ headSha: 'b2', mergeability: 'clean' }),
    );
    expect(noChecks).toMatchObject({ checks: 'none', mergeability: 'clean' });
  });

  it('reviews: an approval approves; a change request wins over it; a dismissal or an approval against a change request it cannot attribute asks for a reading', () => {
    const review = (reviewer: string, id: number, verdict: 'approved' | 'changes-requested' | 'dismissed') =>
      ({ kind: 'review', url: URL, reviewer, id, verdict }) as const;
    const approved = applied(change(), review('ana', 1, 'approved'));
    expect(approved).toMatchObject({ review: 'approved', approvedAt: new Date(T + 1000).toISOString() });
    const blocked = applied(approved, review('bo', 2, 'changes-requested'));
    expect(blocked.review).toBe('changes-requested');
    expect(applied(blocked, review('bo', 3, 'approved')).review).toBe('approved');
    expect(applyObservation(approved, review('ana', 4, 'dismissed'), T)).toBe('read');
    expect(applyObservation(change({ review: 'changes-requested' }), review('ana', 1, 'approved'), T)).toBe(
      'read',
    );
    expect(applied(approved, review('ana', 0, 'changes-requested'))).toEqual(approved);
  });
});
