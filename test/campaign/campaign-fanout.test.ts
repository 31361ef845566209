import { describe, expect, it } from 'vitest';
import { progressQuery, resultsQuery } from '../../src/workflows/campaign/messages';
import type { ItemRecord } from '../../src/contracts';
import { useJobHarness } from '../support/job-harness';

describe('campaign fan-out (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('runs 200 items at concurrency 20 across continue-as-new: never more than 20 live, none lost or doubled', async () => {
    const live = t.h.resetPeak();
    const stats = t.h.sim.stats();
    const createdBefore = stats.replicasCreated;
    const handle = await t.h.startCampaign({
      job: { message: 'rename the {{repository}} logger for {{item.key}}', webhookSafetyPollMs: 5000 },
      items: t.h.items(200),
      concurrency: 20,
    });
    const result = await handle.result();
    expect(result.summary).toMatchObject({
      total: 200,
      succeeded: 200,
      failed: 0,
      pending: 0,
      running: 0,
      prsOpened: 200,
    });
    expect(result.summary.runs).toBeGreaterThan(1);
    expect(t.h.sim.stats().peakLiveReplicas - live).toBeLessThanOrEqual(20);
    expect(t.h.sim.stats().replicasCreated - createdBefore).toBe(200);
    expect(t.h.sim.stats().duplicateNames).toBe(0);
    expect(new Set(result.records.map((r) => r.key)).size).toBe(200);
    const prs = result.records.flatMap((r) => r.prs ?? []);
    expect(new Set(prs).size).toBe(200);
    expect(
      result.records.every((r) => r.state === 'succeeded' && r.replicaId && r.durationMs !== undefined),
    ).toBe(true);
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
  });

  it('pages results through a query, and reports progress while running', async () => {
    t.h.sim.configure({ timings: { turnMs: 400 } });
    try {
      const handle = await t.h.startCampaign({ job: { message: 'x' }, items: t.h.items(6), concurrency: 2 });
      const progress = await handle.query(progressQuery);
      expect(progress.total).toBe(6);
      expect(progress.concurrency).toBe(2);
      await handle.result();
      const pages: ItemRecord[] = [];
      for (let offset = 0; ; offset += 4) {
        const page = await handle.query(resultsQuery, { offset, limit: 4 });
        pages.push(...page.records);
        if (offset + 4 >= page.total) break;
      }
      expect(pages.map((r) => r.key)).toEqual(t.h.items(6).map((i) => i.key));
    } finally {
      t.h.sim.configure({ timings: { turnMs: 80 } });
    }
  });

  it('attaches to an item whose child is already running instead of starting it twice', () =>
    // A turn long enough that the earlier job is surely still running when the campaign starts.
    t.h.withSim({ timings: { turnMs: 1500 } }, async () => {
      const campaignId = `attach-${Date.now()}`;
      const [item] = t.h.items(1);
      const created = t.h.sim.stats().replicasCreated;
      // A job for the item already runs (e.g. left by an earlier run of this campaign id).
      const earlier = await t.h.start({
        ...t.h.input(),
        campaignId,
        itemKey: item?.key as string,
        environmentId: item?.environmentId as string,
        reportTo: campaignId,
      });
      const handle = await t.h.startCampaign(
        { job: { message: 'x' }, items: [item as NonNullable<typeof item>] },
        campaignId,
      );
      const result = await handle.result();
      expect(result.summary).toMatchObject({ total: 1, succeeded: 1 });
      expect(result.records[0]?.replicaId).toBe(
        ((await earlier.result()) as { replicaId: string }).replicaId,
      );
      expect(t.h.sim.stats().replicasCreated - created).toBe(1);
      const history = await handle.fetchHistory();
      expect((history.events ?? []).some((e) => e.startChildWorkflowExecutionFailedEventAttributes)).toBe(
        true,
      );
    }));
});
