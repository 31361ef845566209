import { describe, expect, it } from 'vitest';
import { shardWorkflowId } from '../../src/contracts';
import { cancelUpdate } from '../../src/workflows/campaign/messages';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';

describe('campaign fan-out across shards (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('runs 300 items over 3 shards at concurrency 20, across continue-as-new: never more than 20 live, none lost or doubled, every PR in results', async () => {
    const live = t.h.resetPeak();
    const createdBefore = t.h.sim.stats().replicasCreated;
    const { campaignId, outcome } = await t.h.apply({
      job: { message: 'rename the {{repository}} logger for {{item.key}}', webhookSafetyPollMs: 5000 },
      items: t.h.items(300),
      concurrency: 20,
      itemsPerShard: 100,
    });
    expect(outcome).toMatchObject({ created: true, shardCount: 3, summary: { added: 300 } });
    const progress = await t.h.settle(campaignId, undefined, 120_000);
    expect(progress).toMatchObject({ state: 'finished', total: 300, prsOpened: 300, shards: 3 });
    expect(progress.counts).toMatchObject({ succeeded: 300, failed: 0, pending: 0, running: 0 });
    expect(t.h.sim.stats().peakLiveReplicas - live).toBeLessThanOrEqual(20);
    expect(t.h.sim.stats().replicasCreated - createdBefore).toBe(300);
    expect(t.h.sim.stats().duplicateNames).toBe(0);
    const records = await t.h.records(campaignId);
    expect(new Set(records.map((r) => r.key)).size).toBe(300);
    expect(new Set(records.flatMap((r) => r.prs ?? [])).size).toBe(300);
    expect(
      records.every((r) => r.state === 'succeeded' && r.replicaId && r.endedAtMs! >= r.startedAtMs!),
    ).toBe(true);
    // The suite's server suggests continue-as-new after 300 events: every shard crossed runs.
    for (let index = 0; index < 3; index += 1) {
      const shard = t.env.client.workflow.getHandle(shardWorkflowId(campaignId, index));
      const { runId } = await shard.describe();
      const first = (await shard.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(first?.firstExecutionRunId, `shard ${index}`).not.toBe(runId);
    }
  }, 180_000);

  it('an apply that outgrows a run continues it as new between chunks (none spins, every item lands once)', () =>
    // Turns that outlast the test: only the apply and the campaign's own runs matter here.
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      // 60 shards started and told their items within one apply: far past the suite server's
      // suggestion (300 events) while chunks are in flight. The campaign refuses new chunks until it
      // has continued as new (never spinning while updates run); the sender sends them again.
      const { campaignId, outcome } = await t.h.apply({
        job: { message: 'rename the {{repository}} logger' },
        items: t.h.items(600),
        concurrency: 1,
        itemsPerShard: 10,
      });
      expect(outcome).toMatchObject({ created: true, shardCount: 60, summary: { added: 600 } });
      const handle = t.env.client.workflow.getHandle(campaignId);
      await eventually(async () => {
        const { runId } = await handle.describe();
        const first = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
        return first?.firstExecutionRunId !== runId;
      }, 60_000);
      const progress = await handle.executeUpdate(cancelUpdate);
      expect(progress).toMatchObject({ total: 600, shards: 60 });
    }));

  it('reports progress while running and pages results across shards', () =>
    t.h.withSim({ timings: { turnMs: 400 } }, async () => {
      const { campaignId } = await t.h.apply({
        job: { message: 'x' },
        items: t.h.items(12),
        concurrency: 2,
        itemsPerShard: 5,
      });
      const running = await t.h.progress(campaignId);
      expect(running).toMatchObject({ total: 12, concurrency: 2, shards: 3 });
      await t.h.settle(campaignId);
      const keys = (await t.h.records(campaignId)).map((r) => r.key).sort();
      expect(keys).toEqual(t.h.items(12).map((i) => i.key));
    }));

  it('learns from Temporal how an item ended whose job id was already taken, instead of starting it twice', () =>
    t.h.withSim({ timings: { turnMs: 1500 } }, async () => {
      const campaignId = `taken-${Date.now()}`;
      const [item] = t.h.items(1);
      const created = t.h.sim.stats().replicasCreated;
      // A job for the item already runs (e.g. left by an earlier campaign of this id).
      const earlier = await t.h.start({
        ...t.h.input(),
        campaignId,
        itemKey: item!.key,
        environmentId: item!.environmentId,
      });
      await t.h.apply({ job: { message: 'x' }, items: [item!] }, { id: campaignId });
      const progress = await t.h.settle(campaignId);
      expect(progress.counts.succeeded).toBe(1);
      const [record] = await t.h.records(campaignId);
      expect(record?.replicaId).toBe((await earlier.result()).replicaId);
      expect(t.h.sim.stats().replicasCreated - created).toBe(1);
    }));
});
