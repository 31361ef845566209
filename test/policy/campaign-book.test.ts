import { describe, expect, it } from 'vitest';
import type { CampaignHeader } from '../../src/contracts';
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
  for (const shard of book.c.shards) shard.started = true;
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
    expect(book.c.stopReason).toEqual({
      kind: 'failure_threshold',
      wave: 0,
      failed: 2,
      finished: 3,
      percent: 50,
    });
    expect(book.state()).toBe('finished');
    expect(book.resume()).toBeUndefined();
    expect(book.c.stopReason).toBeUndefined();
    // After a resume the threshold judges only what finishes from then on.
    book.evaluate(2000);
    expect(book.c.stopReason).toBeUndefined();
    const after = (failed: number, succeeded: number, pending: number) =>
      report(0, {
        counts: { failed, succeeded, pending },
        waves: [wave({ failed, succeeded, pending })],
      });
    book.acceptReport(after(3, 3, 4)); // since the resume: 1 of 3 failed
    book.evaluate(3000);
    expect(book.c.stopReason).toBeUndefined();
    book.acceptReport(after(5, 3, 2)); // since the resume: 3 of 5 failed
    book.evaluate(4000);
    expect(book.c.stopReason).toEqual({
      kind: 'failure_threshold',
      wave: 0,
      failed: 3,
      finished: 5,
      percent: 50,
    });
  });

  it('runs a staged rollout: canary, approval, next wave; rejection cancels the rest', () => {
    const book = started(header({ rollout: { canary: 3, waves: ['100%'], approval: true } }), 10);
    expect(book.c.waveBounds).toEqual([3]);
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
    expect(book.c.openWave).toBe(1);
    expect(book.approve()).toMatch(/nothing awaits approval/);
    const rejecting = started(header({ rollout: { canary: 3, approval: true } }), 10);
    rejecting.acceptReport(report(0, { waves: [wave({ succeeded: 3 }), wave({ pending: 7 })] }));
    rejecting.evaluate(1);
    expect(rejecting.reject()).toBeUndefined();
    expect(rejecting.c.stopReason).toEqual({ kind: 'rejected', wave: 1 });
    expect(rejecting.state()).toBe('cancelled');
  });

  it('opens waves by itself without approval, but not while a canary fails', () => {
    const book = started(
      header({ rollout: { canary: 2 }, failureThreshold: { percent: 40, minFinished: 1 } }),
      10,
    );
    book.acceptReport(report(0, { waves: [wave({ succeeded: 1, failed: 1 }), wave({ pending: 8 })] }));
    book.evaluate(1);
    expect(book.c.stopReason?.kind).toBe('failure_threshold');
    expect(book.c.openWave).toBe(0);
    const ok = started(header({ rollout: { canary: 2 } }), 10);
    ok.acceptReport(report(0, { waves: [wave({ succeeded: 2 }), wave({ pending: 8 })] }));
    ok.evaluate(1);
    expect(ok.c.openWave).toBe(1);
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
    expect(book.c.stopReason).toMatchObject({ kind: 'budget', budgetUsd: 0.3 });
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
    expect(book.c.quotaWindow).toBe(2);
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
