import { describe, expect, it } from 'vitest';
import { createCampaignSchedule } from '../../src/campaign/schedules';
import type { campaignWorkflow } from '../../src/workflows/campaign/workflow';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';
import { uniqueTaskQueue } from '../support/temporal';

describe('campaign targets and schedules (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true });

  it('resolves repositories by glob onto their bound environments', async () => {
    const handle = await t.h.startCampaign({
      job: { message: 'tidy {{repository}} in {{environment}}' },
      targets: { repositories: 'acme/{api,web}' },
    });
    const result = await handle.result();
    expect(result.records.map((r) => r.key).sort()).toEqual(['acme__api', 'acme__web']);
    expect(result.summary.succeeded).toBe(2);
  });

  it('fails clearly when an unbound repository matches and no template is given (before one is created)', async () => {
    const handle = await t.h.startCampaign({
      job: { message: 'x' },
      targets: { repositories: 'acme/legacy' },
    });
    await expect(handle.result()).rejects.toMatchObject({
      cause: {
        cause: {
          message: expect.stringMatching(/acme\/legacy has no environment.*templateEnvironmentId/) as unknown,
        },
      },
    });
  });

  it('creates an environment from the template for an unbound repository once, and reuses it on the next run', async () => {
    const template = t.h.sim.organisations()[0]?.global_environment_id as string;
    const environmentsBefore = (await t.h.client.environments.list()).environments.length;
    const spec = {
      job: { message: 'modernise {{repository}}' },
      targets: { repositories: 'acme/leg*', templateEnvironmentId: template },
    };
    const first = await (await t.h.startCampaign(spec)).result();
    const second = await (await t.h.startCampaign(spec)).result();
    expect(first.summary.succeeded).toBe(1);
    expect(second.summary.succeeded).toBe(1);
    const environments = (await t.h.client.environments.list()).environments;
    expect(environments).toHaveLength(environmentsBefore + 1);
    const created = environments.find((e) => e.name === 'replica-fleet:acme/legacy');
    expect(created).toMatchObject({ source_environment_id: template });
  });

  it('starts a campaign from a schedule (overlap skip), which runs to completion', async () => {
    const scheduleId = uniqueTaskQueue('schedule');
    const schedule = await createCampaignSchedule(t.env.client, {
      scheduleId,
      every: '24h',
      taskQueue: t.h.taskQueue,
      spec: { job: { message: 'nightly {{item.key}}' }, items: t.h.items(2), apiTaskQueue: t.h.apiTaskQueue },
    });
    try {
      const described = await schedule.describe();
      expect(described.policies.overlap).toBe('SKIP');
      await schedule.trigger();
      let workflowId = '';
      await eventually(async () => {
        const info = await schedule.describe();
        workflowId = info.info.recentActions[0]?.action.workflow.workflowId ?? '';
        return workflowId !== '';
      });
      expect(workflowId.startsWith(`${scheduleId}-run`)).toBe(true);
      const result = await t.env.client.workflow.getHandle<typeof campaignWorkflow>(workflowId).result();
      expect(result.summary).toMatchObject({ total: 2, succeeded: 2 });
    } finally {
      await schedule.delete();
    }
  });
});
