import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { replicaName } from '../../src/contracts';
import {
  cancelUpdate,
  pauseUpdate,
  resumeUpdate,
  retryFailedUpdate,
  setConcurrencyUpdate,
} from '../../src/workflows/campaign/messages';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';
import { forceState } from '../support/simulator';

describe('campaign controls and guards (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('pauses (no new starts), changes concurrency by update, rejects an invalid one, resumes', () =>
    t.h.withSim({ timings: { turnMs: 300 } }, async () => {
      const { campaignId, handle } = await t.h.apply({
        job: { message: 'x' },
        items: t.h.items(30),
        concurrency: 2,
      });
      await t.h.settle(campaignId, (p) => p.counts.running === 2);
      expect((await handle.executeUpdate(pauseUpdate)).state).toBe('paused');
      // The running items finish (shards report every 2 s, so a few more may have ended by then);
      // nothing new starts while paused.
      const paused = await t.h.settle(campaignId, (p) => p.counts.running === 0 && p.counts.succeeded >= 2);
      expect(paused.state).toBe('paused');
      expect(paused.counts.succeeded + paused.counts.pending).toBe(30);
      expect(paused.counts.pending).toBeGreaterThan(5);
      const createdWhilePaused = t.h.sim.stats().replicasCreated;
      await expect(handle.executeUpdate(setConcurrencyUpdate, { args: [0] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
      await expect(handle.executeUpdate(setConcurrencyUpdate, { args: [5] })).resolves.toEqual({
        concurrency: 5,
      });
      expect(t.h.sim.stats().replicasCreated).toBe(createdWhilePaused);
      const base = t.h.resetPeak();
      await handle.executeUpdate(resumeUpdate);
      const done = await t.h.settle(campaignId);
      expect(done).toMatchObject({ state: 'finished', concurrency: 5, counts: { succeeded: 30 } });
      expect(t.h.sim.stats().peakLiveReplicas - base).toBeLessThanOrEqual(5);
      expect(t.h.sim.stats().peakLiveReplicas - base).toBeGreaterThan(2);
    }));

  it('adds items to a running campaign; keys it has are left as they are', () =>
    t.h.withSim({ timings: { turnMs: 300 } }, async () => {
      const { campaignId } = await t.h.apply({ job: { message: 'x' }, items: t.h.items(2), concurrency: 1 });
      const added = await t.h.apply(
        { job: { message: 'ignored' }, items: t.h.items(4) },
        { id: campaignId, addOnly: true },
      );
      expect(added.outcome.summary).toMatchObject({ added: 2, kept: 2 });
      expect(await t.h.settle(campaignId)).toMatchObject({ total: 4, counts: { succeeded: 4 } });
    }));

  it('cancels: running items are cancelled and cleaned up, the rest marked cancelled; no retry after', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const live = t.h.sim.stats().liveReplicas;
      const { campaignId, handle } = await t.h.apply({
        job: { message: 'x' },
        items: t.h.items(8),
        concurrency: 3,
      });
      await t.h.settle(campaignId, (p) => p.counts.running === 3);
      await eventually(async () => t.h.sim.stats().liveReplicas === live + 3);
      expect((await handle.executeUpdate(cancelUpdate)).state).toBe('cancelled');
      const done = await t.h.settle(campaignId, (p) => p.counts.cancelled === 8);
      expect(done).toMatchObject({
        state: 'cancelled',
        stopReason: { kind: 'cancelled' },
        counts: { running: 0 },
      });
      await eventually(async () => t.h.sim.stats().liveReplicas === live);
      await expect(handle.executeUpdate(retryFailedUpdate)).rejects.toThrow(WorkflowUpdateFailedError);
    }));

  it('retries only failed items, each on a fresh replica', async () => {
    t.h.sim.configure({ timings: { turnMs: 600_000 } });
    const { campaignId, handle } = await t.h.apply({
      job: { message: 'x' },
      items: t.h.items(4),
      concurrency: 4,
    });
    try {
      // Fail the first two items' replicas once both exist.
      const names = new Set(t.h.items(2).map((item) => replicaName(campaignId, item.key)));
      let doomed: { id: string }[] = [];
      await eventually(async () => {
        const { replicas } = await t.h.client.listReplicas({ limit: 100 });
        doomed = replicas.filter((r) => names.has(r.name));
        return doomed.length === 2;
      });
      for (const replica of doomed) await forceState(t.h.sim.url, replica.id, 'error', 'disk full');
      await t.h.settle(campaignId, (p) => p.counts.failed === 2);
      t.h.sim.configure({ timings: { turnMs: 80 } });
      await expect(handle.executeUpdate(retryFailedUpdate)).resolves.toEqual({ requeued: 2 });
      const progress = await t.h.settle(campaignId, (p) => p.counts.succeeded === 2);
      expect(progress.counts).toMatchObject({ failed: 0, succeeded: 2, running: 2 });
    } finally {
      await handle.executeUpdate(cancelUpdate);
      await t.h.settle(campaignId, (p) => p.counts.running === 0);
      t.h.sim.configure({ timings: { turnMs: 80 } });
    }
    const retried = (await t.h.records(campaignId)).filter((r) => r.attempt === 2);
    expect(retried.map((r) => r.state)).toEqual(['succeeded', 'succeeded']);
    expect(t.h.sim.stats().duplicateNames).toBe(0);
  }, 120_000);

  it('stops on the failure threshold and stays open: resume and retry-failed both work on the finished campaign', async () => {
    t.h.sim.configure({ behaviour: { errorRate: 1 } });
    let campaignId = '';
    try {
      ({ campaignId } = await t.h.apply({
        job: { message: 'x' },
        items: t.h.items(10),
        concurrency: 1,
        failureThreshold: { percent: 50, minFinished: 3 },
      }));
      const stopped = await t.h.settle(campaignId);
      expect(stopped).toMatchObject({
        state: 'finished',
        counts: { failed: 3, pending: 7, succeeded: 0 },
        stopReason: { kind: 'failure_threshold', wave: 0, failed: 3, finished: 3, percent: 50 },
      });
      const records = await t.h.records(campaignId);
      expect(records.find((r) => r.state === 'failed')?.error).toMatch(/out of memory/);
      // The failed replicas are kept as evidence (cleanup delete-on-success).
      expect(records.filter((r) => r.state === 'failed').every((r) => r.replicaKept)).toBe(true);
    } finally {
      t.h.sim.configure({ behaviour: { errorRate: 0 } });
    }
    const handle = t.env.client.workflow.getHandle(campaignId);
    expect((await handle.executeUpdate(resumeUpdate)).stopReason).toBeUndefined();
    await t.h.settle(campaignId, (p) => p.state === 'finished' && p.counts.pending === 0);
    expect(await handle.executeUpdate(retryFailedUpdate)).toEqual({ requeued: 3 });
    const done = await t.h.settle(campaignId, (p) => p.state === 'finished' && p.counts.failed === 0);
    expect(done.counts).toMatchObject({ succeeded: 10, failed: 0 });
  }, 120_000);

  it('keeps projected spend within the budget: fewer items in flight, and none when one would pass it', async () => {
    const base = t.h.resetPeak();
    // 10 min × $0.008 = $0.08 per running item: $0.25 fits three at a time.
    const { campaignId } = await t.h.apply({
      job: { message: 'x', size: 'small' },
      items: t.h.items(8),
      concurrency: 8,
      budgetUsd: 0.25,
      estimatedMinutesPerItem: 10,
    });
    const capped = await t.h.settle(campaignId);
    expect(capped.counts.succeeded).toBe(8);
    expect(t.h.sim.stats().peakLiveReplicas - base).toBeLessThanOrEqual(3);
    expect(capped.spentUsd).toBeLessThan(0.25);

    const broke = await t.h.apply({
      job: { message: 'x', size: 'large' },
      items: t.h.items(3),
      budgetUsd: 0.05,
      estimatedMinutesPerItem: 10,
    });
    const none = await t.h.settle(broke.campaignId);
    expect(none).toMatchObject({ state: 'finished', counts: { pending: 3, succeeded: 0 } });
    expect(none.stopReason).toMatchObject({ kind: 'budget', budgetUsd: 0.05 });
  });

  it('paces the rollout across shards: at most K starts per minute, the next ones wait for the window', async () => {
    const { campaignId, handle } = await t.h.apply({
      job: { message: 'x' },
      items: t.h.items(5),
      startsPerMinute: 2,
      concurrency: 5,
      itemsPerShard: 2,
    });
    try {
      const paced = await t.h.settle(campaignId, (p) => p.counts.succeeded === 2);
      expect(paced.shards).toBe(3);
      const history = await handle.fetchHistory();
      const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
      const longest = Math.max(
        ...timers.map((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0)),
      );
      expect(longest).toBeGreaterThan(30);
      expect((await t.h.progress(campaignId)).counts.pending).toBe(3);
    } finally {
      await handle.executeUpdate(cancelUpdate);
    }
  });
});
