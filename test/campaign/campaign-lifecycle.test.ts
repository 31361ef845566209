import { describe, expect, it } from 'vitest';
import { jobWorkflowId } from '../../src/contracts';
import { closeUpdate } from '../../src/workflows/campaign/messages';
import { useJobHarness } from '../support/job-harness';
import { startTimeSkippingServer } from '../support/temporal';

const DAY = 24 * 60 * 60 * 1000;

describe('campaign lifecycle (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('closes on request; its results stay readable; applying it again reopens it without re-running what succeeded', async () => {
    const spec = { job: { message: 'x' }, items: t.h.items(3) };
    const { campaignId, handle } = await t.h.apply(spec);
    await t.h.settle(campaignId);
    expect((await handle.executeUpdate(closeUpdate)).state).toBe('closed');
    const closed = await handle.result();
    expect(closed.progress).toMatchObject({ state: 'closed', counts: { succeeded: 3 } });
    expect((await t.h.progress(campaignId)).state).toBe('closed');
    expect((await t.h.records(campaignId)).map((r) => r.state)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    const created = t.h.sim.stats().replicasCreated;
    const reopened = await t.h.apply({ ...spec, items: t.h.items(4) }, { id: campaignId });
    expect(reopened.outcome.summary).toMatchObject({ added: 1, kept: 3 });
    expect(await t.h.settle(campaignId)).toMatchObject({ state: 'finished', counts: { succeeded: 4 } });
    expect(t.h.sim.stats().replicasCreated - created).toBe(1);
  });

  it('ends an item failed with the reason when its job is terminated out of band; the campaign moves on', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const { campaignId } = await t.h.apply({ job: { message: 'x' }, items: t.h.items(2), concurrency: 2 });
      await t.h.settle(campaignId, (p) => p.counts.running === 2);
      const [first] = t.h.items(1);
      await t.env.client.workflow
        .getHandle(jobWorkflowId(campaignId, first!.key))
        .terminate('operator cleanup');
      const progress = await t.h.settle(campaignId, (p) => p.counts.failed === 1);
      expect(progress.counts.running).toBe(1);
      const record = (await t.h.records(campaignId)).find((r) => r.key === first!.key);
      expect(record).toMatchObject({
        state: 'failed',
        error: 'job terminated out of band: operator cleanup',
      });
    }));
});

describe('campaign retention (time-skipping server)', () => {
  const t = useJobHarness(
    { webhooks: true, sim: { behaviour: { prProbability: 1 } } },
    startTimeSkippingServer,
  );

  it('an idle finished campaign closes itself after its retention period', async () => {
    const { campaignId, handle } = await t.h.apply({
      job: { message: 'x' },
      items: t.h.items(2),
      retentionMs: DAY,
    });
    const finished = await t.h.settle(campaignId);
    expect(finished.state).toBe('finished');
    expect(Date.parse(finished.closesAt!) - Date.parse(finished.finishedAt!)).toBe(DAY);
    const started = performance.now();
    // Awaiting the result lets the test server skip the day.
    const closed = await handle.result();
    expect(closed.progress).toMatchObject({ state: 'closed', counts: { succeeded: 2 } });
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
