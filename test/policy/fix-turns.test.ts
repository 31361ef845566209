import { describe, expect, it } from 'vitest';
import type { FixSettings, TrackedChange } from '../../src/contracts';
import { applyObservation } from '../../src/policy/change-observations';
import { applyReading } from '../../src/policy/change-tracking';
import {
  beginFixTurn,
  causeOf,
  endFixTurn,
  fixMessage,
  fixTurnsSent,
  fixVerdict,
  type FixVerdict,
} from '../../src/policy/fix-turns';

const settings: FixSettings = { fixes: 'campaign', maxFixTurns: 2 };
const kept = { kept: true };
const url = 'https://github.com/acme/api/pull/7';

const change = (over: Partial<TrackedChange> = {}): TrackedChange => ({
  url,
  lifecycle: 'open',
  draft: false,
  headSha: 'aaaaaaa1',
  checks: 'failing',
  failingChecks: ['lint'],
  checkStates: { lint: { verdict: 'failing' }, test: { verdict: 'passing' } },
  review: 'none',
  mergeability: 'unstable',
  openedAt: '2026-12-01T00:00:00Z',
  readAtMs: 0,
  ...over,
});

const send = (verdict: FixVerdict) => {
  if (verdict.kind !== 'send') throw new Error(`expected a turn to send, got ${JSON.stringify(verdict)}`);
  return verdict;
};

