import { describe, expect, it } from 'vitest';
import { LIMITS, shardOf, type CampaignHeader } from '../../src/contracts';
import { CampaignBook } from '../../src/policy/campaign-book';
import { shardReport, wave } from '../fixtures/shard-reports';
import { emptyCounts } from '../../src/policy/item-book';

const header = (over: Partial<CampaignHeader> = {}): CampaignHeader => ({
  job: { message: 'm' },
  concurrency: 10,
  ...over,
});
const report = shardReport;

function started(h: CampaignHeader, total: number): CampaignBook {
  const book = CampaignBook.create(h, '2026-11-24T00:00:00.000Z');
  book.beginApply(h, total);
  for (let index = 0; index < book.shardCount; index += 1) book.markShardStarted(index);
  book.finishApply();
  return book;
}

describe('campaign book', () => {
  it('sizes shards on the first apply and reserves ordinals per apply; tells a changed spec', () => {
    const book = CampaignBook.create(header(), 'now');
    expect(book.beginApply(header(), 2500)).toMatchObject({
      applyId: 1,
      shardCount: 3,
      ordinalBase: 0,
      created: true,
      settingsChanged: false,
    });
    book.finishApply();
    expect(book.beginApply(header({ job: { message: 'changed' } }), 10)).toMatchObject({
      applyId: 2,
      shardCount: 3,
      ordinalBase: 2500,
      created: false,
      settingsChanged: true,
    });
  });

  it('shares the window: no shard gets slots before it reports work; halted grants none', () => {
    const book = started(header({ concurrency: 10 }), 2000);
    expect(book.nextGrants().map((g) => g.grant.slots)).toEqual([0, 0]);
    book.acceptReport(report(0, { counts: { pending: 50 } }));
    book.acceptReport(report(1, { counts: { pending: 3 } }));
    expect(book.nextGrants().map((g) => [g.index, g.grant.slots, g.grant.halted])).toEqual([
      [0, 7, false],
      [1, 3, false],
    ]);
    expect(book.nextGrants()).toEqual([]);
    book.pause();
    expect(book.nextGrants().every((g) => g.grant.halted)).toBe(true);
  });

  it('ignores a late report', () => {
    const book = started(header(), 10);
    const newer = report(0, { counts: { succeeded: 2 } });
    const older = { ...newer, seq: newer.seq - 1, counts: { ...emptyCounts(), pending: 2 } };
    expect(book.acceptReport(newer)).toBe(true);
    expect(book.acceptReport(older)).toBe(false);
    expect(book.aggregate().counts.succeeded).toBe(2);
  });

  it('stops on the failure threshold of a wave, with a typed reason; resume and retry lift it', () => {
    const book = started(header({ failureThreshold: { percent: 50, minFinished: 2 } }), 10);
    book.acceptReport(
      report(0, {
        counts: { failed: 2, succeeded: 1, pending: 7 },
        waves: [wave({ failed: 2, succeeded: 1, pending: 7 })],
      }),
    );
    book.evaluate(1000);
    expect(book.carried.stopReason).toEqual({
      kind: 'failure_threshold',
      wave: 0,
      failed: 2,
      finished: 3,
      percent: 50,
    });
    expect(book.state()).toBe('finished');
    expect(book.resume()).toBeUndefined();
    expect(book.carried.stopReason).toBeUndefined();
    // After a resume the threshold judges only what finishes from then on.
    book.evaluate(2000);
    expect(book.carried.stopReason).toBeUndefined();
    const after = (failed: number, succeeded: number, pending: number) =>
      report(0, {
        counts: { failed, succeeded, pending },
        waves: [wave({ failed, succeeded, pending })],
      });
    book.acceptReport(after(3, 3, 4)); // since the resume: 1 of 3 failed
    book.evaluate(3000);
    expect(book.carried.stopReason).toBeUndefined();
    book.acceptReport(after(5, 3, 2)); // since the resume: 3 of 5 failed
    book.evaluate(4000);
    expect(book.carried.stopReason).toEqual({
      kind: 'failure_threshold',
      wave: 0,
      failed: 3,
      finished: 5,
      percent: 50,
    });
  });

  it('runs a staged rollout: canary, approval, next wave; rejection cancels the rest', () => {
    const book = started(header({ rollout: { canary: 3, waves: ['100%'], approval: true } }), 10);
    expect(book.carried.waveBounds).toEqual([3]);
    expect(
      book
        .route([
          { key: 'a', environmentId: 'e', ordinal: 2 },
          { key: 'b', environmentId: 'e', ordinal: 3 },
        ])
        .map((i) => i.wave),
    ).toEqual([0, 1]);
    book.acceptReport(
      report(0, {
        counts: { succeeded: 3, pending: 7 },
        waves: [wave({ succeeded: 3 }), wave({ pending: 7 })],
      }),
    );
    book.evaluate(1000);
    expect(book.state()).toBe('awaiting_approval');
    expect(book.progress('c').rollout).toEqual({ wave: 0, waves: 2, awaitingApproval: true });
    expect(book.approve()).toBeUndefined();
    expect(book.carried.openWave).toBe(1);
    expect(book.approve()).toMatch(/nothing awaits approval/);
    const rejecting = started(header({ rollout: { canary: 3, approval: true } }), 10);
    rejecting.acceptReport(report(0, { waves: [wave({ succeeded: 3 }), wave({ pending: 7 })] }));
    rejecting.evaluate(1);
    expect(rejecting.reject()).toBeUndefined();
    expect(rejecting.carried.stopReason).toEqual({ kind: 'rejected', wave: 1 });
    expect(rejecting.state()).toBe('cancelled');
  });

  it('opens waves by itself without approval, but not while a canary fails', () => {
    const book = started(
      header({ rollout: { canary: 2 }, failureThreshold: { percent: 40, minFinished: 1 } }),
      10,
    );
    book.acceptReport(report(0, { waves: [wave({ succeeded: 1, failed: 1 }), wave({ pending: 8 })] }));
    book.evaluate(1);
    expect(book.carried.stopReason?.kind).toBe('failure_threshold');
    expect(book.carried.openWave).toBe(0);
    const ok = started(header({ rollout: { canary: 2 } }), 10);
    ok.acceptReport(report(0, { waves: [wave({ succeeded: 2 }), wave({ pending: 8 })] }));
    ok.evaluate(1);
    expect(ok.carried.openWave).toBe(1);
  });

  it('rations starts by budget: granted starts count as spent, and it stops when nothing more fits', () => {
    // small: $0.008/min × 10 min = $0.08 an item; $0.30 buys 3 items.
    const book = started(
      header({ budgetUsd: 0.3, estimatedMinutesPerItem: 10, job: { message: 'm', size: 'small' } }),
      10,
    );
    book.acceptReport(report(0, { counts: { pending: 10 } }));
    expect(book.nextGrants()[0]?.grant.quota).toEqual({ window: 1, allowance: 3 });
    // The shard started 3; they run at the estimate; nothing more fits.
    book.acceptReport(
      report(0, {
        grantSeq: 1,
        counts: { pending: 7, running: 3 },
        startsInWindow: 3,
        runningProjectedUsd: 0.24,
      }),
    );
    expect(book.nextGrants()).toEqual([]);
    book.acceptReport(
      report(0, {
        grantSeq: 1,
        counts: { pending: 7, succeeded: 3 },
        startsInWindow: 3,
        spentUsd: 0.24,
      }),
    );
    book.evaluate(5);
    expect(book.carried.stopReason).toMatchObject({ kind: 'budget', budgetUsd: 0.3 });
  });

  it('the budget covers fix turns: caps by the turns waiting, from what is left, granted turns held until reported, never taken back', () => {
    // small: $0.008/min; a fix turn is one turn of the 10-minute estimate: $0.08. $0.50 in all.
    const h = header({
      budgetUsd: 0.5,
      estimatedMinutesPerItem: 10,
      job: { message: 'm', size: 'small' },
      tracking: { maxDays: 30 },
      fixes: { fixes: 'campaign', maxFixTurns: 3 },
    });
    const book = started(h, 2000);
    const prs = (open: number, fixTurns: number) => ({
      ...{ draft: 0, merged: 0, closed: 0, checksFailing: 0, checksPending: 0, checksPassing: 0 },
      ...{ approved: 0, changesRequested: 0, open, fixTurns },
    });
    // The items ran and cost $0.10; $0.40 buys 5 fix turns. Shard 0 has 3 PRs whose turn waits, shard 1 one.
    book.acceptReport(
      report(0, { counts: { succeeded: 3 }, spentUsd: 0.08, pullRequests: prs(3, 0), fixTurnsWanted: 3 }),
    );
    book.acceptReport(
      report(1, { counts: { succeeded: 1 }, spentUsd: 0.02, pullRequests: prs(1, 0), fixTurnsWanted: 1 }),
    );
    // Older runs (the patch not taken) grant no cap.
    expect(book.nextGrants().map((g) => g.grant.fixTurnsUpTo)).toEqual([undefined, undefined]);
    const caps = () =>
      book.nextGrants({ fixTurnsWithinBudget: true }).map((g) => [g.index, g.grant.fixTurnsUpTo]);
    expect(caps()).toEqual([
      [0, 3],
      [1, 1],
    ]);
    // Granted and not yet reported, they hold their cost: asked again, nothing more is granted.
    expect(caps()).toEqual([]);
    // Shard 0 sent 2 (one still running) and a third PR's turn still waits, with another now; what the
    // two sent held of the budget is in their spend now.
    book.acceptReport(
      report(0, {
        counts: { succeeded: 3 },
        spentUsd: 0.08 + 0.08 + 0.02,
        runningProjectedUsd: 0.06,
        pullRequests: prs(3, 2),
        fixTurnsWanted: 2,
      }),
    );
    // Left: 0.5 − 0.20 spent − 0.06 running − 2 granted turns (1 of shard 0, 1 of shard 1) × 0.08 = 0.08.
    expect(caps()).toEqual([[0, 4]]);
    // Granted fix turns hold their share from item starts too: the $0.24 left is held by 3 granted turns
    // (2 of shard 0, 1 of shard 1), so 5 items added on shard 1 get no start.
    book.acceptReport(
      report(1, {
        counts: { succeeded: 1, pending: 5 },
        spentUsd: 0.02,
        pullRequests: prs(1, 0),
        fixTurnsWanted: 1,
      }),
    );
    expect(
      book.nextGrants({ fixTurnsWithinBudget: true }).map((g) => [g.index, g.grant.quota?.allowance]),
    ).toEqual([[1, 0]]);
    // Spent past the budget: the caps stay where they were, none is taken back.
    book.acceptReport(report(1, { counts: { succeeded: 1 }, spentUsd: 0.6, pullRequests: prs(1, 1) }));
    book.nextGrants({ fixTurnsWithinBudget: true });
    expect(book.carried.shards.map((s) => s.grant.fixTurnsUpTo)).toEqual([4, 1]);
  });

  it('caps no fix turn without a budget, or without the campaign fixing', () => {
    for (const h of [
      header({ tracking: { maxDays: 30 }, fixes: { fixes: 'campaign', maxFixTurns: 3 } }),
      header({ budgetUsd: 5, tracking: { maxDays: 30 }, fixes: { fixes: 'platform', maxFixTurns: 3 } }),
      header({ budgetUsd: 5, fixes: { fixes: 'campaign', maxFixTurns: 3 } }),
    ]) {
      const book = started(h, 10);
      book.acceptReport(report(0, { counts: { pending: 1 } }));
      expect(book.nextGrants({ fixTurnsWithinBudget: true })[0]?.grant).not.toHaveProperty('fixTurnsUpTo');
    }
  });

  it('paces starts per minute across shards; unused starts expire with their window', () => {
    const book = started(header({ startsPerMinute: 4 }), 2000);
    book.rollQuotaWindow(0);
    book.acceptReport(report(0, { counts: { pending: 10 } }));
    book.acceptReport(report(1, { counts: { pending: 10 } }));
    const first = book.nextGrants().map((g) => g.grant.quota);
    expect(first).toEqual([
      { window: 2, allowance: 2, untilMs: 60_000 },
      { window: 2, allowance: 2, untilMs: 60_000 },
    ]);
    expect(book.nextWakeMs()).toBe(60_000);
    book.rollQuotaWindow(30_000);
    expect(book.carried.quotaWindow).toBe(2);
    book.rollQuotaWindow(60_000);
    book.acceptReport(report(0, { counts: { pending: 8 }, window: 2, startsInWindow: 2 }));
    book.acceptReport(report(1, { counts: { pending: 8 }, window: 2, startsInWindow: 2 }));
    expect(book.nextGrants().map((g) => g.grant.quota?.allowance)).toEqual([2, 2]);
  });

  it('finishes when idle, closes only when nothing runs, and says when retention closes it', () => {
    const book = started(header({ retentionMs: 1000 }), 10);
    book.acceptReport(report(0, { counts: { running: 1 } }));
    book.evaluate(0);
    expect(book.state()).toBe('running');
    expect(book.close()).toMatch(/1 item\(s\) are running/);
    book.acceptReport(report(0, { counts: { succeeded: 1 } }));
    book.evaluate(500);
    expect(book.state()).toBe('finished');
    expect(book.nextWakeMs()).toBe(1500);
    expect(book.progress('c')).toMatchObject({ state: 'finished', closesAt: new Date(1500).toISOString() });
    expect(book.close()).toBeUndefined();
    expect(book.state()).toBe('closed');
  });
});

