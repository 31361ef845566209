import { describe, expect, it } from 'vitest';
import type { CampaignSpec } from '../../src/contracts';
import { startJobHarness, useJobHarness } from '../support/job-harness';
import { spawnWorkerProcess } from '../support/worker-process';

describe('apply reconciles a campaign by item key (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('applying the same spec twice creates no second replica or PR; two new keys after it finished run alone', async () => {
    const spec: CampaignSpec = {
      job: { message: 'fix {{repository}}' },
      items: t.h.items(6),
      concurrency: 3,
    };
    const created = t.h.sim.stats().replicasCreated;
    const first = await t.h.apply(spec);
    expect(first.outcome).toMatchObject({ created: true, summary: { added: 6, kept: 0 } });
    expect(await t.h.settle(first.campaignId)).toMatchObject({ state: 'finished', prsOpened: 6 });
    const again = await t.h.apply(spec, { id: first.campaignId });
    expect(again.outcome).toMatchObject({
      created: false,
      summary: { added: 0, kept: 6, retried: 0, pruned: 0 },
    });
    expect(await t.h.settle(first.campaignId)).toMatchObject({ state: 'finished', prsOpened: 6 });
    expect(t.h.sim.stats().replicasCreated - created).toBe(6);
    const grown = await t.h.apply({ ...spec, items: t.h.items(8) }, { id: first.campaignId });
    expect(grown.outcome.summary).toMatchObject({ added: 2, kept: 6 });
    const done = await t.h.settle(first.campaignId);
    expect(done).toMatchObject({ state: 'finished', total: 8, prsOpened: 8, counts: { succeeded: 8 } });
    expect(t.h.sim.stats().replicasCreated - created).toBe(8);
    expect(t.h.sim.stats().duplicateNames).toBe(0);
  });

  it('re-runs failed items only with retryFailed, each on a fresh replica', async () => {
    t.h.sim.configure({ behaviour: { errorRate: 1 } });
    const spec: CampaignSpec = { job: { message: 'x' }, items: t.h.items(3) };
    let campaignId = '';
    try {
      ({ campaignId } = await t.h.apply(spec));
      expect((await t.h.settle(campaignId)).counts.failed).toBe(3);
      const kept = await t.h.apply(spec, { id: campaignId });
      expect(kept.outcome.summary).toMatchObject({ kept: 3, retried: 0 });
    } finally {
      t.h.sim.configure({ behaviour: { errorRate: 0 } });
    }
    const retried = await t.h.apply(spec, { id: campaignId, retryFailed: true });
    expect(retried.outcome.summary).toMatchObject({ kept: 0, retried: 3 });
    expect((await t.h.settle(campaignId)).counts).toMatchObject({ succeeded: 3, failed: 0 });
    expect((await t.h.records(campaignId)).map((r) => r.attempt)).toEqual([2, 2, 2]);
  });

  it('prunes keys the spec no longer names (cancelling running ones, with cleanup); new settings reach items not started', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const live = t.h.sim.stats().liveReplicas;
      const items = t.h.items(4);
      const spec: CampaignSpec = {
        job: { message: 'first wording', cleanup: 'keep' },
        items,
        concurrency: 2,
      };
      const { campaignId } = await t.h.apply(spec);
      await t.h.settle(campaignId, (p) => p.counts.running === 2);
      const changed = await t.h.apply(
        { ...spec, job: { ...spec.job, message: 'second wording' }, items: [items[0]!, items[2]!] },
        { id: campaignId, prune: true },
      );
      expect(changed.outcome).toMatchObject({ settingsChanged: true, summary: { kept: 2, pruned: 2 } });
      const progress = await t.h.settle(
        campaignId,
        (p) => p.counts.running === 2 && p.counts.cancelled === 2,
      );
      expect(progress.counts).toMatchObject({ running: 2, cancelled: 2, pending: 0 });
      // Item 2 started after the change: its replica got the new wording.
      const records = await t.h.records(campaignId);
      const third = records.find((r) => r.key === items[2]!.key);
      expect(third?.state).toBe('running');
      const { replicas } = await t.h.client.listReplicas({ limit: 100 });
      const mine = replicas.filter((r) => r.name.includes(campaignId.toLowerCase().slice(0, 20)));
      expect(mine.length).toBeGreaterThan(0);
      const histories = await Promise.all(
        mine.map(async (r) =>
          JSON.stringify((await t.h.client.getHistory(r.id).catch(() => ({ events: [] }))).events),
        ),
      );
      expect(histories.some((h) => h.includes('second wording'))).toBe(true);
      await t.h.progress(campaignId);
      await t.env.client.workflow.getHandle(campaignId).executeUpdate('cancel');
      await t.h.settle(campaignId, (p) => p.counts.running === 0);
      // Cleanup keep: the pruned and cancelled replicas are the user's to delete; none leaked beyond them.
      expect(t.h.sim.stats().liveReplicas - live).toBeLessThanOrEqual(4);
    }));

  it('applying the same spec again after the worker was SIGKILLed mid-campaign: one replica and one PR per item', async () => {
    const solo = await startJobHarness(t.env, {
      webhooks: true,
      workers: false,
      sim: { behaviour: { prProbability: 1 }, timings: { turnMs: 700 } },
    });
    const worker = await spawnWorkerProcess(solo, t.env.address);
    try {
      const spec: CampaignSpec = { job: { message: 'x' }, items: solo.items(12), concurrency: 4 };
      const { campaignId } = await solo.apply(spec);
      await solo.settle(campaignId, (p) => p.counts.succeeded >= 2 && p.counts.running > 0);
      await worker.kill();
      await solo.startWorkers();
      const again = await solo.apply(spec, { id: campaignId });
      expect(again.outcome.summary.added).toBe(0);
      const done = await solo.settle(campaignId, undefined, 90_000);
      expect(done).toMatchObject({ state: 'finished', prsOpened: 12, counts: { succeeded: 12 } });
      const stats = solo.sim.stats();
      expect(stats.replicasCreated).toBe(12);
      expect(stats.duplicateNames).toBe(0);
      expect(new Set((await solo.records(campaignId)).flatMap((r) => r.prs ?? [])).size).toBe(12);
    } finally {
      await worker.kill();
      await solo.close();
    }
  }, 150_000);
});