describe('the fix loop', () => {
  it('names the most pressing cause, and waits for checks still running on the head', () => {
    expect(causeOf(change({ mergeability: 'conflicting' }))).toBe('conflicting');
    expect(causeOf(change())).toBe('checks-failing');
    expect(
      causeOf(change({ checkStates: { lint: { verdict: 'failing' }, test: { verdict: 'pending' } } })),
    ).toBeUndefined();
    expect(
      causeOf(
        change({ checks: 'passing', failingChecks: undefined, checkStates: {}, review: 'changes-requested' }),
      ),
    ).toBe('changes-requested');
    expect(causeOf(change({ checks: 'passing', checkStates: {}, mergeability: 'behind' }))).toBe('behind');
    expect(causeOf(change({ checks: 'passing', checkStates: {}, mergeability: 'clean' }))).toBeUndefined();
  });

  it('sends one turn per cause and head: the same failure reported again sends nothing more', () => {
    const pr = change();
    const first = send(fixVerdict(pr, settings, kept));
    expect(first).toMatchObject({ cause: 'checks-failing', ref: 'aaaaaaa1', number: 1 });
    beginFixTurn(pr, first, 1_000);
    // While it runs, nothing else goes, whatever is reported of the old head.
    expect(fixVerdict(pr, settings, kept)).toEqual({ kind: 'none' });
    endFixTurn(pr, 1, undefined);
    // The agent answered but the head did not move: the same failure on the same head is not sent twice.
    expect(fixVerdict(pr, settings, kept)).toEqual({ kind: 'none' });
    // A new head that fails again: the second turn.
    const moved = applyReading(
      pr,
      {
        url,
        status: 'read',
        pullRequest: {
          nodeId: 'PR_1',
          url,
          repository: 'acme/api',
          number: 7,
          lifecycle: 'open',
          draft: false,
          headBranch: 'fix',
          headSha: 'bbbbbbb2',
          baseBranch: 'main',
          checks: { state: 'failing', failing: ['lint'], pending: [], passing: ['test'], total: 2 },
          review: 'none',
          mergeability: 'unstable',
          createdAt: '2026-12-01T00:00:00Z',
          updatedAt: '2026-12-01T01:00:00Z',
        },
      },
      2_000,
    );
    expect(moved.fixTurns).toHaveLength(1);
    const second = send(fixVerdict(moved, settings, kept));
    expect(second).toMatchObject({ ref: 'bbbbbbb2', number: 2 });
    beginFixTurn(moved, second, 3_000);
    endFixTurn(moved, 2, undefined);
    // The cap: a third head failing stops the loop, saying why.
    const third = { ...moved, headSha: 'ccccccc3' };
    expect(fixVerdict(third, settings, kept)).toEqual({
      kind: 'stop',
      reason: '2 fix turns used; checks still failing: lint',
    });
  });

  it('answers a review once, whatever the pushes after it; a new review is a new turn', () => {
    let pr = change({ checks: 'passing', failingChecks: undefined, checkStates: {}, review: 'none' });
    const review = (id: number, body: string) =>
      applyObservation(
        pr,
        { kind: 'review', url, reviewer: 'mona', id, verdict: 'changes-requested', body },
        0,
      );
    pr = review(11, 'Rename the helper.') as TrackedChange;
    const first = send(fixVerdict(pr, { ...settings, maxFixTurns: 3 }, kept));
    expect(first).toMatchObject({ cause: 'changes-requested', ref: 'review:11' });
    expect(fixMessage(pr, 'changes-requested', settings, { branch: 'fix-lint' })).toContain(
      'mona wrote:\n> Rename the helper.',
    );
    beginFixTurn(pr, first, 0);
    endFixTurn(pr, 1, undefined);
    expect(fixVerdict({ ...pr, headSha: 'ddddddd4' }, { ...settings, maxFixTurns: 3 }, kept)).toEqual({
      kind: 'none',
    });
    pr = review(12, 'Also add a test.') as TrackedChange;
    expect(send(fixVerdict(pr, { ...settings, maxFixTurns: 3 }, kept))).toMatchObject({
      ref: 'review:12',
      number: 2,
    });
  });

  it('says the item needs attention when its workspace is gone, and when a turn could not be sent', () => {
    expect(fixVerdict(change(), settings, { kept: false })).toMatchObject({
      kind: 'stop',
      reason: expect.stringMatching(
        /^needs attention: checks still failing: lint, and the workspace .* is gone/,
      ),
    });
    const pr = change();
    beginFixTurn(pr, send(fixVerdict(pr, settings, kept)), 0);
    endFixTurn(pr, 1, 'its workspace r-1 is gone (deleted, expired or errored)');
    expect(pr.fixTurns?.[0]).toMatchObject({ state: 'failed' });
    expect(pr.stopReason).toBe(
      'needs attention: fix turn 1 could not be sent: its workspace r-1 is gone (deleted, expired or errored)',
    );
  });

  it('waits for the budget when the turns granted are used up, says so, and counts every turn sent', () => {
    const pr = change();
    expect(fixVerdict(pr, settings, kept, { spent: true })).toEqual({
      kind: 'stop',
      reason:
        'waiting for the budget: no fix turn starts until the campaign grants one, and none is granted past budgetUsd; checks still failing: lint',
      waitsForBudget: true,
    });
    // The caps per PR and a gone workspace say more than the budget does.
    beginFixTurn(pr, send(fixVerdict(pr, settings, kept, { spent: false })), 0);
    endFixTurn(pr, 1, undefined);
    const nextHead = { ...pr, headSha: 'bbbbbbb2' };
    expect(fixVerdict(nextHead, settings, { kept: false }, { spent: true })).toMatchObject({
      reason: expect.stringMatching(/^needs attention/),
    });
    expect(fixVerdict(nextHead, { ...settings, maxFixTurns: 1 }, kept, { spent: true })).toMatchObject({
      reason: '1 fix turns used; checks still failing: lint',
    });
    expect(fixTurnsSent([pr, undefined, change(), nextHead])).toBe(2);
  });

  it('leaves PRs alone unless the campaign is the fixer, and merged or closed ones always', () => {
    expect(fixVerdict(change(), { ...settings, fixes: 'platform' }, kept)).toEqual({ kind: 'none' });
    expect(fixVerdict(change(), { ...settings, fixes: 'off' }, kept)).toEqual({ kind: 'none' });
    expect(fixVerdict(change({ lifecycle: 'merged' }), settings, kept)).toEqual({ kind: 'none' });
    expect(fixVerdict(change(), { ...settings, maxFixTurns: 0 }, kept)).toMatchObject({ kind: 'stop' });
  });

  it('fills the templates: each failing check with what the host said of it and its link; overrides win', () => {
    const pr = change({
      checkStates: {
        lint: {
          verdict: 'failing',
          title: '3 errors',
          summary: 'src/a.ts:1 unused import',
          url: 'https://ci/1',
        },
        test: { verdict: 'passing' },
      },
    });
    const text = fixMessage(pr, 'checks-failing', settings, { branch: 'fix-lint' });
    expect(text).toContain(url);
    expect(text).toContain('- lint: 3 errors — src/a.ts:1 unused import (https://ci/1)');
    expect(text).not.toContain('- test');
    expect(text).toContain('(fix-lint)');
    const custom = fixMessage(
      pr,
      'conflicting',
      { ...settings, messages: { conflicting: 'Rebase {{pr}} on {{base}} please.' } },
      {},
    );
    expect(custom).toBe(`Rebase ${url} on the base branch please.`);
  });
});
