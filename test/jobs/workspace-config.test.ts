import { describe, expect, it } from 'vitest';
import { parseCampaignSpec } from '../../src/campaign-client/spec';
import { useJobHarness } from '../support/job-harness';

/**
 * The Replicas guide (Create Replica): "Optional config controls per-workspace behavior. API-created
 * replicas default to capabilities.pr_followups: true, meaning Replicas will auto-reply to CI failures
 * and review comments on matching PRs created or touched by that workspace; set it to false for a
 * read-only replica. Set preferences.keep_open_on_pr_merge: true when that workspace should remain
 * open after its tracked PR merges."
 */
describe('workspace config and cleanup after-merge (real Temporal, simulator)', () => {
  const t = useJobHarness({ webhooks: false, sim: { behaviour: { prProbability: 1 } } });

  /**
   * The `config` the create request carried, as the simulator stored it: the API's replica responses
   * (create, get, list) have no `config` field in its OpenAPI document, so the simulator is where to look.
   */
  async function configSent(replicaId: string): Promise<unknown> {
    const res = await fetch(`${t.h.sim.url}/__sim/replicas/${replicaId}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { config?: unknown }).config;
  }

  it('creates the replica with the config the job gives, only the settings it sets; none when it sets none', async () => {
    const configured = await t.h.run(
      t.h.input({ workspaceConfig: { prFollowups: false, keepOpenOnPrMerge: true }, cleanup: 'keep' }),
    );
    expect(configured.state).toBe('succeeded');
    expect(await configSent(configured.replicaId as string)).toEqual({
      capabilities: { pr_followups: false },
      preferences: { keep_open_on_pr_merge: true },
    });
    // Without settings the platform keeps its own defaults.
    const plain = await t.h.run(t.h.input({ cleanup: 'keep' }));
    expect(plain.state).toBe('succeeded');
    expect(await configSent(plain.replicaId as string)).toBeUndefined();
  });

  it('runs a spec with a workspace block and cleanup after-merge: the succeeded item keeps its replica', async () => {
    const { spec } = parseCampaignSpec({
      message: 'upgrade the linter in {{repository}}',
      cleanup: 'after-merge',
      workspace: { prFollowups: true, keepOpenOnPrClose: true },
      pollIntervalSeconds: 1, // this harness has no webhooks
      items: [{ key: 'api', environment: t.h.environmentFor('acme/api'), repository: 'acme/api' }],
    });
    const { campaignId } = await t.h.apply(spec);
    expect(await t.h.settle(campaignId)).toMatchObject({ state: 'finished', counts: { succeeded: 1 } });
    const [record] = await t.h.records(campaignId);
    expect(record).toMatchObject({ key: 'api', state: 'succeeded', replicaKept: true });
    expect(record?.pullRequest).toBeDefined();
    const replicaId = record?.replicaId as string;
    // Still there: GET answers 404 for a deleted replica.
    await expect(t.h.client.getReplica(replicaId)).resolves.toMatchObject({ replica: { id: replicaId } });
    expect(await configSent(replicaId)).toEqual({
      capabilities: { pr_followups: true },
      preferences: { keep_open_on_pr_close: true },
    });
  });
});
