import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runChaos } from '../../bench/chaos/chaos';
import { measure, MEASURES } from '../../bench/chaos/measures';
import { ProgressTrace } from '../../bench/chaos/progress-trace';
import { planDisruptions } from '../../bench/chaos/schedule';
import { replicaName, type ItemRecord } from '../../src/contracts';

const root = path.resolve(__dirname, '..', '..');

describe('chaos measures', () => {
  it('count every kind of duplicated, lost, leaked or unexplained work', () => {
    const name = (key: string) => replicaName('c', key);
    const record = (key: string, fields: Partial<ItemRecord>): ItemRecord => ({
      key,
      state: 'succeeded',
      attempt: 1,
      ...fields,
    });
    const measures = measure({
      campaignId: 'c',
      itemKeys: ['a', 'b', 'c', 'd', 'e'],
      followUps: 1,
      records: [
        record('a', { replicaId: 'r1', prs: ['pr1'] }),
        record('a', { replicaId: 'r1', prs: ['pr1'] }),
        record('b', { replicaId: 'r2b', prs: ['pr3'] }),
        record('c', {
          state: 'failed',
          replicaId: 'r3',
          error: 'replica r3 failed: boom',
          replicaKept: true,
        }),
        record('d', {
          state: 'failed',
          replicaId: 'r4',
          error: 'getReplica (GET /v1/replica/r4) failed with HTTP 503: injected fault',
          replicaKept: true,
        }),
      ],
      stats: {
        duplicateNames: 0,
        createdReplicas: {
          r1: { name: name('a'), pullRequests: ['pr1'] },
          r2: { name: name('b'), pullRequests: ['pr2'] },
          r2b: { name: name('b'), pullRequests: ['pr3'] },
          r3: { name: name('c'), pullRequests: [], error: 'boom' },
          r4: { name: name('d'), pullRequests: [] },
        },
        turnsByReplica: { r1: 2, r2: 3, r2b: 1, r3: 1, r4: 1 },
      },
      liveReplicas: [
        { id: 'r3', name: name('c') },
        { id: 'r4', name: name('d') },
        { id: 'r5', name: 'stray' },
      ],
    });
    expect(measures.counts).toEqual({
      duplicates: 4,
      lostPrs: 1,
      lostTurns: 1,
      leakedReplicas: 1,
      failedWithoutPlatformMessage: 1,
      failedByRetryableFault: 1,
      itemsNotFinished: 1,
    });
    expect(measures.duplicateKinds).toEqual({
      sameNameAlive: 0,
      namesCreatedAgain: 1,
      duplicateTurns: 1,
      duplicateRecords: 1,
      itemsWithTwoPrSets: 1,
    });
    expect(measures.lostPrsByItemState).toEqual({ unrecorded: 1 });
    expect(measures.failedWithPlatformMessage).toBe(1);
    expect(measures.examples.leakedReplicas).toEqual(['stray (r5)']);
  });

  it('measure the longest stretch without progress, across reads that failed', () => {
    const trace = new ProgressTrace(10, 0);
    trace.record(0, 1_000);
    trace.record(2, 3_000);
    trace.record(2, 4_000);
    // No reads between 4 s and 20 s (Temporal down): the stall runs from the last rise to the next.
    trace.record(5, 20_000);
    trace.record(10, 21_000);
    expect(trace.done).toBe(true);
    expect(trace.longestStall(100_000)).toEqual({ ms: 17_000, fromMs: 3_000, toMs: 20_000 });
    const stuck = new ProgressTrace(10, 0);
    stuck.record(3, 2_000);
    expect(stuck.longestStall(50_000)).toEqual({ ms: 48_000, fromMs: 2_000, toMs: 50_000 });
  });

  it('plan the same kills for the same seed, one after another, spread over the run', () => {
    const counts = { worker: 6, ingress: 1, temporal: 1 };
    const plan = planDisruptions(42, counts);
    expect(planDisruptions(42, counts)).toEqual(plan);
    expect(planDisruptions(43, counts)).not.toEqual(plan);
    expect(plan.filter((d) => d.target === 'worker')).toHaveLength(6);
    expect(plan.map((d) => d.target).sort()).toEqual([
      'ingress',
      'temporal',
      ...Array<string>(6).fill('worker'),
    ]);
    const points = plan.map((d) => d.atFinished);
    expect(points).toEqual([...points].sort((a, b) => a - b));
    expect(Math.min(...points)).toBeGreaterThan(0.03);
    expect(Math.max(...points)).toBeLessThan(0.9);
  });
});

describe('chaos run', () => {
  it('every fault knob, the worker killed twice, the ingress and the dev server once: nothing lost, duplicated or leaked', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      items: 120,
      concurrency: 40,
      itemsPerShard: 60,
      seed: 20_250,
      kills: { worker: 2, ingress: 1, temporal: 1 },
      deadlineMs: 180_000,
      maxStallMs: 90_000,
      cli: [
        path.join(root, 'node_modules', '.bin', 'vite-node'),
        path.join(root, 'test', 'fixtures', 'cli-process.ts'),
      ],
      workflowBundlePath: inject('workflowBundlePath'),
      log: (line) => lines.push(line),
    });
    const context = `${lines.join('\n')}\n${JSON.stringify(report.measures?.examples)}`;
    expect(report.problems, context).toEqual([]);
    expect(report.campaignState).toBe('finished');
    expect(report.measures?.counts).toEqual(Object.fromEntries(MEASURES.map((m) => [m, 0])));
    expect(report.kills.map((k) => k.target).sort()).toEqual(['ingress', 'temporal', 'worker', 'worker']);
    // The faults really happened: a run without them would prove nothing.
    const { faults, webhooks } = report.injected;
    expect(
      faults.serverErrors * faults.rateLimited * faults.droppedResponses * faults.errored,
    ).toBeGreaterThan(0);
    expect(webhooks.duplicated * webhooks.dropped).toBeGreaterThan(0);
    expect(report.measures?.failedWithPlatformMessage).toBeGreaterThan(0);
  }, 300_000);
});
