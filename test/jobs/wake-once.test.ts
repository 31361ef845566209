import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReplicaJobActivities } from '../../src/activities/replica-job';
import { forceState, startSimWithClient } from '../support/simulator';

type Harness = Awaited<ReturnType<typeof startSimWithClient>>;

/** The wake activity as one attempt of it runs on a worker (`attempt` > 1: an earlier one's outcome is unknown). */
const wakeOnAttempt = (h: Harness, attempt: number, replicaId: string) =>
  // The expected failure of the first attempt is asserted, not logged.
  new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR', () => {}) }).run(
    createReplicaJobActivities({ client: h.client }).wakeReplica,
    replicaId,
  );

const setFaults = (h: Harness, faults: Record<string, number>) =>
  fetch(`${h.sim.url}/__sim/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults }),
  });

describe('wake after a lost answer (simulator)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSimWithClient();
  });
  afterAll(() => h.close());

  /** A replica whose first turn has ended, put to sleep as the platform would after inactivity. */
  async function sleepingReplica(name: string): Promise<string> {
    const { replica } = await h.client.createReplica({
      name,
      message: 'upgrade the lint config',
      environment_id: h.environmentFor('acme/api'),
    });
    await vi.waitFor(
      async () => {
        const { replica: now } = await h.client.getReplica(replica.id);
        expect(now.status).toBe('active');
        expect(now.chats?.some((c) => c.processing)).toBe(false);
      },
      { timeout: 10_000 },
    );
    await forceState(h.sim.url, replica.id, 'sleeping');
    return replica.id;
  }

  it('a retried wake looks first and does not ask again when the first one landed', async () => {
    const replicaId = await sleepingReplica('wake-once');
    const requested = h.sim.stats().wakes.requested;

    // The platform wakes the workspace, then the connection drops before the answer arrives.
    await setFaults(h, { dropResponseRate: 1 });
    try {
      await expect(wakeOnAttempt(h, 1, replicaId)).rejects.toThrow();
      expect(h.sim.stats().wakes.requested).toBe(requested + 1);
      // The retry finds the workspace waking and leaves it be.
      await wakeOnAttempt(h, 2, replicaId);
    } finally {
      await setFaults(h, { dropResponseRate: 0 });
    }
    expect(h.sim.stats().wakes.requested).toBe(requested + 1);
    expect(h.sim.stats().faults.droppedResponses).toBeGreaterThanOrEqual(1);
  });

  it('a first attempt asks without looking', async () => {
    const replicaId = await sleepingReplica('wake-first');
    const { requested, onRead } = h.sim.stats().wakes;
    await wakeOnAttempt(h, 1, replicaId);
    expect(h.sim.stats().wakes).toEqual({ requested: requested + 1, onRead });
  });
});
