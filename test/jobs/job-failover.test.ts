import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { replicaJobWorkflow } from '../../src/workflows/replica-job/workflow';
import { eventually } from '../support/eventually';
import { startJobHarness, useJobHarness, type JobHarness } from '../support/job-harness';
import { spawnWorkerProcess } from '../support/worker-process';

/** Waits until the job's activity of this type has started on a worker (attempt `attempt`). */
async function activityStarted(handle: WorkflowHandle<typeof replicaJobWorkflow>, type: string, attempt = 1) {
  await eventually(
    async () =>
      ((await handle.describe()).raw.pendingActivities ?? []).some(
        (a) => a.activityType?.name === type && (a.attempt ?? 1) >= attempt && a.state === 2 /* STARTED */,
      ),
    60_000,
  );
}

describe('replica job when its worker dies mid-call (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true });

  async function solo(): Promise<JobHarness> {
    return startJobHarness(t.env, {
      webhooks: true,
      workers: false,
      sim: { behaviour: { prProbability: 1 } },
    });
  }

  it('a send on a worker that is SIGKILLed is retried elsewhere and the follow-up runs once', async () => {
    const h = await solo();
    const worker = await spawnWorkerProcess(h, t.env.address);
    try {
      // Every call takes 2 s, so the kill lands while the follow-up is in flight; the platform still takes it.
      h.sim.configure({ faults: { latencyMs: 2000 } });
      const handle = await h.start(
        h.input({ followUps: ['and the changelog'], apiHeartbeatTimeoutMs: 3000 }),
      );
      await activityStarted(handle, 'sendReplicaMessage');
      await worker.kill();
      await h.startWorkers();
      const result = await handle.result();
      expect(result).toMatchObject({ state: 'succeeded', turns: 2 });
      expect(h.sim.stats().turnsByReplica[result.replicaId as string]).toBe(2);
      expect(h.sim.stats().replicasCreated).toBe(1);
    } finally {
      await worker.kill();
      await h.close();
    }
  }, 120_000);

  it("retries a killed worker's create within 40 s with default settings, adopting what it created", async () => {
    const h = await solo();
    const worker = await spawnWorkerProcess(h, t.env.address);
    try {
      h.sim.configure({ faults: { latencyMs: 3000 } });
      const handle = await h.start(h.input());
      await activityStarted(handle, 'createReplica');
      await worker.kill();
      const killedAt = Date.now();
      h.sim.configure({ faults: { latencyMs: 0 } });
      await h.startWorkers();
      const result = await handle.result();
      expect(result.state).toBe('succeeded');
      // The retry's start, as the server recorded it.
      const events = (await handle.fetchHistory()).events ?? [];
      const retry = events.find((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) >= 2);
      const retriedAfter = (Number(retry?.eventTime?.seconds) * 1000 - killedAt) / 1000;
      expect(retriedAfter).toBeGreaterThan(0);
      expect(retriedAfter).toBeLessThan(40);
      expect(h.sim.stats().replicasCreated).toBe(1);
      expect(h.sim.stats().duplicateNames).toBe(0);
    } finally {
      await worker.kill();
      await h.close();
    }
  }, 120_000);
});
