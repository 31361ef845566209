import { describe, expect, it } from 'vitest';
import { useJobHarness } from '../support/job-harness';
import { startTimeSkippingServer } from '../support/temporal';

const DAY = 24 * 60 * 60 * 1000;

describe('replica job timeouts (time-skipping server, simulator, ingress)', () => {
  const t = useJobHarness(
    { webhooks: true, sim: { timings: { turnMs: 1_000_000_000 } } },
    startTimeSkippingServer,
  );

  it('times a job out after its 1-day job timeout in well under a minute, and deletes the replica', async () => {
    const started = performance.now();
    // A 6-hour safety poll keeps the skipped day to a handful of API calls.
    const result = await t.h.run(
      t.h.input({
        jobTimeoutMs: DAY,
        turnTimeoutMs: 2 * DAY,
        webhookSafetyPollMs: DAY / 4,
        cleanup: 'delete',
      }),
    );
    expect(result).toMatchObject({ state: 'timed_out', deleted: true });
    expect(result.error).toMatch(/job did not finish within 1440 min/);
    expect(new Date(result.endedAt).getTime() - new Date(result.startedAt).getTime()).toBeGreaterThanOrEqual(
      DAY,
    );
    expect(performance.now() - started).toBeLessThan(60_000);
    await expect(t.h.client.getReplica(result.replicaId as string)).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('times a turn out after its turn timeout, and deletes the replica', async () => {
    const result = await t.h.run(
      t.h.input({ jobTimeoutMs: DAY, turnTimeoutMs: 60 * 60 * 1000, cleanup: 'delete' }),
    );
    expect(result).toMatchObject({ state: 'timed_out', deleted: true, turns: 0 });
    expect(result.error).toMatch(/turn 1 did not finish within 60 min/);
  });
});
