import { describe, expect, it } from 'vitest';
import { allocateQuota, allocateSlots, fairShares, outstandingStarts } from '../../src/policy/allocation';
import { waveBounds, waveOf } from '../../src/policy/rollout';

describe('waves', () => {
  it('canary, then cumulative shares; later additions join the last wave', () => {
    const bounds = waveBounds({ canary: 5, waves: ['25%', '100%'] }, 100);
    expect(bounds).toEqual([5, 25, Infinity]);
    expect([0, 4, 5, 24, 25, 99, 150].map((o) => waveOf(o, bounds))).toEqual([0, 0, 1, 1, 2, 2, 2]);
  });

  it('one wave without a rollout; empty waves are dropped; a missing 100% gets a final wave', () => {
    expect(waveBounds(undefined, 10)).toEqual([Infinity]);
    expect(waveBounds({ canary: 5, waves: ['1%', '100%'] }, 100)).toEqual([5, Infinity]);
    expect(waveBounds({ waves: ['50%'] }, 10)).toEqual([5, Infinity]);
    expect(waveBounds({ canary: 20 }, 10)).toEqual([Infinity]);
  });
});

describe('sharing the global window', () => {
  it('fair shares: nobody gets more than they want, leftovers go to the rest', () => {
    expect(fairShares(12, [5, 1, 10])).toEqual([5, 1, 6]);
    expect(fairShares(2, [5, 5, 5])).toEqual([1, 1, 0]);
    expect(fairShares(10, [0, 0])).toEqual([0, 0]);
    expect(fairShares(100, [3, 4])).toEqual([3, 4]);
  });

  it('never hands out slots a shard may still be using', () => {
    // B runs 10 of 10; A now has work: A gets only what is free, B is cut to its share.
    const next = allocateSlots(10, [
      { running: 0, startable: 8, held: 0, slots: 0 },
      { running: 10, startable: 5, held: 10, slots: 10 },
    ]);
    expect(next).toEqual([0, 5]);
    // Once B reports 4 running and acknowledges its cut, A gets the slots B freed.
    expect(
      allocateSlots(10, [
        { running: 0, startable: 8, held: 0, slots: 0 },
        { running: 4, startable: 5, held: 5, slots: 5 },
      ]),
    ).toEqual([5, 5]);
  });

  it('keeps the sum of what shards may run within the window, for any report order', () => {
    const concurrency = 20;
    let shards = [0, 1, 2, 3].map(() => ({ running: 0, startable: 10, held: 0, slots: 0 }));
    for (let round = 0; round < 50; round += 1) {
      const next = allocateSlots(concurrency, shards);
      shards = shards.map((s, i) => {
        const slots = next[i] ?? 0;
        const held = Math.max(s.held, slots);
        // A shard runs up to its slots, finishes some, and acknowledges only now and then.
        const running = Math.min(slots, Math.max(0, s.running + ((round + i) % 3) - 1));
        return { running, startable: (round * 7 + i) % 12, held: round % 2 ? slots : held, slots };
      });
      expect(shards.reduce((sum, s) => sum + s.running, 0)).toBeLessThanOrEqual(concurrency);
    }
  });

  it('rations starts: outstanding grants count, allowances only grow', () => {
    const holders = [
      { startable: 10, allowance: 3, used: 1, unreported: 0 },
      { startable: 0, allowance: 0, used: 0, unreported: 2 },
    ];
    expect(holders.map(outstandingStarts)).toEqual([2, 2]);
    expect(allocateQuota(5, holders)).toEqual([8, 0]);
    expect(allocateQuota(0, holders)).toEqual([3, 0]);
  });
});
