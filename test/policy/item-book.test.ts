import { describe, expect, it } from 'vitest';
import type { ReplicaJobResult, RoutedItem } from '../../src/contracts';
import { beginFixTurn } from '../../src/policy/fix-turns';
import { ItemBook, toRecord } from '../../src/policy/item-book';

const item = (key: string, ordinal: number, over: Partial<RoutedItem> = {}): RoutedItem => ({
  key,
  environmentId: 'env-1',
  ordinal,
  wave: 0,
  ...over,
});
const result = (key: string, over: Partial<ReplicaJobResult> = {}): ReplicaJobResult => ({
  itemKey: key,
  attempt: 1,
  replicaId: `r-${key}`,
  state: 'succeeded',
  prs: [{ repository: 'acme/api', number: 1, url: `https://github.com/acme/api/pull/${key}`, branch: 'b' }],
  turns: 1,
  startedAt: new Date(1_000).toISOString(),
  endedAt: new Date(61_000).toISOString(),
  deleted: true,
  ...over,
});
const cost = (ms: number) => ms / 60_000;
const options = { applyId: 1, retryFailed: false, addOnly: false };

describe('item book', () => {
  it('takes an imported PR as a finished item whose change it is: nothing starts, the PR is followed; a re-import keeps it', () => {
    const book = new ItemBook();
    const url = 'https://github.com/acme/handmade/pull/41';
    const imported = item('acme/handmade#41', 0, {
      environmentId: '',
      repository: 'acme/handmade',
      importedPullRequest: url,
    });
    expect(book.apply([imported], { ...options, addOnly: true }, 5)).toMatchObject({ added: 1 });
    expect(book.startable(0, 10)).toEqual([]);
    expect(toRecord(book.get('acme/handmade#41')!)).toMatchObject({
      state: 'succeeded',
      prs: [url],
      pullRequest: url,
      imported: true,
      endedAtMs: 5,
    });
    expect(book.trackedChanges(10, 30)).toEqual([{ url }]);
    expect(book.apply([imported], { ...options, addOnly: true }, 6)).toMatchObject({ added: 0, kept: 1 });
    expect(book.counts()).toMatchObject({ succeeded: 1, pending: 0 });
  });

  it('applies by key: adds new, keeps finished, updates pending, re-runs failed only when asked', () => {
    const book = new ItemBook();
    expect(
      book.apply(
        [item('a', 0), item('b', 1), item('c', 2), item('d', 3, { skipReason: 'no environment' })],
        options,
        0,
      ),
    ).toMatchObject({ added: 4 });
    expect(book.get('d')).toMatchObject({ state: 'skipped', error: 'no environment' });
    const [a, b] = book.startable(0, 2);
    book.markStarted(a!, 10);
    book.markStarted(b!, 10);
    book.finish('a', 1, { kind: 'result', result: result('a') }, 70_000, cost);
    book.finish(
      'b',
      1,
      { kind: 'result', result: result('b', { state: 'failed', error: 'tests fail', prs: [] }) },
      70_000,
      cost,
    );
    const again = [item('a', 0), item('b', 1), item('c', 2, { environmentId: 'env-2' }), item('e', 9)];
    expect(book.apply(again, { ...options, applyId: 2 }, 80_000)).toEqual({
      added: 1,
      kept: 2,
      retried: 0,
      pruned: 0,
      updated: 1,
      requeued: 0,
    });
    expect(book.get('c')).toMatchObject({ state: 'pending', environmentId: 'env-2' });
    expect(book.apply(again, { ...options, applyId: 3, retryFailed: true }, 90_000)).toMatchObject({
      retried: 1,
      kept: 3,
    });
    expect(book.get('b')).toMatchObject({ state: 'pending', attempt: 2 });
    expect(book.get('b')?.error).toBeUndefined();
    expect(book.get('a')).toMatchObject({
      state: 'succeeded',
      prs: ['https://github.com/acme/api/pull/a'],
      branch: 'b',
    });
    // From the shard's start (0) to the job's end: the run's whole life, as spend accrued it.
    expect(book.get('a')?.costUsd).toBeCloseTo(61_000 / 60_000);
  });

  it('an item owns its change: a retry continues its PR; PRs, turns and cost add up over runs', () => {
    const book = new ItemBook();
    book.apply([item('a', 0)], options, 0);
    book.markStarted(book.startable(0, 1)[0]!, 0);
    const firstPr = {
      repository: 'acme/api',
      number: 108,
      url: 'https://github.com/acme/api/pull/108',
      branch: 'replicas/a',
    };
    const failed = result('a', {
      state: 'failed',
      error: 'workspace errored',
      prs: [firstPr],
      turns: 1,
      turnsStarted: 2,
      deleted: false,
    });
    book.finish('a', 1, { kind: 'result', result: failed }, 61_000, cost);
    expect(book.outcomes()).toEqual({ succeededWithoutPr: 0, failedWithPr: 1 });
    expect(book.retryFailed(70_000)).toBe(1);
    // The retry is told the PR, its branch, the kept workspace and why the last run stopped.
    expect(book.get('a')).toMatchObject({
      state: 'pending',
      attempt: 2,
      prs: [firstPr.url],
      pullRequest: firstPr.url,
      turns: 2,
      earlierReplicas: ['r-a'],
      continueFrom: {
        pullRequest: firstPr.url,
        branch: 'replicas/a',
        replicaId: 'r-a',
        previousError: 'workspace errored',
      },
    });
    expect(toRecord(book.get('a')!)).not.toHaveProperty('continueFrom');
    book.markStarted(book.startable(0, 1)[0]!, 100_000);
    // Running: the spend so far includes the first run and the minutes this one has run.
    expect(book.spend(130_000, 60_000, cost).spentUsd).toBeCloseTo(1.517);
    const second = result('a', {
      attempt: 2,
      prs: [firstPr, { repository: 'acme/api', number: 131, url: 'https://github.com/acme/api/pull/131' }],
      startedAt: new Date(100_000).toISOString(),
      endedAt: new Date(160_000).toISOString(),
      turnsStarted: 1,
      deleted: true,
    });
    book.finish('a', 2, { kind: 'result', result: second }, 160_000, cost);
    expect(book.get('a')).toMatchObject({
      state: 'succeeded',
      prs: [firstPr.url, 'https://github.com/acme/api/pull/131'],
      pullRequest: firstPr.url,
      branch: 'replicas/a',
      turns: 3,
      replicaKept: false,
    });
    expect(book.get('a')?.costUsd).toBeCloseTo(121_000 / 60_000);
    // The continued workspace is the item's current one again; nothing earlier is left to clean up.
    expect(book.get('a')?.earlierReplicas).toBeUndefined();
    expect(book.get('a')?.continueFrom).toBeUndefined();
  });

  it('a run that ends without a result (cancelled) still costs its minutes; spend never goes down', () => {
    const book = new ItemBook();
    book.apply([item('a', 0), item('b', 1)], options, 0);
    for (const entry of book.startable(0, 2)) book.markStarted(entry, 0);
    const before = book.spend(29_000, 60_000, cost).spentUsd;
    book.finish('a', 1, { kind: 'lost', state: 'cancelled', error: 'job cancelled' }, 30_000, cost);
    const after = book.spend(30_000, 60_000, cost).spentUsd;
    expect(book.get('a')?.costUsd).toBeCloseTo(0.5);
    expect(after).toBeGreaterThanOrEqual(before);
    expect(after).toBeCloseTo(1);
  });

  it('a fix turn costs from when it was recorded: accrued and projected while it runs, counted once when it ends, spend never going down', () => {
    const book = new ItemBook();
    book.apply([item('a', 0)], options, 0);
    book.markStarted(book.startable(0, 1)[0]!, 0);
    book.finish('a', 1, { kind: 'result', result: result('a', { deleted: false }) }, 61_000, cost);
    const entry = book.get('a')!;
    const base = entry.costUsd!;
    entry.change = {
      url: 'https://github.com/acme/api/pull/a',
      lifecycle: 'open',
      draft: false,
      headSha: 'h1',
      checks: 'failing',
      review: 'none',
      mergeability: 'clean',
      openedAt: new Date(61_000).toISOString(),
      readAtMs: 61_000,
    };
    beginFixTurn(entry.change, { kind: 'send', cause: 'checks-failing', ref: 'h1', number: 1 }, 100_000);
    // Half a minute in, of the two a fix turn is expected to take.
    const running = book.spend(130_000, 60_000, cost, 120_000);
    expect(running.spentUsd).toBeCloseTo(base + 0.5);
    expect(running.runningProjectedUsd).toBeCloseTo(1.5);
    const before = book.spend(190_000, 60_000, cost, 120_000).spentUsd;
    // The job itself started and ended inside the time the shard counted: the turn costs what was accrued.
    const job = result('a', {
      startedAt: new Date(105_000).toISOString(),
      endedAt: new Date(185_000).toISOString(),
      deleted: false,
      turnsStarted: 1,
    });
    book.fixEnded('a', 1, { result: job }, 190_000, cost);
    const after = book.spend(190_000, 60_000, cost, 120_000);
    expect(after.spentUsd).toBeCloseTo(before);
    expect(after.runningProjectedUsd).toBe(0);
    expect(book.get('a')).toMatchObject({ costUsd: base + 1.5, turns: 2 });
    // Its end reported again (a replayed report) adds neither cost nor turns.
    book.fixEnded('a', 1, { result: job }, 250_000, cost);
    expect(book.get('a')).toMatchObject({ costUsd: base + 1.5, turns: 2 });
    // A turn an earlier run of the shard started ends here without a result: it still costs its minutes.
    beginFixTurn(entry.change, { kind: 'send', cause: 'checks-failing', ref: 'h2', number: 2 }, 300_000);
    book.fixEnded('a', 2, {}, 360_000, cost);
    expect(book.get('a')?.costUsd).toBeCloseTo(base + 2.5);
    expect(entry.change.fixTurns?.map((t) => t.state)).toEqual(['sent', 'sent']);
  });

  it('names outcomes a state hides: succeeded without a PR', () => {
    const book = new ItemBook();
    book.apply([item('a', 0), item('b', 1)], options, 0);
    for (const entry of book.startable(0, 2)) book.markStarted(entry, 0);
    book.finish('a', 1, { kind: 'result', result: result('a', { prs: [] }) }, 1, cost);
    book.finish('b', 1, { kind: 'result', result: result('b') }, 1, cost);
    expect(book.outcomes()).toEqual({ succeededWithoutPr: 1, failedWithPr: 0 });
  });

  it('a skipped repository runs once a re-apply gives it an environment', () => {
    const book = new ItemBook();
    book.apply([item('x', 0, { skipReason: 'no environment' })], options, 0);
    expect(book.apply([item('x', 0)], { ...options, applyId: 2 }, 1)).toMatchObject({ updated: 1 });
    expect(book.get('x')).toMatchObject({ state: 'pending', attempt: 1 });
  });

  it('add-only leaves existing keys as they are', () => {
    const book = new ItemBook();
    book.apply([item('a', 0)], options, 0);
    expect(
      book.apply([item('a', 5, { environmentId: 'other' }), item('b', 6)], { ...options, addOnly: true }, 1),
    ).toMatchObject({ added: 1, kept: 1 });
    expect(book.get('a')?.environmentId).toBe('env-1');
  });

  it('starts in ordinal order and stops at a closed wave', () => {
    const book = new ItemBook();
    book.apply([item('late', 5, { wave: 1 }), item('b', 2), item('a', 1)], options, 0);
    expect(book.startable(0, 10).map((e) => e.key)).toEqual(['a', 'b']);
    expect(book.countStartable(0)).toBe(2);
    expect(book.startable(1, 10).map((e) => e.key)).toEqual(['a', 'b', 'late']);
  });

  it('remembers the replica a failed run kept when a retry starts a new one, until cleanup releases it', () => {
    const book = new ItemBook();
    book.apply([item('a', 0)], options, 0);
    const run = (attempt: number) => {
      book.markStarted(book.startable(0, 1)[0]!, 0);
      const failed = result('a', {
        attempt,
        replicaId: `r-a-${attempt}`,
        state: 'failed',
        prs: [],
        deleted: false,
      });
      book.finish('a', attempt, { kind: 'result', result: failed }, 1, cost);
    };
    run(1);
    expect(book.get('a')).toMatchObject({ replicaId: 'r-a-1', replicaKept: true });
    book.retryFailed(2);
    run(2);
    expect(book.get('a')).toMatchObject({
      replicaId: 'r-a-2',
      replicaKept: true,
      earlierReplicas: ['r-a-1'],
    });
    // Cleanup deleted both; a replica id the record does not name changes nothing.
    expect(
      book.release([
        { key: 'a', replicaId: 'r-a-1' },
        { key: 'a', replicaId: 'r-a-2' },
        { key: 'a', replicaId: 'r-other' },
        { key: 'missing', replicaId: 'r-x' },
      ]),
    ).toBe(2);
    expect(book.get('a')).toMatchObject({ replicaId: 'r-a-2', replicaKept: false });
    expect(book.get('a')?.earlierReplicas).toBeUndefined();
    expect(book.release([{ key: 'a', replicaId: 'r-a-2' }])).toBe(0);
  });

  it('ignores late and duplicate reports, and reports of another run', () => {
    const book = new ItemBook();
    book.apply([item('a', 0)], options, 0);
    book.markStarted(book.startable(0, 1)[0]!, 0);
    expect(book.finish('a', 2, { kind: 'result', result: result('a') }, 1, cost)).toBe(false);
    expect(book.finish('a', 1, { kind: 'lost', state: 'failed', error: 'terminated' }, 1, cost)).toBe(true);
    expect(book.finish('a', 1, { kind: 'result', result: result('a') }, 2, cost)).toBe(false);
    expect(book.get('a')).toMatchObject({ state: 'failed', error: 'terminated' });
  });

  it('prunes what the latest apply no longer names and has not finished', () => {
    const book = new ItemBook();
    book.apply([item('a', 0), item('b', 1), item('c', 2)], options, 0);
    const [a, b] = book.startable(0, 2);
    book.markStarted(a!, 0);
    book.markStarted(b!, 0);
    book.finish('a', 1, { kind: 'result', result: result('a') }, 1, cost);
    book.apply([item('x', 3)], { ...options, applyId: 2 }, 2);
    expect(book.prune(2, 3)).toEqual({ pruned: 2, cancel: ['b'] });
    expect(book.get('c')).toMatchObject({ state: 'cancelled' });
    expect(book.get('a')?.state).toBe('succeeded');
  });

  it('counts by state and by wave, spend, and events', () => {
    const book = new ItemBook();
    book.apply([item('a', 0), item('b', 1, { wave: 1 }), item('c', 2, { wave: 1 })], options, 0);
    book.markStarted(book.startable(0, 1)[0]!, 0);
    book.finish('a', 1, { kind: 'lost', state: 'timed_out', error: 'late' }, 1, cost);
    book.markStarted(book.startable(1, 1)[0]!, 1_000);
    expect(book.counts()).toMatchObject({ pending: 1, running: 1, timed_out: 1 });
    expect(book.waveCounts()).toEqual([
      { pending: 0, running: 0, succeeded: 0, failed: 1, other: 0 },
      { pending: 1, running: 1, succeeded: 0, failed: 0, other: 0 },
    ]);
    const spend = book.spend(31_000, 60_000, cost);
    expect(spend.spentUsd).toBeCloseTo(0.5 + 1 / 60_000);
    expect(spend.runningProjectedUsd).toBeCloseTo(0.5);
    expect(book.takeEvents().map((e) => `${e.key}:${e.kind}`)).toEqual([
      'a:started',
      'a:timed_out',
      'b:started',
    ]);
    expect(book.takeEvents()).toEqual([]);
  });

  it('takes webhook news onto finished items by PR, a commit status by repository and head; asks to read what it cannot place', () => {
    const book = new ItemBook();
    book.apply([item('a', 0), item('b', 1), item('c', 2)], options, 0);
    for (const entry of book.startable(0, 3)) book.markStarted(entry, 0);
    const url = (key: string) => `https://github.com/acme/api/pull/${key.charCodeAt(0)}`;
    const prs = (key: string) => [
      { repository: 'acme/api', number: key.charCodeAt(0), url: url(key), branch: key },
    ];
    book.finish(
      'a',
      1,
      { kind: 'result', result: result('a', { prs: prs('a'), deleted: false }) },
      61_000,
      cost,
    );
    book.finish('b', 1, { kind: 'result', result: result('b', { prs: prs('b') }) }, 61_000, cost);
    const pr = {
      nodeId: 'PR_a',
      repository: 'acme/api',
      number: 1,
      lifecycle: 'open' as const,
      draft: false,
      headBranch: 'replicas/a',
      headSha: 'sha-a',
      baseBranch: 'main',
      checks: { state: 'pending' as const, failing: [], pending: ['ci'], passing: [], total: 1 },
      review: 'none' as const,
      mergeability: 'unknown' as const,
      createdAt: '2026-12-01T10:00:00Z',
      updatedAt: '2026-12-01T10:00:00Z',
    };
    book.takeReadings([{ url: url('a'), status: 'read', pullRequest: { ...pr, url: url('a') } }], 62_000);
    const status = {
      kind: 'check',
      urls: [],
      repository: 'acme/api',
      headSha: 'sha-a',
      name: 'ci',
      id: 5,
    } as const;
    // b is finished but not read yet; c still runs: news of it waits for its end.
    const { settled, toRead } = book.takeObservations(
      [
        { ...status, verdict: 'passing' },
        { ...status, urls: [url('b')], verdict: 'failing' },
        { ...status, urls: [url('c')], verdict: 'failing' },
      ],
      63_000,
    );
    expect(book.get('a')?.change).toMatchObject({
      checks: 'passing',
      firstGreenAt: new Date(63_000).toISOString(),
    });
    expect(toRead).toEqual([url('b')]);
    expect(settled).toEqual([]);
    const merged = book.takeObservations(
      [
        {
          kind: 'pull-request',
          url: url('a'),
          lifecycle: 'merged',
          draft: false,
          headSha: 'sha-a',
          updatedAt: '2026-12-01T11:00:00Z',
          mergedAt: '2026-12-01T11:00:00Z',
        },
      ],
      64_000,
    );
    expect(merged.settled.map((e) => e.key)).toEqual(['a']);
    // Its workspace was kept: it is the one to delete now that the PR settled.
    expect(book.settledWithWorkspace().map((e) => e.key)).toEqual(['a']);
    expect(book.pullRequestCounts()).toMatchObject({ merged: 1, open: 0 });
  });
});
