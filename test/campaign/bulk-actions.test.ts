import { describe, expect, it } from 'vitest';
import { harnessEnv, runCli } from '../cli/cli-child';
import { useJobHarness } from '../support/job-harness';

describe('bulk actions on a campaign PRs: merge, close-prs, comment (real Temporal, both stand-ins, the CLI)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it(
    'merges only the green, approved, clean PRs at their checked head, once; lists the rest with why; a dry run sends nothing',
    () =>
      t.h.withSim(
        { codeHost: { reviewApprovalRate: 1, checkDurationMs: 100, reviewDelayMs: 100, mergeRate: 0 } },
        async () => {
          const { campaignId } = await t.h.apply({
            job: { message: 'x', pollIntervalMs: 200 },
            items: t.h.items(3, 'acme/web'),
            concurrency: 3,
            tracking: { sweepMs: 3_600_000, maxDays: 30 },
          });
          await t.h.settle(
            campaignId,
            (p) => p.pullRequests?.approved === 3 && p.pullRequests.checksPassing === 3,
            60_000,
          );
          const [red, ...green] = await t.h.records(campaignId);
          if (!red) throw new Error('no records');
          // One PR goes red on GitHub: a new head whose checks fail, heard by webhook.
          t.h.sim.config.codeHost.checkFailureRate = 1;
          const [, owner, repo, number] =
            /github\.com\/([^/]+)\/([^/]+)\/pull\/(\d+)/.exec(red.pullRequest ?? '') ?? [];
          t.h.sim.codeHost.branchPushed(`${owner}/${repo}`, Number(number));
          await t.h.settle(campaignId, (p) => p.pullRequests?.checksFailing === 1, 30_000);
          const merges = () =>
            Object.values(
              t.h.sim.codeHost.stats().requests['PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge'] ?? {},
            ).reduce((a, b) => a + b, 0);

          const dry = await runCli(['campaign', 'merge', campaignId, '--dry-run', '--json'], harnessEnv(t.h));
          expect(dry.code, dry.stderr).toBe(0);
          const planned = JSON.parse(dry.stdout) as {
            outcomes: { key: string; status: string; detail?: string }[];
          };
          expect(
            planned.outcomes
              .filter((o) => o.status === 'would act')
              .map((o) => o.key)
              .sort(),
          ).toEqual(green.map((r) => r.key).sort());
          expect(planned.outcomes.find((o) => o.key === red.key)).toMatchObject({
            status: 'skipped',
            detail: expect.stringMatching(/^its checks are failing \(ci\/lint, test\), not passing$/),
          });
          expect(merges()).toBe(0);

          const run = await runCli(
            ['campaign', 'merge', campaignId, '--method', 'squash', '--json'],
            harnessEnv(t.h),
          );
          // One PR skipped by the guard: it is reported, the rest are merged, and the exit says not all were.
          expect(run.code, run.stderr).toBe(0);
          const outcomes = (
            JSON.parse(run.stdout) as { outcomes: { key: string; status: string; detail?: string }[] }
          ).outcomes;
          expect(
            outcomes
              .filter((o) => o.status === 'done')
              .map((o) => o.key)
              .sort(),
          ).toEqual(green.map((r) => r.key).sort());
          expect(outcomes.find((o) => o.key === red.key)?.status).toBe('skipped');
          expect(merges()).toBe(2);
          await t.h.settle(campaignId, (p) => p.pullRequests?.merged === 2, 30_000);
          const status = (await t.h.progress(campaignId)).pullRequests;
          expect(status).toMatchObject({ merged: 2, open: 1, actionsDone: 2 });

          // Asked again: the merged ones are skipped by the guard, nothing is sent twice.
          const again = await runCli(['campaign', 'merge', campaignId, '--json'], harnessEnv(t.h));
          expect(again.code, again.stderr).toBe(0);
          expect(merges()).toBe(2);

          // A comment on the open one, then close it with a comment: one comment each, the PR closed.
          const commented = await runCli(
            ['campaign', 'comment', campaignId, '--state', 'open', '--body', 'Friendly ping'],
            harnessEnv(t.h),
          );
          expect(commented.code, commented.stderr).toBe(0);
          expect(commented.stdout).toMatch(/comment comment-\w+: 1 done, 0 refused, 0 failed/);
          const closed = await runCli(
            ['campaign', 'close-prs', campaignId, '--comment', 'Superseded', '--items', red.key],
            harnessEnv(t.h),
          );
          expect(closed.code, closed.stderr).toBe(0);
          await t.h.settle(campaignId, (p) => p.pullRequests?.closed === 1, 30_000);
          const answer = await fetch(
            `${t.h.githubEnv.GITHUB_API_URL}/repos/${owner}/${repo}/issues/${number}/comments`,
            {
              headers: { authorization: `token ${t.h.githubEnv.GITHUB_TOKEN}` },
            },
          );
          const bodies = ((await answer.json()) as { body: string }[]).map((c) => c.body.split('\n')[0]);
          expect(bodies).toEqual(['Friendly ping', 'Superseded']);
        },
      ),
    180_000,
  );

  it('names a bad flag (exit 2) and a campaign without PRs (exit 1)', async () => {
    const badMethod = await runCli(
      ['campaign', 'merge', 'any', '--method', 'squash,fast-forward'],
      harnessEnv(t.h),
    );
    expect(badMethod.code).toBe(2);
    expect(badMethod.stderr).toContain('--method must be one of squash, merge, rebase, got "fast-forward"');
    const noComment = await runCli(['campaign', 'close-prs', 'any'], harnessEnv(t.h));
    expect(noComment.code).toBe(2);
    expect(noComment.stderr).toContain('--comment is required');
    await t.h.withSim({ behaviour: { prProbability: 0 } }, async () => {
      const { campaignId } = await t.h.apply({
        job: { message: 'x', pollIntervalMs: 200 },
        items: t.h.items(1),
      });
      await t.h.settle(campaignId);
      const none = await runCli(['campaign', 'merge', campaignId], harnessEnv(t.h));
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`campaign ${campaignId} has no pull requests`);
    });
  }, 120_000);
});
