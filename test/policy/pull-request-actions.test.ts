import { describe, expect, it } from 'vitest';
import type { PullRequestAction, TrackedChange } from '../../src/contracts';
import { actionRefusal, requestAction } from '../../src/policy/pull-request-actions';

const merge: PullRequestAction = { kind: 'merge', methods: ['squash'], requireApproval: true };
const green = (over: Partial<TrackedChange> = {}): TrackedChange => ({
  url: 'https://github.com/acme/api/pull/7',
  lifecycle: 'open',
  draft: false,
  headSha: 'abc1234',
  checks: 'passing',
  review: 'approved',
  mergeability: 'clean',
  openedAt: '2026-12-01T00:00:00Z',
  readAtMs: 0,
  ...over,
});

describe('bulk action guards', () => {
  it('merges only open, ready, green, approved, cleanly mergeable PRs, saying why not', () => {
    expect(actionRefusal(green(), merge)).toBeUndefined();
    expect(actionRefusal(undefined, merge)).toMatch(/not been read/);
    expect(actionRefusal(green({ lifecycle: 'merged' }), merge)).toBe('it is merged');
    expect(actionRefusal(green({ draft: true }), merge)).toMatch(/^it is a draft/);
    expect(actionRefusal(green({ checks: 'failing', failingChecks: ['lint'] }), merge)).toBe(
      'its checks are failing (lint), not passing',
    );
    expect(actionRefusal(green({ checks: 'pending' }), merge)).toBe('its checks are pending, not passing');
    expect(actionRefusal(green({ review: 'review-required' }), merge)).toMatch(/^it is not approved/);
    expect(
      actionRefusal(green({ review: 'review-required' }), { ...merge, requireApproval: false }),
    ).toBeUndefined();
    expect(actionRefusal(green({ mergeability: 'behind' }), merge)).toBe(
      'it is not cleanly mergeable (behind)',
    );
    expect(actionRefusal(green({ lifecycle: 'closed' }), { kind: 'close' })).toBe('it is closed');
    expect(actionRefusal(green({ lifecycle: 'closed' }), { kind: 'comment', body: 'x' })).toBeUndefined();
  });

  it('records a request once: pending or refused; the same request again changes nothing; a pending one blocks another', () => {
    const pr = green();
    expect(requestAction(pr, { id: 'm1', action: merge }, 5)).toMatchObject({
      id: 'm1',
      status: 'pending',
      atMs: 5,
    });
    expect(requestAction(pr, { id: 'm1', action: merge }, 9)).toMatchObject({ status: 'pending', atMs: 5 });
    expect(requestAction(pr, { id: 'c1', action: { kind: 'comment', body: 'x' } }, 10)).toMatchObject({
      status: 'refused',
      detail: 'another action (merge) is under way on it',
    });
    expect(pr.action).toMatchObject({ id: 'm1', status: 'pending' });
    const red = green({ checks: 'failing' });
    expect(requestAction(red, { id: 'm2', action: merge }, 1)).toMatchObject({ status: 'refused' });
    expect(red.action).toMatchObject({ id: 'm2', status: 'refused' });
  });
});
