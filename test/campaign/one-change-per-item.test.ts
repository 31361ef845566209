import { describe, expect, it } from 'vitest';
import { pullRequestsIn, replicaName, type CampaignItem, type ItemRecord } from '../../src/contracts';
import { cancelUpdate, retryFailedUpdate } from '../../src/workflows/campaign/messages';
import { eventually } from '../support/eventually';
import { useJobHarness, type JobHarness } from '../support/job-harness';
import { forceState } from '../support/simulator';

/** Every PR URL the simulated agents opened (a PR continued on another workspace is not opened again). */
const prsOpened = (h: JobHarness) =>
  Object.values(h.sim.stats().createdReplicas).flatMap((replica) => replica.pullRequests);

/**
 * Acts on each item's workspace once its first turn opened a PR (while the follow-up runs): the run
 * then fails with a PR on record, the case where a retry used to open a second one.
 */
async function onceTheirPrExists(
  h: JobHarness,
  campaignId: string,
  items: CampaignItem[],
  act: (replicaId: string) => Promise<void>,
): Promise<Map<string, string>> {
  const names = new Map(items.map((item) => [replicaName(campaignId, item.key), item.key]));
  const done = new Map<string, string>();
  await eventually(async () => {
    const { replicas } = await h.client.listReplicas({ limit: 100 });
    for (const listed of replicas) {
      const key = names.get(listed.name);
      if (!key || done.has(key)) continue;
      const { replica } = await h.client.getReplica(listed.id);
      if (pullRequestsIn(replica).length === 0) continue;
      await act(listed.id);
      done.set(key, listed.id);
    }
    return done.size === items.length;
  });
  return done;
}

const byKey = (records: ItemRecord[]) => new Map(records.map((r) => [r.key, r]));

