/**
 * Records the histories the replay test replays: representative runs of every workflow, made by the
 * current code on a real server. Run only on purpose (`npm run histories:refresh`), after an intended
 * change to workflow code; see README "Changing workflow code".
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import path from 'node:path';
import { describe, it } from 'vitest';
import { shardWorkflowId } from '../../src/contracts';
import { approveUpdate, retryFailedUpdate } from '../../src/workflows/campaign/messages';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import { eventually } from '../support/eventually';
import { writeHistory } from '../support/history-files';
import { useJobHarness } from '../support/job-harness';

const dir = path.join(__dirname, 'histories');

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  await handle.result().catch(() => undefined);
  writeHistory(path.join(dir, `${name}.json`), handle.workflowId, await handle.fetchHistory());
}

/** The campaign's history and its first shard's, as they are now (the campaign stays open). */
async function saveCampaign(client: Client, name: string, campaignId: string): Promise<void> {
  const shardId = shardWorkflowId(campaignId, 0);
  const campaign = await client.workflow.getHandle(campaignId).fetchHistory();
  writeHistory(path.join(dir, `${name}.json`), campaignId, campaign);
  writeHistory(
    path.join(dir, `${name}-shard.json`),
    shardId,
    await client.workflow.getHandle(shardId).fetchHistory(),
  );
}

describe('record replay histories (webhooks)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('job: webhook happy path with a follow-up', async () => {
    await save('job-webhook-follow-up', await t.h.start(t.h.input({ followUps: ['update the changelog'] })));
  });

  it('job: wake for a follow-up', () =>
    t.h.withSim({ timings: { sleepAfterMs: 20 } }, async () => {
      await save('job-wake-follow-up', await t.h.start(t.h.input({ followUps: ['also fix the README'] })));
    }));

  it('job: abort on error', () =>
    t.h.withSim({ behaviour: { errorRate: 1 } }, async () => {
      await save('job-error-abort', await t.h.start(t.h.input()));
    }));

  it('job: cancelled mid-turn', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const handle = await t.h.start(t.h.input());
      await eventually(async () => (await handle.query(jobStateQuery)).phase === 'waiting_turn');
      await handle.cancel();
      await save('job-cancelled', handle);
    }));

  it('job: a turn that times out', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      await save('job-turn-timeout', await t.h.start(t.h.input({ turnTimeoutMs: 3_000 })));
    }));

  it('campaign: apply, re-apply with new keys, two shards', async () => {
    const spec = { job: { message: 'x' }, items: t.h.items(6), concurrency: 3, itemsPerShard: 3 };
    const { campaignId } = await t.h.apply(spec);
    await t.h.settle(campaignId);
    await t.h.apply({ ...spec, items: t.h.items(8) }, { id: campaignId });
    await t.h.settle(campaignId);
    await saveCampaign(t.env.client, 'campaign-apply-reconcile', campaignId);
  });

  it('campaign: failures, then retry-failed', async () => {
    t.h.sim.configure({ behaviour: { errorRate: 1 } });
    const { campaignId, handle } = await t.h.apply({ job: { message: 'x' }, items: t.h.items(3) });
    await t.h.settle(campaignId);
    t.h.sim.configure({ behaviour: { errorRate: 0 } });
    await handle.executeUpdate(retryFailedUpdate);
    await t.h.settle(campaignId, (p) => p.state === 'finished' && p.counts.succeeded === 3);
    await saveCampaign(t.env.client, 'campaign-retry-failed', campaignId);
  });

  it('campaign: staged rollout with approval', async () => {
    const { campaignId, handle } = await t.h.apply({
      job: { message: 'x' },
      items: t.h.items(5),
      rollout: { canary: 2, waves: ['100%'], approval: true },
    });
    await t.h.settle(campaignId);
    await handle.executeUpdate(approveUpdate);
    await t.h.settle(campaignId);
    await saveCampaign(t.env.client, 'campaign-rollout', campaignId);
  });

  it('campaign: a shard across continue-as-new', async () => {
    // The suite's server suggests continue-as-new after 300 events: 120 items cross it.
    const { campaignId } = await t.h.apply({ job: { message: 'x' }, items: t.h.items(120), concurrency: 20 });
    await t.h.settle(campaignId, undefined, 120_000);
    await saveCampaign(t.env.client, 'campaign-continue-as-new', campaignId);
  }, 150_000);
});

describe('record replay histories (polling)', () => {
  const t = useJobHarness({ webhooks: false, sim: { behaviour: { prProbability: 1 } } });

  it('job: polling with two follow-ups', async () => {
    await save('job-polling', await t.h.start(t.h.input({ followUps: ['update the changelog', 'bump it'] })));
  });
});
