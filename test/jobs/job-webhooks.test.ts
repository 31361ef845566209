import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimConfig, SimConfigInput } from '../../src/simulator/sim-config';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import type { ReplicaJobResult } from '../../src/workflows/replica-job/types';
import { startJobHarness, type JobHarness } from '../support/job-harness';
import { eventually } from '../support/eventually';
import { connectToDevServer } from '../support/temporal';

describe('replica job with webhooks (real Temporal, simulator, ingress)', () => {
  let env: TestWorkflowEnvironment;
  let h: JobHarness;
  let baseline: SimConfig;

  /** Runs one test under changed simulator settings, restoring the file's baseline afterwards. */
  async function withSim<T>(changes: SimConfigInput, fn: () => Promise<T>): Promise<T> {
    h.sim.configure(changes);
    try {
      return await fn();
    } finally {
      h.sim.configure(baseline);
    }
  }

  /** Simulator requests made while `fn` runs, by endpoint. */
  async function callsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = h.calls();
    await fn();
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(h.calls())) {
      const d = value - (before[key] ?? 0);
      if (d) out[key] = d;
    }
    return out;
  }

  beforeAll(async () => {
    env = await connectToDevServer();
    h = await startJobHarness(env, { webhooks: true, sim: { behaviour: { prProbability: 1 } } });
    baseline = structuredClone(h.sim.config);
  });
  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  it('succeeds on the happy path with 3 API calls: create, get, delete', async () => {
    let result: ReplicaJobResult | undefined;
    const calls = await callsDuring(async () => {
      result = await h.run(h.input());
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

  it('counts duplicate and reordered deliveries once', () =>
    withSim({ faults: { webhookDuplicateRate: 1, webhookReorderRate: 0.5 } }, async () => {
      const created = h.sim.stats().replicasCreated;
      const duplicated = h.sim.stats().webhooks.duplicated;
      const result = await h.run(h.input({ followUps: ['now update the changelog'] }));
      expect(result).toMatchObject({ state: 'succeeded', turns: 2 });
      expect(result.prs).toHaveLength(1);
      expect(h.sim.stats().webhooks.duplicated).toBeGreaterThan(duplicated);
      expect(h.sim.stats().replicasCreated).toBe(created + 1);
    }));

  it('finishes by polling when every webhook is dropped', () =>
    withSim({ faults: { webhookDropRate: 1 } }, async () => {
      const delivered = h.sim.stats().webhooks.delivered;
      const result = await h.run(h.input({ webhookSafetyPollMs: 200 }));
      expect(result.state).toBe('succeeded');
      expect(h.sim.stats().webhooks.delivered).toBe(delivered);
    }));

  it('wakes a sleeping workspace for a follow-up, then succeeds', () =>
    withSim({ timings: { sleepAfterMs: 20 } }, async () => {
      const calls = await callsDuring(async () => {
        const result = await h.run(h.input({ followUps: ['also fix the README'] }));
        expect(result, result.error).toMatchObject({ state: 'succeeded', turns: 2 });
      });
      expect(calls['POST /v1/replica/:id/wake']).toBeGreaterThanOrEqual(1);
      expect(calls['POST /v1/replica/:id/messages']).toBeGreaterThanOrEqual(2);
    }));

  it('wakes a workspace that fell asleep mid-turn and collects the turn (found by the safety poll)', () =>
    withSim({ behaviour: { sleepMidTurnRate: 1 } }, async () => {
      const result = await h.run(h.input({ webhookSafetyPollMs: 200 }));
      expect(result).toMatchObject({ state: 'succeeded', turns: 1 });
      expect(result.prs).toHaveLength(1);
    }));

  it('fails the item with the platform message when the workspace errors, and deletes it', () =>
    withSim({ behaviour: { errorRate: 1 } }, async () => {
      const result = await h.run(h.input());
      expect(result.state).toBe('failed');
      expect(result.error).toMatch(/out of memory/);
      expect(result.deleted).toBe(true);
    }));

  it('is cancelled mid-turn: the replica is deleted and the state is cancelled', () =>
    withSim({ timings: { turnMs: 600_000 } }, async () => {
      const handle = await h.start(h.input());
      await eventually(async () => (await handle.query(jobStateQuery)).replicaStatus === 'active');
      await handle.cancel();
      const result = (await handle.result()) as ReplicaJobResult;
      expect(result).toMatchObject({ state: 'cancelled', deleted: true });
      await expect(h.client.getReplica(result.replicaId as string)).rejects.toMatchObject({
        kind: 'not_found',
      });
    }));

  it('keeps the replica when cleanup is keep, and reports phase, replica id and status while running', () =>
    withSim({ timings: { turnMs: 600_000 } }, async () => {
      const handle = await h.start(h.input({ cleanup: 'keep' }));
      await eventually(async () => (await handle.query(jobStateQuery)).replicaStatus === 'active');
      const state = await handle.query(jobStateQuery);
      expect(state).toMatchObject({ phase: 'waiting_turn', replicaStatus: 'active' });
      expect(state.replicaId).toMatch(/^[0-9a-f-]{36}$/);
      await handle.cancel();
      const result = (await handle.result()) as ReplicaJobResult;
      expect(result).toMatchObject({ state: 'cancelled', deleted: false });
      expect((await h.client.getReplica(result.replicaId as string)).replica.id).toBe(result.replicaId);
    }));
});
