import { describe, expect, it } from 'vitest';
import { campaignPullRequests, syncPullRequests } from '../../src/campaign-client/pull-requests';
import type { CampaignSpec } from '../../src/contracts';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';

describe('a campaign follows its PRs on the code host (real Temporal, Replicas and GitHub stand-ins)', () => {
  const t = useJobHarness({ webhooks: false, sim: { behaviour: { prProbability: 1 } } });

  it(
    'reads each PR once its item ends and on the sweep until merged; counts by state; after-merge deletes the kept workspace',
    () =>
      t.h.withSim(
        {
          // A calm GitHub that reviews, approves and merges green PRs quickly.
          codeHost: {
            reviewApprovalRate: 1,
            mergeRate: 1,
            checkDurationMs: 100,
            reviewDelayMs: 100,
            // Long enough that every PR is still open when the pullRequest block is applied: a job's PR is
            // read 3 s after it ends, and GitHub's pacing of writes (about one a second) spaces the PRs.
            mergeDelayMs: 15_000,
          },
        },
        async () => {
          const spec: CampaignSpec = {
            job: { message: 'upgrade the linter', cleanup: 'after-merge', pollIntervalMs: 200 },
            items: t.h.items(3, 'acme/infra'),
            concurrency: 3,
            tracking: { sweepMs: 1_000, maxDays: 30 },
            pullRequest: { labels: ['replica-fleet'], titlePrefix: '[lint]' },
          };
          const { campaignId } = await t.h.apply(spec);
          const merged = await t.h.settle(campaignId, (p) => p.pullRequests?.merged === 3, 90_000);
          expect(merged.pullRequests).toMatchObject({ open: 0, draft: 0, merged: 3, closed: 0 });
          expect(merged.trackingProblem).toBeUndefined();
          const records = await t.h.records(campaignId);
          for (const record of records) {
            expect(record.change).toMatchObject({
              lifecycle: 'merged',
              url: record.pullRequest,
              checks: 'passing',
              review: 'approved',
            });
            expect(record.change?.firstGreenAt).toBeDefined();
            expect(record.change?.approvedAt).toBeDefined();
            expect(record.change?.mergedAt).toBeDefined();
          }
          // The pullRequest block, applied through the code host once per PR, however many reads followed.
          const labelled =
            t.h.sim.codeHost.stats().requests['POST /repos/{owner}/{repo}/issues/{issue_number}/labels'];
          expect(labelled).toEqual({ '200': 3 });
          // Applying it reads the PR first; the sweeps after that read over GraphQL and decorate nothing again.
          const looked = t.h.sim.codeHost.stats().requests['GET /repos/{owner}/{repo}/pulls/{pull_number}'];
          expect(looked?.['200'] ?? 0).toBeLessThanOrEqual(3);
          for (const record of records) {
            const [, owner, repo, number] =
              /github\.com\/([^/]+)\/([^/]+)\/pull\/(\d+)/.exec(record.pullRequest as string) ?? [];
            const answer = await fetch(
              `${t.h.githubEnv.GITHUB_API_URL}/repos/${owner}/${repo}/pulls/${number}`,
              {
                headers: { authorization: `token ${t.h.githubEnv.GITHUB_TOKEN}` },
              },
            );
            const pr = (await answer.json()) as { title: string; body: string; labels: { name: string }[] };
            expect(pr.labels.map((l) => l.name)).toContain('replica-fleet');
            expect(pr.title.startsWith('[lint]')).toBe(true);
            expect(pr.body).toContain(
              `Part of replica-fleet campaign \`${campaignId}\` (item \`${record.key}\`)`,
            );
          }
          const rows = await campaignPullRequests(t.env.client, campaignId, { state: 'merged' });
          expect(rows.map((r) => r.url).sort()).toEqual(records.map((r) => r.pullRequest).sort());
          expect(rows[0]).toMatchObject({ repository: 'acme/infra', checks: 'passing', review: 'approved' });
          expect(await campaignPullRequests(t.env.client, campaignId, { state: 'open' })).toEqual([]);
          // The workspaces stayed while their PRs were open (after-merge) and went once they merged.
          await eventually(async () => (await t.h.records(campaignId)).every((r) => r.replicaKept === false));
          for (const record of records) {
            const gone = await t.h.client.getReplica(record.replicaId as string).then(
              () => false,
              () => true,
            );
            expect(gone).toBe(true);
          }
        },
      ),
    120_000,
  );

  it('without tracking settings nothing is read from the code host; campaign sync reads every followed PR at once', async () => {
    const before = t.h.sim.codeHost.stats();
    const { campaignId } = await t.h.apply({
      job: { message: 'x', pollIntervalMs: 200 },
      items: t.h.items(2, 'acme/docs'),
      concurrency: 2,
    });
    const done = await t.h.settle(campaignId);
    expect(done.pullRequests).toBeUndefined();
    const after = t.h.sim.codeHost.stats();
    expect(JSON.stringify(after.requests)).toBe(JSON.stringify(before.requests));
    // A campaign that tracks: a hint (a webhook, or `campaign sync`) reads every followed PR now.
    const tracked = await t.h.apply({
      job: { message: 'x', pollIntervalMs: 200 },
      items: t.h.items(2, 'acme/web'),
      concurrency: 2,
      tracking: { sweepMs: 3_600_000, maxDays: 30 },
    });
    const open = await t.h.settle(tracked.campaignId, (p) => p.pullRequests?.open === 2);
    expect(open.pullRequests).toMatchObject({ open: 2, checksPassing: 2 });
    // `campaign sync`: every followed PR is read again now, and the rows come back.
    const synced = await syncPullRequests(t.env.client, tracked.campaignId);
    expect(synced.stale).toBe(0);
    expect(synced.rows.map((r) => r.state)).toEqual(['open', 'open']);
    for (const record of await t.h.records(tracked.campaignId))
      expect(record.change?.readAtMs ?? 0).toBeGreaterThan(Date.parse(open.startedAt));
  }, 120_000);
});