describe('an item owns one change, and every cent of its runs is counted (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it(
    'retry-failed continues the PR of a run whose workspace errored, on a new workspace: one PR per item, both runs paid',
    () =>
      t.h.withSim({ timings: { turnMs: 1500 } }, async () => {
        const items = t.h.items(3);
        const { campaignId, handle } = await t.h.apply({
          job: { message: 'upgrade the linter', followUps: ['and update the docs'], size: 'large' },
          items,
          concurrency: 3,
        });
        // The Replicas guide: "replica.error: the workspace went into an unrecoverable terminal state".
        await onceTheirPrExists(t.h, campaignId, items, (id) =>
          forceState(t.h.sim.url, id, 'error', 'sandbox ran out of memory during the build'),
        );
        const failed = await t.h.settle(campaignId, (p) => p.counts.failed === 3);
        expect(failed.outcomes).toEqual({ succeededWithoutPr: 0, failedWithPr: 3 });
        const before = byKey(await t.h.records(campaignId));
        for (const record of before.values()) {
          expect(record).toMatchObject({ state: 'failed', outcome: 'failed-with-pr' });
          // The instruction, and the follow-up when it was sent before the workspace died.
          expect([1, 2]).toContain(record.turns);
          expect(record.prs).toHaveLength(1);
          expect(record.pullRequest).toBe(record.prs?.[0]);
          expect(record.costUsd).toBeGreaterThan(0);
        }
        const openedBefore = prsOpened(t.h).length;
        const created = t.h.sim.stats().replicasCreated;

        await expect(handle.executeUpdate(retryFailedUpdate)).resolves.toEqual({ requeued: 3 });
        const done = await t.h.settle(campaignId, (p) => p.counts.succeeded === 3);
        expect(done.spentUsd).toBeGreaterThan(failed.spentUsd);
        expect(done.outcomes).toEqual({ succeededWithoutPr: 0, failedWithPr: 0 });
        // The errored workspaces are gone: each retry ran on a new one, told to continue the PR.
        expect(t.h.sim.stats().replicasCreated - created).toBe(3);
        expect(prsOpened(t.h)).toHaveLength(openedBefore);
        for (const record of await t.h.records(campaignId)) {
          const first = before.get(record.key) as ItemRecord;
          expect(record).toMatchObject({
            state: 'succeeded',
            attempt: 2,
            prs: first.prs,
            pullRequest: first.pullRequest,
          });
          expect(record.turns).toBe((first.turns as number) + 2);
          expect(record.costUsd).toBeGreaterThan(first.costUsd as number);
        }
        const histories = await Promise.all(
          Object.keys(t.h.sim.stats().createdReplicas)
            .slice(-3)
            .map(async (id) =>
              JSON.stringify((await t.h.client.getHistory(id).catch(() => ({ events: [] }))).events),
            ),
        );
        expect(histories.join('')).not.toContain('{{');
      }),
    120_000,
  );

  it(
    'retry-failed continues on the kept workspace when it still lives, waking it first; no new replica, no new PR',
    () =>
      t.h.withSim({ timings: { turnMs: 1500 } }, async () => {
        const items = t.h.items(2, 'acme/web');
        // The job's time runs out during the follow-up (two 1.5 s turns, 2.5 s allowed): the run times
        // out with its PR open and its workspace kept, alive.
        const spec = {
          job: { message: 'upgrade the linter', followUps: ['and update the docs'], jobTimeoutMs: 2500 },
          items,
          concurrency: 2,
        };
        const { campaignId } = await t.h.apply(spec);
        const timedOut = await t.h.settle(campaignId, (p) => p.counts.timed_out === 2);
        expect(timedOut.outcomes).toMatchObject({ failedWithPr: 2 });
        const before = byKey(await t.h.records(campaignId));
        for (const record of before.values()) {
          expect(record).toMatchObject({ replicaKept: true, outcome: 'failed-with-pr' });
          // Asleep by the time it is retried: the re-run wakes it.
          await forceState(t.h.sim.url, record.replicaId as string, 'sleeping');
        }
        const openedBefore = prsOpened(t.h).length;
        const created = t.h.sim.stats().replicasCreated;
        // A look at a sleeping workspace wakes it too ("auto-wakes on interaction"): both count.
        const wakes = () => t.h.sim.stats().wakes.requested + t.h.sim.stats().wakes.onRead;
        const wakesBefore = wakes();

        // The same spec with more time, retrying the timed-out items.
        const retried = await t.h.apply(
          { ...spec, job: { ...spec.job, jobTimeoutMs: 120_000 } },
          { id: campaignId, retryFailed: true },
        );
        expect(retried.outcome.summary).toMatchObject({ retried: 2 });
        await t.h.settle(campaignId, (p) => p.counts.succeeded === 2);
        expect(t.h.sim.stats().replicasCreated).toBe(created);
        expect(prsOpened(t.h)).toHaveLength(openedBefore);
        expect(wakes() - wakesBefore).toBeGreaterThanOrEqual(2);
        for (const record of await t.h.records(campaignId)) {
          const first = before.get(record.key) as ItemRecord;
          expect(record).toMatchObject({
            state: 'succeeded',
            attempt: 2,
            replicaId: first.replicaId,
            prs: first.prs,
          });
          // Continued and then deleted on success: nothing is left for cleanup to delete.
          expect(record.earlierReplicas).toBeUndefined();
        }
      }),
    120_000,
  );

  it(
    'a cancelled campaign counts the minutes its workspaces ran; spend never goes down',
    () =>
      t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
        const { campaignId, handle } = await t.h.apply({
          job: { message: 'x', size: 'large' },
          items: t.h.items(4, 'acme/docs'),
          concurrency: 4,
        });
        const running = await t.h.settle(campaignId, (p) => p.counts.running === 4 && p.spentUsd > 0);
        // Running items accrue by elapsed minutes before any of them ends.
        expect(running.spentUsd).toBeGreaterThan(0);
        await handle.executeUpdate(cancelUpdate);
        const cancelled = await t.h.settle(campaignId, (p) => p.counts.cancelled === 4);
        expect(cancelled.spentUsd).toBeGreaterThanOrEqual(running.spentUsd);
        for (const record of await t.h.records(campaignId)) expect(record.costUsd).toBeGreaterThan(0);
      }),
    60_000,
  );
});
