import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runChaos } from '../../bench/chaos/chaos';
import { measure, MEASURES } from '../../bench/chaos/measures';
import { PR_MEASURES } from '../../bench/chaos/pr-measures';
import { ProgressTrace } from '../../bench/chaos/progress-trace';
import { retryOutcome } from '../../bench/chaos/retry-summary';
import { planDisruptions, planRetryDisruptions } from '../../bench/chaos/schedule';
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
      duplicates: 3,
      lostPrs: 1,
      lostTurns: 1,
      leakedReplicas: 1,
      failedWithoutPlatformMessage: 1,
      failedByRetryableFault: 1,
      itemsNotFinished: 1,
      // b's two replicas of one run opened a PR each.
      secondPrs: 1,
      spendDecreased: 0,
    });
    expect(measures.duplicateKinds).toEqual({
      sameNameAlive: 0,
      namesCreatedAgain: 1,
      duplicateTurns: 1,
      duplicateRecords: 1,
    });
    // b's stray replica is on no record, its item is.
    expect(measures.lostPrsByItemState).toEqual({ succeeded: 1 });
    expect(measures.failedWithPlatformMessage).toBe(1);
    expect(measures.examples.leakedReplicas).toEqual(['stray (r5)']);
  });

  it('count a retry that opened a second PR and a spend that went down, and nothing else a retry leaves', () => {
    const name = (key: string) => replicaName('c', key);
    const failed = (key: string, replicaId: string, pr: string): ItemRecord => ({
      key,
      state: 'failed',
      attempt: 1,
      replicaId,
      prs: [pr],
      error: `replica ${replicaId} failed: boom`,
      replicaKept: true,
    });
    const first = [failed('kept', 'k1', 'pk'), failed('moved', 'm1', 'pm'), failed('second', 's1', 'ps1')];
    const measures = measure({
      campaignId: 'c',
      itemKeys: ['kept', 'moved', 'second'],
      followUps: 1,
      earlierRecords: first,
      records: [
        // Continued on the workspace its first run kept: two runs of two turns there.
        { key: 'kept', state: 'succeeded', attempt: 2, replicaId: 'k1', prs: ['pk'] },
        // Continued its PR on a new workspace; the errored one stays kept as the first run's evidence.
        {
          key: 'moved',
          state: 'succeeded',
          attempt: 2,
          replicaId: 'm2',
          prs: ['pm'],
          earlierReplicas: ['m1'],
        },
        // The re-run opened a PR of its own instead of continuing the item's.
        {
          key: 'second',
          state: 'succeeded',
          attempt: 2,
          replicaId: 's2',
          prs: ['ps1', 'ps2'],
          earlierReplicas: ['s1'],
        },
      ],
      stats: {
        duplicateNames: 0,
        createdReplicas: {
          k1: { name: name('kept'), pullRequests: ['pk'], error: 'boom' },
          m1: { name: name('moved'), pullRequests: ['pm'], error: 'boom' },
          m2: { name: name('moved#2'), pullRequests: [] },
          s1: { name: name('second'), pullRequests: ['ps1'], error: 'boom' },
          s2: { name: name('second#2'), pullRequests: ['ps2'] },
        },
        turnsByReplica: { k1: 4, m1: 2, m2: 2, s1: 2, s2: 2 },
      },
      liveReplicas: [
        { id: 'm1', name: name('moved') },
        { id: 's1', name: name('second') },
      ],
      // The retry's first read showed less than the first pass had spent.
      spendSamples: [0.1, 0.4, 0.4, 0.3, 0.6],
    });
    expect(measures.counts).toEqual({
      ...Object.fromEntries(MEASURES.map((m) => [m, 0])),
      secondPrs: 1,
      spendDecreased: 1,
    });
    expect(measures.examples.secondPrs).toEqual(['second has 2 PRs from 2 replicas: ps1 ps2']);
    expect(measures.examples.spendDecreased).toEqual(['read 4 showed 0.3 USD after 0.4 USD']);
    expect(measures.mostPrsOfAnItem).toBe(2);
    // The first runs' failures are judged too, though their records moved on.
    expect(measures.failedWithPlatformMessage).toBe(3);
  });

  it('tell retries continued on the kept workspace from those on a new one, by the records and by the simulator', () => {
    const name = (key: string) => replicaName('c', key);
    const run = (key: string, fields: Partial<ItemRecord>): ItemRecord => ({
      key,
      state: 'failed',
      attempt: 1,
      ...fields,
    });
    const outcome = retryOutcome({
      campaignId: 'c',
      before: [
        run('kept', { replicaId: 'k1', pullRequest: 'pk' }),
        run('moved', { replicaId: 'm1' }),
        run('fine', { state: 'succeeded', replicaId: 'f1' }),
      ],
      after: [
        run('kept', { attempt: 2, state: 'succeeded', replicaId: 'k1' }),
        run('moved', { attempt: 2, replicaId: 'm2' }),
        run('fine', { state: 'succeeded', replicaId: 'f1' }),
      ],
      turnsBefore: { k1: 1, m1: 1, f1: 2 },
      stats: {
        createdReplicas: {
          k1: { name: name('kept'), pullRequests: [] },
          m1: { name: name('moved'), pullRequests: [] },
          m2: { name: name('moved#2'), pullRequests: [] },
          f1: { name: name('fine'), pullRequests: [] },
        },
        turnsByReplica: { k1: 3, m1: 1, m2: 1, f1: 2 },
      },
    });
    expect(outcome).toEqual({
      items: 2,
      withPr: 1,
      ended: { succeeded: 1, failed: 1 },
      workspaces: { byRecords: { kept: 1, new: 1 }, bySimulator: { kept: 1, new: 1 } },
    });
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

  it('plan the kills of a retry phase back to back from its start, the worker first', () => {
    const plan = planRetryDisruptions(42, { worker: 2, ingress: 1, temporal: 0 });
    expect(planRetryDisruptions(42, { worker: 2, ingress: 1, temporal: 0 })).toEqual(plan);
    expect(plan.map((d) => d.target)).toEqual(['worker', 'worker', 'ingress']);
    expect(plan.map((d) => d.atFinished)).toEqual([0, 0, 0]);
  });
});

