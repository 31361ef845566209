import { describe, expect, it } from 'vitest';
import { useJobHarness } from '../support/job-harness';

describe('replica job: nothing twice when answers are lost (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('loses every answer to a POST or DELETE, yet creates one replica and runs each turn once', () =>
    // The platform commits each call, then the connection drops: every retry is ambiguous.
    t.h.withSim({ faults: { dropResponseRate: 1 } }, async () => {
      const created = t.h.sim.stats().replicasCreated;
      const dropped = t.h.sim.stats().faults.droppedResponses;
      const result = await t.h.run(t.h.input({ followUps: ['now update the changelog', 'and the docs'] }));
      // The last look also deletes the replica; its lost answer is not taken for a vanished workspace.
      expect(result, result.error).toMatchObject({ state: 'succeeded', turns: 3, deleted: true });
      expect(result.prs).toHaveLength(1);
      const stats = t.h.sim.stats();
      expect(stats.faults.droppedResponses - dropped).toBeGreaterThanOrEqual(4);
      expect(stats.replicasCreated - created).toBe(1);
      expect(stats.duplicateNames).toBe(0);
      // Each follow-up landed once, although each send's answer was lost.
      expect(stats.turnsByReplica[result.replicaId as string]).toBe(3);
    }));

  it(
    'notices a workspace that fell asleep mid-turn within a minute with default look settings',
    () =>
      t.h.withSim({ behaviour: { sleepMidTurnRate: 1 }, timings: { turnMs: 2000 } }, async () => {
        const started = performance.now();
        // The platform sends no webhook when a workspace sleeps: only the job's own looks find it.
        const result = await t.h.run(t.h.input({ webhookSafetyPollMs: undefined, lookAfterMs: undefined }));
        const seconds = (performance.now() - started) / 1000;
        expect(result).toMatchObject({ state: 'succeeded', turns: 1 });
        expect(result.prs).toHaveLength(1);
        expect(seconds).toBeLessThan(60);
        expect(t.h.sim.stats().turnsByReplica[result.replicaId as string]).toBe(1);
      }),
    90_000,
  );
});
