import { describe, expect, it } from 'vitest';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import { eventually } from '../support/eventually';
import { startJobHarness, useJobHarness } from '../support/job-harness';
import { spawnWorkerProcess } from '../support/worker-process';

describe('replica job by polling (real Temporal, simulator)', () => {
  const t = useJobHarness({ webhooks: false, sim: { behaviour: { prProbability: 1 } } });

  it('succeeds with polling only, follow-ups included, and collects the PR', async () => {
    const result = await t.h.run(t.h.input({ followUps: ['update the changelog', 'bump the version'] }));
    expect(result).toMatchObject({ state: 'succeeded', turns: 3, deleted: true });
    expect(result.prs).toHaveLength(1);
    expect(t.h.sim.stats().webhooks.events).toBe(0);
  });

  it('retries a create that meets 5xx, then 429 with Retry-After: exactly one replica', () =>
    t.h.withSim({ faults: { serverErrorRate: 1 } }, async () => {
      const created = t.h.sim.stats().replicasCreated;
      const handle = await t.h.start(t.h.input());
      await eventually(async () => (t.h.sim.stats().requests['POST /v1/replica']?.['500'] ?? 0) >= 1);
      t.h.sim.configure({ faults: { serverErrorRate: 0, rateLimitRate: 1, retryAfterSeconds: 1 } });
      // The retried attempt first looks the name up (the lost-answer guard), so the 429 may hit that list call.
      const limited = t.h.sim.stats().faults.rateLimited;
      await eventually(async () => t.h.sim.stats().faults.rateLimited > limited);
      t.h.sim.configure({ faults: { rateLimitRate: 0 } });
      const result = await handle.result();
      expect(result.state).toBe('succeeded');
      expect(t.h.sim.stats().replicasCreated).toBe(created + 1);
    }));

  it('adopts the replica of a create whose answer was lost after commit: exactly one replica', () =>
    t.h.withSim({ faults: { dropResponseRate: 1 } }, async () => {
      const created = t.h.sim.stats().replicasCreated;
      const duplicates = t.h.sim.stats().duplicateNames;
      const handle = await t.h.start(t.h.input());
      await eventually(async () => t.h.sim.stats().faults.droppedResponses >= 1);
      t.h.sim.configure({ faults: { dropResponseRate: 0 } });
      const result = await handle.result();
      expect(result.state).toBe('succeeded');
      expect(t.h.sim.stats().replicasCreated).toBe(created + 1);
      expect(t.h.sim.stats().duplicateNames).toBe(duplicates);
    }));

  it('completes once, with one replica, when its worker is killed mid-job and another takes over', async () => {
    const solo = await startJobHarness(t.env, {
      webhooks: false,
      workers: false,
      sim: { timings: { turnMs: 1500 } },
    });
    const worker = await spawnWorkerProcess(solo, t.env.address);
    try {
      const handle = await solo.start(solo.input({ pollHeartbeatTimeoutMs: 1000 }));
      await eventually(async () => (await handle.query(jobStateQuery)).phase === 'waiting_turn', 20_000);
      await worker.kill();
      await solo.startWorkers();
      const result = await handle.result();
      expect(result.state).toBe('succeeded');
      expect(solo.sim.stats().replicasCreated).toBe(1);
      expect(solo.sim.stats().duplicateNames).toBe(0);
      const history = await handle.fetchHistory();
      const completions = history.events?.filter((e) => e.workflowExecutionCompletedEventAttributes) ?? [];
      expect(completions).toHaveLength(1);
    } finally {
      await worker.kill();
      await solo.close();
    }
  }, 60_000);
});