describe('chaos run', () => {
  it('every fault knob, the worker killed twice, the ingress and the dev server once, then retry-failed under the worker and the ingress killed once more: nothing lost, duplicated or leaked, one PR per item, spend never down; then PRs followed and fixed under GitHub faults, a bulk merge and forgeries: no fix turn or merge twice, no red merge, no forgery taken, no item stuck', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      items: 120,
      concurrency: 40,
      itemsPerShard: 60,
      seed: 20_250,
      kills: { worker: 2, ingress: 1, temporal: 1 },
      retryKills: { worker: 1, ingress: 1, temporal: 0 },
      deadlineMs: 180_000,
      maxStallMs: 90_000,
      cli: [
        path.join(root, 'node_modules', '.bin', 'vite-node'),
        path.join(root, 'test', 'fixtures', 'cli-process.ts'),
      ],
      workflowBundlePath: inject('workflowBundlePath'),
      prs: {
        items: 40,
        sweepMs: 15_000,
        maxFixTurns: 2,
        kills: { fixTurns: 1, bulkMerge: 1, ingress: 1 },
        deadlineMs: 300_000,
      },
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
    // The retry phase ran what the faults made fail, under kills of its own, and kept one PR per item.
    const retry = report.retry;
    expect(retry?.items, context).toBeGreaterThan(0);
    expect(retry?.kills.map((k) => k.target).sort()).toEqual(['ingress', 'worker']);
    expect(report.measures?.mostPrsOfAnItem).toBe(1);
    expect(retry?.spendUsd.after).toBeGreaterThan(retry?.spendUsd.before ?? Number.POSITIVE_INFINITY);
    expect(retry?.workspaces.bySimulator).toEqual(retry?.workspaces.byRecords);
    // The pull-request phase: its five counts zero, every kill where it was meant to land, and the
    // things they count really happened (fix turns, merges, forgeries refused at the door, faults).
    const prs = report.prs;
    expect(prs?.measures?.counts, context).toEqual(Object.fromEntries(PR_MEASURES.map((m) => [m, 0])));
    expect(prs?.kills.map((k) => `${k.target} during ${k.during}`).sort()).toEqual([
      'ingress during tracking',
      'worker during bulk merge',
      'worker during fix turns',
    ]);
    expect(prs?.measures?.fixTurns.recorded).toBeGreaterThan(0);
    expect(prs?.measures?.prs.merged).toBeGreaterThan(0);
    expect(prs?.bulkMerge?.outcomes.done).toBe(prs?.measures?.prs.merged);
    expect(prs?.measures?.forged.refused).toBeGreaterThan(0);
    expect(prs?.measures?.judged).toBe(prs?.measures?.prs.opened);
    const github = prs?.injected;
    expect((github?.webhooks.dropped ?? 0) * (github?.webhooks.duplicated ?? 0)).toBeGreaterThan(0);
  }, 600_000);
});
