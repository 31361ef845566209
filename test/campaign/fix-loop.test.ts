import { describe, expect, it } from 'vitest';
import { syncPullRequests } from '../../src/campaign-client/pull-requests';
import type { CampaignSpec } from '../../src/contracts';
import { cancelUpdate } from '../../src/workflows/campaign/messages';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';

describe('the fix loop: the campaign answers failing checks with turns on the same workspace (real Temporal, both stand-ins)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it(
    'sends exactly maxFixTurns turns per PR, one per head commit, then says why it stopped; a re-read sends nothing more',
    () =>
      t.h.withSim({ codeHost: { checkFailureRate: 1, checkDurationMs: 100 } }, async () => {
        const { campaignId } = await t.h.apply({
          job: { message: 'upgrade the linter', cleanup: 'after-merge', pollIntervalMs: 200 },
          items: t.h.items(2, 'acme/web'),
          concurrency: 2,
          tracking: { sweepMs: 60_000, maxDays: 30 },
          fixes: { fixes: 'campaign', maxFixTurns: 2 },
        });
        const stopped = await t.h.settle(campaignId, (p) => p.pullRequests?.fixStopped === 2, 120_000);
        expect(stopped.pullRequests).toMatchObject({ open: 2, checksFailing: 2, fixTurns: 4, fixStopped: 2 });
        const records = await t.h.records(campaignId);
        for (const record of records) {
          const change = record.change;
          expect(change?.fixTurns?.map((turn) => [turn.number, turn.cause, turn.state])).toEqual([
            [1, 'checks-failing', 'sent'],
            [2, 'checks-failing', 'sent'],
          ]);
          // Each turn answered another head commit: the agent pushed, and the checks ran again.
          const heads = new Set(change?.fixTurns?.map((turn) => turn.headSha));
          expect(heads.size).toBe(2);
          expect(heads.has(change?.headSha ?? '')).toBe(false);
          expect(change?.stopReason).toBe('2 fix turns used; checks still failing: ci/lint, test');
          // The instruction and two fix turns, all on the workspace that opened the PR, which is kept.
          expect(record.turns).toBe(3);
          expect(record.replicaKept).toBe(true);
          await expect(t.h.client.getReplica(record.replicaId as string)).resolves.toBeDefined();
        }
        // Exactly one job per fix turn: Temporal holds `ITEM/fix-1` and `ITEM/fix-2` for each item, no more.
        const expected = records.flatMap((r) => [1, 2].map((n) => `${campaignId}/${r.key}/fix-${n}`)).sort();
        const fixJobs = async () => {
          const ids: string[] = [];
          for await (const info of t.env.client.workflow.list({
            query: `CampaignId = '${campaignId}' AND WorkflowType = 'replicaJobWorkflow'`,
          }))
            if (/\/fix-\d+$/.test(info.workflowId)) ids.push(info.workflowId);
          return ids.sort();
        };
        // Visibility lags a moment behind the jobs' ends.
        await eventually(async () => JSON.stringify(await fixJobs()) === JSON.stringify(expected), 10_000);
        expect(await fixJobs()).toEqual(expected);
        // Read again (as a sweep or a repeated webhook would): the same failures send nothing more.
        const synced = await syncPullRequests(t.env.client, campaignId);
        expect(synced.stale).toBe(0);
        expect(synced.rows.map((r) => r.fixTurns)).toEqual([2, 2]);
        expect((await t.h.progress(campaignId)).pullRequests).toMatchObject({ fixTurns: 4, fixStopped: 2 });
      }),
    180_000,
  );

  it(
    'campaign cancel cancels the fix turn under way, and no further fix turn starts',
    () =>
      t.h.withSim({ codeHost: { checkFailureRate: 1, checkDurationMs: 100 } }, async () => {
        const { campaignId, handle } = await t.h.apply({
          job: { message: 'upgrade the linter', cleanup: 'after-merge', pollIntervalMs: 200 },
          items: t.h.items(1, 'acme/web'),
          concurrency: 1,
          tracking: { sweepMs: 60_000, maxDays: 30 },
          fixes: { fixes: 'campaign', maxFixTurns: 3 },
        });
        await t.h.settle(campaignId, (p) => p.counts.succeeded === 1, 60_000);
        // The agent now takes a minute a turn: the first fix turn is still under way when the cancel comes.
        t.h.sim.configure({ timings: { turnMs: 60_000 } });
        const [key] = (await t.h.records(campaignId)).map((r) => r.key);
        const fix = (n: number) => t.env.client.workflow.getHandle(`${campaignId}/${key}/fix-${n}`);
        await eventually(
          async () =>
            (
              await fix(1)
                .describe()
                .catch(() => undefined)
            )?.status.name === 'RUNNING',
        );
        await handle.executeUpdate(cancelUpdate);
        await eventually(async () => (await fix(1).describe()).status.name !== 'RUNNING', 30_000);
        expect((await fix(1).describe()).status.name).toBe('CANCELLED');
        // The PR is read again after the turn ended (its checks still fail): nothing more is sent.
        await eventually(
          async () => (await t.h.records(campaignId))[0]?.change?.fixTurns?.[0]?.state !== 'running',
        );
        await syncPullRequests(t.env.client, campaignId);
        await expect(fix(2).describe()).rejects.toThrow();
        expect((await t.h.records(campaignId))[0]?.change?.fixTurns).toHaveLength(1);
      }),
    120_000,
  );

  it(
    'the budget covers fix turns: none starts past it, the PR says it waits; a raised budget lets the turn go, and the spend takes it in, never going down',
    () =>
      t.h.withSim({ codeHost: { checkFailureRate: 1, checkDurationMs: 100 } }, async () => {
        // One item of an estimated minute on a small workspace: $0.008, as is one fix turn (one turn of
        // the estimate). A budget of exactly that starts the item; what its run cost leaves no turn.
        const spec = (budgetUsd: number): CampaignSpec => ({
          job: { message: 'upgrade the linter', cleanup: 'after-merge', pollIntervalMs: 200, size: 'small' },
          items: t.h.items(1, 'acme/web'),
          concurrency: 1,
          budgetUsd,
          estimatedMinutesPerItem: 1,
          tracking: { sweepMs: 60_000, maxDays: 30 },
          fixes: { fixes: 'campaign', maxFixTurns: 1 },
        });
        const { campaignId } = await t.h.apply(spec(0.008));
        const waiting = await t.h.settle(campaignId, (p) => p.pullRequests?.fixStopped === 1, 120_000);
        expect(waiting.pullRequests).toMatchObject({ open: 1, checksFailing: 1, fixStopped: 1 });
        expect(waiting.pullRequests?.fixTurns ?? 0).toBe(0);
        const [record] = await t.h.records(campaignId);
        expect(record?.change?.stopReason).toMatch(
          /^waiting for the budget: no fix turn starts until the campaign grants one, and none is granted past budgetUsd; checks still failing: /,
        );
        expect(record?.turns).toBe(1);
        // The item's run cost a few seconds' worth (records keep micro-dollars; progress rounds to $0.001).
        const itemOnly = record?.costUsd ?? 0;
        expect(itemOnly).toBeGreaterThan(0);
        expect(itemOnly).toBeLessThan(0.008);

        // Budget raised: the campaign grants a turn, the agent pushes, the loop stops at maxFixTurns.
        await t.h.apply(spec(0.05), { id: campaignId });
        const spent: number[] = [];
        const stopped = await t.h.settle(
          campaignId,
          (p) => {
            spent.push(p.spentUsd);
            return p.pullRequests?.fixTurns === 1 && p.pullRequests.fixStopped === 1 && p.state !== 'running';
          },
          120_000,
        );
        const [after] = await t.h.records(campaignId);
        expect(after?.change?.fixTurns?.map((turn) => turn.state)).toEqual(['sent']);
        expect(after?.change?.stopReason).toMatch(/^1 fix turns used; checks still failing: /);
        expect(after?.turns).toBe(2);
        // The fix turn's minutes are in the item's cost and the campaign's spend, counted once.
        expect(after?.costUsd).toBeGreaterThan(itemOnly);
        expect(Math.abs(stopped.spentUsd - (after?.costUsd ?? 0))).toBeLessThanOrEqual(0.0005);
        for (let i = 1; i < spent.length; i += 1) expect(spent[i]).toBeGreaterThanOrEqual(spent[i - 1] ?? 0);
      }),
    180_000,
  );
});
