import { describe, expect, it } from 'vitest';
import { createCampaignSchedule } from '../../src/campaign-client/schedules';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';
import { uniqueTaskQueue } from '../support/temporal';

describe('campaign targets and schedules (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true });

  it('resolves repositories by glob onto their bound environments', async () => {
    const { campaignId } = await t.h.apply({
      job: { message: 'tidy {{repository}} in {{environment}}' },
      targets: { repositories: 'acme/{api,web}' },
    });
    expect(await t.h.settle(campaignId)).toMatchObject({ state: 'finished', counts: { succeeded: 2 } });
    expect((await t.h.records(campaignId)).map((r) => r.key).sort()).toEqual(['acme__api', 'acme__web']);
  });

  it('skips a repository without a bound environment (saying why) and runs the rest', async () => {
    const { campaignId, outcome } = await t.h.apply({
      job: { message: 'x' },
      targets: { repositories: 'acme/*' },
    });
    expect(outcome.summary.added).toBe(5);
    const done = await t.h.settle(campaignId);
    expect(done.counts).toMatchObject({ succeeded: 4, skipped: 1, failed: 0 });
    const legacy = (await t.h.records(campaignId)).find((r) => r.key === 'acme__legacy');
    expect(legacy).toMatchObject({ state: 'skipped', repository: 'acme/legacy' });
    expect(legacy?.error).toMatch(/acme\/legacy has no environment bound to it.*templateEnvironment/);
  });

  it('creates an environment from the template for an unbound repository once, and reuses it on re-apply and in another campaign', async () => {
    const template = t.h.sim.organisations()[0]?.global_environment_id as string;
    const environmentsBefore = (await t.h.client.environments.list()).environments.length;
    const spec = {
      job: { message: 'modernise {{repository}}' },
      targets: { repositories: 'acme/leg*', templateEnvironmentId: template },
    };
    const first = await t.h.apply(spec);
    expect((await t.h.settle(first.campaignId)).counts.succeeded).toBe(1);
    const again = await t.h.apply(spec, { id: first.campaignId });
    expect(again.outcome.summary).toMatchObject({ added: 0, kept: 1 });
    const other = await t.h.apply(spec);
    expect((await t.h.settle(other.campaignId)).counts.succeeded).toBe(1);
    const environments = (await t.h.client.environments.list()).environments;
    expect(environments).toHaveLength(environmentsBefore + 1);
    expect(environments.find((e) => e.name === 'replica-fleet:acme/legacy')).toMatchObject({
      source_environment_id: template,
    });
  });

  it('starts a campaign from a schedule (overlap skip), which applies its items and runs them', async () => {
    const scheduleId = uniqueTaskQueue('schedule');
    const schedule = await createCampaignSchedule(t.env.client, {
      scheduleId,
      every: '24h',
      taskQueue: t.h.taskQueue,
      spec: { job: { message: 'nightly {{item.key}}' }, items: t.h.items(2), apiTaskQueue: t.h.apiTaskQueue },
    });
    try {
      expect((await schedule.describe()).policies.overlap).toBe('SKIP');
      await schedule.trigger();
      let workflowId = '';
      await eventually(async () => {
        const info = await schedule.describe();
        workflowId = info.info.recentActions[0]?.action.workflow.workflowId ?? '';
        return workflowId !== '';
      });
      expect(workflowId.startsWith(`${scheduleId}-run`)).toBe(true);
      expect(await t.h.settle(workflowId)).toMatchObject({
        state: 'finished',
        total: 2,
        counts: { succeeded: 2 },
      });
    } finally {
      await schedule.delete();
    }
  });
});
