import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  addItemsUpdate,
  cancelCampaignSignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  retryFailedUpdate,
  setConcurrencyUpdate,
} from '../../src/workflows/campaign/messages';
import { replicaName } from '../../src/contracts';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';
import { forceState } from '../support/simulator';

describe('campaign controls and guards (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('pauses (no new starts), changes concurrency by update, rejects an invalid one, resumes', async () => {
    t.h.sim.configure({ timings: { turnMs: 300 } });
    try {
      const handle = await t.h.startCampaign({ job: { message: 'x' }, items: t.h.items(12), concurrency: 2 });
      await eventually(async () => (await handle.query(progressQuery)).running === 2);
      await handle.signal(pauseSignal);
      let last: unknown;
      // The two running items finish; nothing new starts while paused.
      await eventually(
        async () => {
          const p = await handle.query(progressQuery);
          last = p;
          return p.paused && p.running === 0 && p.succeeded === 2;
        },
        30_000,
        () => last,
      );
      expect(await handle.query(progressQuery)).toMatchObject({ pending: 10, succeeded: 2, running: 0 });
      await expect(handle.executeUpdate(setConcurrencyUpdate, { args: [0] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
      await expect(handle.executeUpdate(setConcurrencyUpdate, { args: [5] })).resolves.toEqual({
        concurrency: 5,
      });
      const base = t.h.resetPeak();
      await handle.signal(resumeSignal);
      const result = await handle.result();
      expect(result.summary).toMatchObject({ succeeded: 12, concurrency: 5 });
      expect(t.h.sim.stats().peakLiveReplicas - base).toBeLessThanOrEqual(5);
      expect(t.h.sim.stats().peakLiveReplicas - base).toBeGreaterThan(2);
    } finally {
      t.h.sim.configure({ timings: { turnMs: 80 } });
    }
  });

  it('adds items by update and rejects duplicates with a clear message', async () => {
    t.h.sim.configure({ timings: { turnMs: 300 } });
    try {
      const handle = await t.h.startCampaign({ job: { message: 'x' }, items: t.h.items(2), concurrency: 1 });
      const extra = t.h.items(4).slice(2);
      await expect(handle.executeUpdate(addItemsUpdate, { args: [extra] })).resolves.toEqual({
        added: 2,
        total: 4,
      });
      await expect(handle.executeUpdate(addItemsUpdate, { args: [extra] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/already exists/) as unknown },
      });
      const result = await handle.result();
      expect(result.summary).toMatchObject({ total: 4, succeeded: 4 });
    } finally {
      t.h.sim.configure({ timings: { turnMs: 80 } });
    }
  });

  it('cancels: running items are cancelled and cleaned up, the rest marked cancelled', async () => {
    t.h.sim.configure({ timings: { turnMs: 600_000 } });
    try {
      const live = t.h.sim.stats().liveReplicas;
      const handle = await t.h.startCampaign({ job: { message: 'x' }, items: t.h.items(8), concurrency: 3 });
      await eventually(
        async () =>
          (await handle.query(progressQuery)).running === 3 && t.h.sim.stats().liveReplicas === live + 3,
      );
      await handle.signal(cancelCampaignSignal);
      const result = await handle.result();
      expect(result.summary).toMatchObject({ cancelled: 8, running: 0, stopReason: 'cancelled' });
      expect(t.h.sim.stats().liveReplicas).toBe(live);
      await expect(handle.executeUpdate(retryFailedUpdate)).rejects.toThrow();
    } finally {
      t.h.sim.configure({ timings: { turnMs: 80 } });
    }
  });

  it('retries only failed items, each on a fresh replica', async () => {
    t.h.sim.configure({ timings: { turnMs: 600_000 } });
    const handle = await t.h.startCampaign({ job: { message: 'x' }, items: t.h.items(4), concurrency: 4 });
    try {
      // Fail the first two items' replicas once both exist.
      const names = new Set(t.h.items(2).map((item) => replicaName(handle.workflowId, item.key)));
      let doomed: { id: string }[] = [];
      await eventually(async () => {
        const { replicas } = await t.h.client.listReplicas({ limit: 100 });
        doomed = replicas.filter((r) => names.has(r.name));
        return doomed.length === 2;
      });
      for (const replica of doomed) await forceState(t.h.sim.url, replica.id, 'error', 'disk full');
      let last: unknown;
      await eventually(
        async () => {
          const p = await handle.query(progressQuery);
          last = p;
          return p.failed === 2;
        },
        30_000,
        () => last,
      );
      t.h.sim.configure({ timings: { turnMs: 80 } });
      await expect(handle.executeUpdate(retryFailedUpdate)).resolves.toEqual({ requeued: 2 });
      await eventually(async () => (await handle.query(progressQuery)).succeeded === 2);
      const progress = await handle.query(progressQuery);
      expect(progress).toMatchObject({ failed: 0, succeeded: 2, running: 2 });
    } finally {
      await handle.signal(cancelCampaignSignal);
      const result = await handle.result();
      t.h.sim.configure({ timings: { turnMs: 80 } });
      const retried = result.records.filter((r) => r.attempt === 2);
      expect(retried).toHaveLength(2);
      expect(retried.every((r) => r.state === 'succeeded')).toBe(true);
      expect(t.h.sim.stats().duplicateNames).toBe(0);
    }
  }, 120_000);

  it('stops starting items once the failure threshold trips; the rest are skipped', async () => {
    t.h.sim.configure({ behaviour: { errorRate: 1 } });
    try {
      const handle = await t.h.startCampaign({
        job: { message: 'x' },
        items: t.h.items(10),
        concurrency: 1,
        failureThreshold: { percent: 50, minFinished: 3 },
      });
      const result = await handle.result();
      expect(result.summary).toMatchObject({ failed: 3, skipped: 7, succeeded: 0 });
      expect(result.summary.stopReason).toMatch(/failure threshold: 3 of 3/);
      expect(result.records.find((r) => r.state === 'failed')?.error).toMatch(/out of memory/);
    } finally {
      t.h.sim.configure({ behaviour: { errorRate: 0 } });
    }
  });

  it('keeps projected spend within the budget: fewer items in flight, and none when one would pass it', async () => {
    const base = t.h.resetPeak();
    const capped = await t.h.startCampaign({
      job: { message: 'x', size: 'small' },
      items: t.h.items(8),
      concurrency: 8,
      // 10 min × $0.008 = $0.08 per running item: $0.25 fits three at a time.
      budgetUsd: 0.25,
      estimatedMinutesPerItem: 10,
    });
    const result = await capped.result();
    expect(result.summary.succeeded).toBe(8);
    expect(t.h.sim.stats().peakLiveReplicas - base).toBeLessThanOrEqual(3);
    expect(result.summary.estimatedCostUsd).toBeLessThan(0.25);

    const broke = await t.h.startCampaign({
      job: { message: 'x', size: 'large' },
      items: t.h.items(3),
      budgetUsd: 0.05,
      estimatedMinutesPerItem: 10,
    });
    const none = await broke.result();
    expect(none.summary).toMatchObject({ skipped: 3, succeeded: 0 });
    expect(none.summary.stopReason).toMatch(/^budget/);
  });

  it('paces the rollout: at most K starts per minute, the next start waits on a timer', async () => {
    const handle = await t.h.startCampaign({
      job: { message: 'x' },
      items: t.h.items(5),
      startsPerMinute: 2,
      concurrency: 5,
    });
    try {
      await eventually(async () => (await handle.query(progressQuery)).succeeded === 2);
      const history = await handle.fetchHistory();
      const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
      const longest = Math.max(
        ...timers.map((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0)),
      );
      expect(longest).toBeGreaterThan(30);
      expect((await handle.query(progressQuery)).pending).toBe(3);
    } finally {
      await handle.signal(cancelCampaignSignal);
      await handle.result();
    }
  });
});