describe('what the campaign refuses, with the field and the fix', () => {
  /** Two shards; keys found by hashing so each test names one of each shard. */
  const book = () => {
    const b = CampaignBook.create(header(), 'now');
    b.beginApply(header(), 2000);
    return b;
  };
  const keyOfShard = (b: CampaignBook, shard: number) =>
    Array.from({ length: 100 }, (_, i) => `repo-${i}`).find((key) => shardOf(key, b.shardCount) === shard)!;

  it('an apply: a closed, cancelled or busy campaign, or a total that is not a count', () => {
    const b = book();
    expect(b.applyRequestRefusal(10)).toBe('another apply is delivering items; try again when it is done');
    b.finishApply();
    expect(b.applyRequestRefusal(10)).toBeUndefined();
    expect(b.applyRequestRefusal(0)).toBeUndefined();
    expect(b.applyRequestRefusal(-1)).toBe('total must be a whole number, got -1');
    expect(b.applyRequestRefusal(2.5)).toBe('total must be a whole number, got 2.5');
    b.cancel();
    expect(b.applyRequestRefusal(10)).toBe('the campaign is cancelled; apply under a new id');
  });

  it('a step of an apply that a later apply superseded', () => {
    const b = book();
    b.finishApply();
    b.beginApply(header(), 5);
    expect(b.supersededRefusal(2)).toBeUndefined();
    expect(b.supersededRefusal(1)).toBe('apply 1 was superseded by apply 2');
  });

  it('a chunk: superseded, a shard out of range, too many items, an item of another shard', () => {
    const b = book();
    const mine = { key: keyOfShard(b, 1) };
    const other = keyOfShard(b, 0);
    expect(b.chunkRefusal({ applyId: 1, shard: 1, items: [mine] })).toBeUndefined();
    expect(b.chunkRefusal({ applyId: 0, shard: 1, items: [mine] })).toBe('apply 0 was superseded by apply 1');
    expect(b.chunkRefusal({ applyId: 1, shard: 2, items: [] })).toBe('shard must be from 0 to 1, got 2');
    expect(b.chunkRefusal({ applyId: 1, shard: -1, items: [] })).toBe('shard must be from 0 to 1, got -1');
    const tooMany = Array.from({ length: LIMITS.maxItemsPerUpdate + 1 }, () => mine);
    expect(b.chunkRefusal({ applyId: 1, shard: 1, items: tooMany })).toBe(
      `items must be a list of at most ${LIMITS.maxItemsPerUpdate}`,
    );
    expect(b.chunkRefusal({ applyId: 1, shard: 1, items: [mine, { key: other }] })).toBe(
      `item "${other}" belongs to shard 0`,
    );
  });

  it('a release of more replicas than one update may carry', () => {
    const replicas = Array.from({ length: LIMITS.maxItemsPerUpdate + 1 }, (_, i) => ({ replicaId: `r${i}` }));
    expect(book().releaseRefusal(replicas.slice(1))).toBeUndefined();
    expect(book().releaseRefusal(replicas)).toBe(
      `send at most ${LIMITS.maxItemsPerUpdate} replicas per update`,
    );
  });

  it('a concurrency that is not a whole number within the limit', () => {
    const b = book();
    expect(b.concurrencyRefusal(1)).toBeUndefined();
    expect(b.concurrencyRefusal(LIMITS.maxConcurrency)).toBeUndefined();
    for (const bad of [0, LIMITS.maxConcurrency + 1, 1.5])
      expect(b.concurrencyRefusal(bad)).toBe(
        `concurrency must be a whole number from 1 to ${LIMITS.maxConcurrency}, got ${bad}`,
      );
  });

  it('a control tried on a copy leaves the book as it was', () => {
    const b = book();
    b.finishApply();
    expect(b.copy().pause()).toBeUndefined();
    expect(b.state()).toBe('running');
  });
});

