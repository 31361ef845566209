import { describe, expect, it } from 'vitest';
import { approveUpdate, rejectUpdate } from '../../src/workflows/campaign/messages';
import { useJobHarness } from '../support/job-harness';

describe('staged rollout (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });
  const rollout = { canary: 3, waves: ['100%' as const], approval: true };

  it('runs a canary of 3, waits for approval with nothing else started, then approve opens the next wave', async () => {
    const { campaignId, handle } = await t.h.apply({
      job: { message: 'x' },
      items: t.h.items(10),
      concurrency: 10,
      rollout,
    });
    const waiting = await t.h.settle(campaignId);
    expect(waiting).toMatchObject({
      state: 'awaiting_approval',
      counts: { succeeded: 3, pending: 7, running: 0 },
      rollout: { wave: 0, waves: 2, awaitingApproval: true },
    });
    expect((await t.h.records(campaignId)).filter((r) => r.state === 'succeeded').map((r) => r.key)).toEqual(
      t.h.items(3).map((i) => i.key),
    );
    expect((await handle.executeUpdate(approveUpdate)).rollout).toMatchObject({
      wave: 1,
      awaitingApproval: false,
    });
    expect(await t.h.settle(campaignId)).toMatchObject({ state: 'finished', counts: { succeeded: 10 } });
  });

  it('reject cancels the rest of the rollout', async () => {
    const { campaignId, handle } = await t.h.apply({ job: { message: 'x' }, items: t.h.items(6), rollout });
    await t.h.settle(campaignId, (p) => p.state === 'awaiting_approval');
    expect((await handle.executeUpdate(rejectUpdate)).stopReason).toEqual({ kind: 'rejected', wave: 1 });
    expect(await t.h.settle(campaignId, (p) => p.counts.cancelled === 3)).toMatchObject({
      state: 'cancelled',
      counts: { succeeded: 3, cancelled: 3 },
    });
  });

  it('a canary over the failure threshold stops there: later waves never start', () =>
    t.h.withSim({ behaviour: { errorRate: 1 } }, async () => {
      const { campaignId } = await t.h.apply({
        job: { message: 'x' },
        items: t.h.items(10),
        rollout: { canary: 3, waves: ['100%'] },
        failureThreshold: { percent: 50, minFinished: 2 },
      });
      const stopped = await t.h.settle(campaignId);
      expect(stopped).toMatchObject({
        state: 'finished',
        counts: { pending: 7, succeeded: 0 },
        rollout: { wave: 0 },
      });
      expect(stopped.stopReason).toMatchObject({ kind: 'failure_threshold', wave: 0, percent: 50 });
      expect(stopped.counts.failed).toBeLessThanOrEqual(3);
    }));
});
