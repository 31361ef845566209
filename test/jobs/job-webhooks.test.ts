import { describe, expect, it } from 'vitest';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import type { ReplicaJobResult } from '../../src/contracts';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator/server';
import { deriveWebhookSecret } from '../../src/webhooks/callback-targets';
import { useJobHarness } from '../support/job-harness';
import { eventually } from '../support/eventually';

describe('replica job with webhooks (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('succeeds on the happy path with 3 API calls: create, get, delete', async () => {
    let result: ReplicaJobResult | undefined;
    const calls = await t.h.callsDuring(async () => {
      result = await t.h.run(t.h.input());
    });
    expect(result).toMatchObject({ state: 'succeeded', turns: 1, deleted: true });
    expect(result?.prs).toHaveLength(1);
    expect(result?.prs[0]).toMatchObject({
      repository: 'acme/api',
      url: expect.stringMatching(/\/acme\/api\/pull\/\d+$/) as unknown,
    });
    expect(result?.prs[0]?.branch).toMatch(/^replicas\/rf-/);
    expect(calls).toEqual({ 'POST /v1/replica': 1, 'GET /v1/replica/:id': 1, 'DELETE /v1/replica/:id': 1 });
  });

  it('keeps secrets out of history and tags the job with search attributes', async () => {
    const input = t.h.input();
    const handle = await t.h.start(input);
    await handle.result();
    const history = JSON.stringify(await handle.fetchHistory());
    const workflowId = `${input.campaignId}/${input.itemKey}`;
    for (const secret of [
      t.h.masterSecret,
      deriveWebhookSecret(t.h.masterSecret, workflowId),
      DEFAULT_SIM_API_KEY,
    ]) {
      expect(history).not.toContain(secret);
      expect(history).not.toContain(Buffer.from(secret).toString('base64'));
    }
    const { searchAttributes } = await handle.describe();
    // Set when the shard starts the job: the job itself upserts nothing (an upsert is a billed action).
    expect(searchAttributes).toMatchObject({ CampaignId: [input.campaignId], Repository: ['acme/api'] });
    expect(Object.keys(searchAttributes)).not.toContain('ReplicaId');
  });

  it('counts duplicate and reordered deliveries once', () =>
    t.h.withSim({ faults: { webhookDuplicateRate: 1, webhookReorderRate: 0.5 } }, async () => {
      const created = t.h.sim.stats().replicasCreated;
      const duplicated = t.h.sim.stats().webhooks.duplicated;
      const result = await t.h.run(t.h.input({ followUps: ['now update the changelog'] }));
      expect(result).toMatchObject({ state: 'succeeded', turns: 2 });
      expect(result.prs).toHaveLength(1);
      expect(t.h.sim.stats().webhooks.duplicated).toBeGreaterThan(duplicated);
      expect(t.h.sim.stats().replicasCreated).toBe(created + 1);
    }));

  it('finishes by polling when every webhook is dropped', () =>
    t.h.withSim({ faults: { webhookDropRate: 1 } }, async () => {
      const delivered = t.h.sim.stats().webhooks.delivered;
      const result = await t.h.run(t.h.input({ webhookSafetyPollMs: 200 }));
      expect(result.state).toBe('succeeded');
      expect(t.h.sim.stats().webhooks.delivered).toBe(delivered);
    }));

  it('wakes a sleeping workspace for a follow-up (a look wakes it, as the API documents), then sends it once', () =>
    t.h.withSim({ timings: { sleepAfterMs: 20 } }, async () => {
      const wakes = { ...t.h.sim.stats().wakes };
      let result: ReplicaJobResult | undefined;
      const calls = await t.h.callsDuring(async () => {
        result = await t.h.run(t.h.input({ followUps: ['also fix the README'] }));
      });
      expect(result, result?.error).toMatchObject({ state: 'succeeded', turns: 2 });
      const woken = t.h.sim.stats().wakes;
      // "sleeping: Workspace is paused (auto-wakes on interaction)": a GET wakes it, or POST /wake does.
      expect(woken.onRead + woken.requested - wakes.onRead - wakes.requested).toBeGreaterThanOrEqual(1);
      expect(calls['POST /v1/replica/:id/messages']).toBeGreaterThanOrEqual(1);
      expect(t.h.sim.stats().turnsByReplica[result?.replicaId as string]).toBe(2);
    }));

  it('wakes a workspace that fell asleep mid-turn and collects the turn (found by the safety poll)', () =>
    t.h.withSim({ behaviour: { sleepMidTurnRate: 1 } }, async () => {
      const result = await t.h.run(t.h.input({ webhookSafetyPollMs: 200 }));
      expect(result).toMatchObject({ state: 'succeeded', turns: 1 });
      expect(result.prs).toHaveLength(1);
    }));

  it('fails the item, and visibly the workflow, with the platform message; keeps the failed replica by default', () =>
    t.h.withSim({ behaviour: { errorRate: 1 } }, async () => {
      const handle = await t.h.start(t.h.input());
      await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'ItemFailed' } });
      expect((await handle.describe()).status.name).toBe('FAILED');
      const result = await t.h.run(t.h.input());
      expect(result).toMatchObject({ state: 'failed', deleted: false });
      expect(result.error).toMatch(/out of memory/);
      expect(await t.h.run(t.h.input({ cleanup: 'delete' }))).toMatchObject({
        state: 'failed',
        deleted: true,
      });
    }));

  it('is cancelled mid-turn: the replica is deleted and the state is cancelled', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const handle = await t.h.start(t.h.input());
      await eventually(async () => (await handle.query(jobStateQuery)).replicaStatus === 'active');
      const { replicaId } = await handle.query(jobStateQuery);
      await handle.cancel();
      expect(await t.h.outcome(handle)).toBe('cancelled');
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      await expect(t.h.client.getReplica(replicaId as string)).rejects.toMatchObject({ kind: 'not_found' });
    }));

  it('keeps the replica when cleanup is keep, and reports phase, replica id and status while running', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const handle = await t.h.start(t.h.input({ cleanup: 'keep' }));
      await eventually(async () => (await handle.query(jobStateQuery)).replicaStatus === 'active');
      const state = await handle.query(jobStateQuery);
      expect(state).toMatchObject({ phase: 'waiting_turn', replicaStatus: 'active' });
      expect(state.replicaId).toMatch(/^[0-9a-f-]{36}$/);
      await handle.cancel();
      expect(await t.h.outcome(handle)).toBe('cancelled');
      expect((await t.h.client.getReplica(state.replicaId as string)).replica.id).toBe(state.replicaId);
    }));
});
