import { describe, expect, it } from 'vitest';
import type { CampaignProgress, ItemRecord } from '../../src/contracts';
import { SharedReads, versionTag } from '../../src/dashboard/shared-reads';

const progress = (succeeded: number, overrides: Partial<CampaignProgress> = {}): CampaignProgress => ({
  campaignId: 'c',
  state: 'running',
  total: 10,
  counts: {
    pending: 10 - succeeded,
    running: 0,
    succeeded,
    failed: 0,
    timed_out: 0,
    cancelled: 0,
    skipped: 0,
  },
  prsOpened: 0,
  startedAt: '2026-12-01T00:00:00.000Z',
  concurrency: 2,
  spentUsd: 0,
  projectedUsd: 0,
  shards: 1,
  recent: [],
  ...overrides,
});

/** A source that counts its reads and answers what the test sets, after the test lets it. */
function countingSource() {
  const state = {
    progress: progress(0),
    progressReads: 0,
    recordReads: 0,
    fail: undefined as Error | undefined,
  };
  return {
    state,
    source: {
      progress: async () => {
        state.progressReads += 1;
        if (state.fail) throw state.fail;
        return state.progress;
      },
      records: async (): Promise<ItemRecord[]> => {
        state.recordReads += 1;
        return [{ key: `read-${state.recordReads}`, state: 'pending', attempt: 1 }];
      },
    },
  };
}

describe('SharedReads: one read per campaign per 2 s, whatever the number of viewers', () => {
  it('twenty viewers at once cost one progress query; the next comes only after 2 s', async () => {
    let now = 1_000;
    const { state, source } = countingSource();
    const reads = new SharedReads(source, { now: () => now });
    const answers = await Promise.all(Array.from({ length: 20 }, () => reads.progress('c')));
    expect(state.progressReads).toBe(1);
    expect(new Set(answers).size).toBe(1);
    now += 1_999;
    await Promise.all(Array.from({ length: 20 }, () => reads.progress('c')));
    expect(state.progressReads).toBe(1);
    now += 1;
    await reads.progress('c');
    expect(state.progressReads).toBe(2);
    // Another campaign has its own entry.
    await reads.progress('other');
    expect(state.progressReads).toBe(3);
  });

  it('a failure is shared and kept as long as an answer, so more viewers do not ask harder', async () => {
    let now = 0;
    const { state, source } = countingSource();
    state.fail = new Error('deadline exceeded');
    const reads = new SharedReads(source, { now: () => now });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => reads.progress('c')));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    await expect(reads.progress('c')).rejects.toThrow('deadline exceeded');
    expect(state.progressReads).toBe(1);
    state.fail = undefined;
    now += 2_000;
    await expect(reads.progress('c')).resolves.toMatchObject({ campaignId: 'c' });
    expect(state.progressReads).toBe(2);
  });

  it('records are read again only when the progress moved, not every 2 s', async () => {
    let now = 0;
    const { state, source } = countingSource();
    const reads = new SharedReads(source, { now: () => now });
    const first = await reads.records('c');
    await Promise.all(Array.from({ length: 10 }, () => reads.records('c')));
    expect(state.recordReads).toBe(1);
    now += 10_000; // a quiet campaign: progress asked again, records not
    expect(await reads.records('c')).toBe(first);
    expect(state.progressReads).toBe(2);
    expect(state.recordReads).toBe(1);
    // Spend moving alone is no change of the records.
    state.progress = { ...progress(0), spentUsd: 3 };
    now += 2_000;
    expect(await reads.records('c')).toBe(first);
    // An item ended: the next read is of fresh records.
    state.progress = progress(1, { recent: [{ atMs: 5, key: 'a', kind: 'succeeded' }] });
    now += 2_000;
    const second = await reads.records('c');
    expect(second.records[0]?.key).toBe('read-2');
    expect(state.recordReads).toBe(2);
  });

  it('drops what nobody looked at for the idle time', async () => {
    let now = 0;
    const { state, source } = countingSource();
    const reads = new SharedReads(source, { now: () => now, idleMs: 60_000 });
    await reads.records('c');
    now += 61_000;
    await reads.progress('other'); // any read sweeps
    now += 1;
    await reads.records('c');
    expect(state.recordReads).toBe(2);
  });

  it('the version tag changes with counts and events, not with spend', () => {
    expect(versionTag(progress(1))).toBe(versionTag({ ...progress(1), spentUsd: 9, projectedUsd: 12 }));
    expect(versionTag(progress(1))).not.toBe(versionTag(progress(2)));
    expect(versionTag(progress(1))).not.toBe(
      versionTag(progress(1, { recent: [{ atMs: 1, key: 'a', kind: 'started' }] })),
    );
  });
});