describe('the campaign asks the book about its shards', () => {
  it('starts each shard once and lists the started ones; settings follow the last apply', () => {
    const b = CampaignBook.create(header(), 'now');
    b.beginApply(header({ failureThreshold: { percent: 10, minFinished: 5 } }), 2500);
    expect([0, 1, 2, 3].map((i) => b.needsShardStart(i))).toEqual([true, true, true, false]);
    b.markShardStarted(1);
    expect(b.needsShardStart(1)).toBe(false);
    expect(b.startedShards()).toEqual([1]);
    expect([b.isShardStarted(0), b.isShardStarted(1)]).toEqual([false, true]);
    expect(b.shardSettings()).toMatchObject({ job: { message: 'm' }, awaitVerdicts: true });
  });

  it('numbers the runs of the workflow: request ids of a run never repeat an earlier one', () => {
    const b = CampaignBook.create(header(), 'now');
    expect(b.beginRun()).toBe(1);
    expect(new CampaignBook(b.copy().carried).beginRun()).toBe(2);
  });
});

describe('a campaign whose agents are done follows its open PRs', () => {
  const prs = (open: number, merged: number) => ({
    open,
    draft: 0,
    merged,
    closed: 0,
    checksFailing: 0,
    checksPending: 0,
    checksPassing: open,
    approved: 0,
    changesRequested: 0,
  });

  it('is tracking while any PR is open (no retention clock), finished once every PR merged or closed', () => {
    const book = started(header({ tracking: { sweepMs: 600_000, maxDays: 30 } }), 2);
    book.acceptReport(report(0, { counts: { succeeded: 2 }, pullRequests: prs(1, 1) }));
    book.evaluate(1_000);
    expect(book.state()).toBe('tracking');
    expect(book.nextWakeMs()).toBeUndefined();
    expect(book.progress('c')).toMatchObject({ state: 'tracking', pullRequests: { open: 1, merged: 1 } });
    expect(book.progress('c').closesAt).toBeUndefined();
    book.acceptReport(report(0, { counts: { succeeded: 2 }, pullRequests: prs(0, 2) }));
    book.evaluate(5_000);
    expect(book.state()).toBe('finished');
    expect(book.nextWakeMs()).toBe(5_000 + 7 * 86_400_000);
  });

  it('a PR past tracking.maxDays counts as expired, not open: the campaign finishes', () => {
    const book = started(header(), 1);
    book.acceptReport(report(0, { counts: { succeeded: 1 }, pullRequests: { ...prs(0, 0), expired: 1 } }));
    book.evaluate(1_000);
    expect(book.state()).toBe('finished');
  });
});
