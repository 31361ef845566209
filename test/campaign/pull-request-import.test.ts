import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessEnv, runCli } from '../cli/cli-child';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';

describe('campaign import-prs and prs --mark-ready (real Temporal, both stand-ins, the CLI)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'import-prs-'));
  const file = (name: string, text: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
  };

  it(
    'names a bad line and sends nothing; imports each PR once, reads it at once, follows it to merged by webhook; leaves an item its own PR',
    () =>
      t.h.withSim({ codeHost: { checkDurationMs: 100 } }, async () => {
        // The sweep is an hour away: whatever is read below was read because of the import or a webhook.
        const { campaignId } = await t.h.apply({
          job: { message: 'x', pollIntervalMs: 200 },
          items: t.h.items(1, 'acme/infra'),
          concurrency: 1,
          tracking: { sweepMs: 3_600_000, maxDays: 30 },
        });
        await t.h.settle(campaignId, (p) => p.pullRequests?.open === 1);
        const [own] = await t.h.records(campaignId);
        if (!own?.pullRequest) throw new Error('the agent opened no PR');
        // Two PRs a person opened by hand on the code host.
        for (const number of [41, 42])
          t.h.sim.codeHost.pullRequestOpened({
            repository: 'acme/handmade',
            number,
            branch: `fix-${number}`,
            title: `Fix ${number}`,
            body: '',
          });
        const url = (n: number) => `https://github.com/acme/handmade/pull/${n}`;

        const bad = await runCli(
          [
            'campaign',
            'import-prs',
            campaignId,
            file('bad.txt', `# opened by hand\n${url(41)}\nacme/handmade#42\n`),
          ],
          harnessEnv(t.h),
        );
        expect(bad.code, bad.stderr).toBe(2);
        expect(bad.stderr).toContain('bad.txt:3: "acme/handmade#42" is not a pull request URL');
        expect((await t.h.progress(campaignId)).total).toBe(1);

        const list = `${url(41)}\n\n${url(42)}/\n${url(41)}\n${own.pullRequest}\n`;
        const good = await runCli(
          ['campaign', 'import-prs', campaignId, file('good.txt', list)],
          harnessEnv(t.h),
        );
        expect(good.code, good.stderr).toBe(0);
        expect(good.stdout).toContain('2 pull request(s) imported');
        expect(good.stdout).toContain(`line 5: ${own.pullRequest} is already the change of item ${own.key}`);

        // Read at once (not at the sweep an hour away): both open, their checks run and pass.
        const open = await t.h.settle(
          campaignId,
          (p) => p.pullRequests?.open === 3 && p.pullRequests.checksPassing === 3,
          60_000,
        );
        expect(open).toMatchObject({ total: 3, counts: { succeeded: 3 } });
        const imported = (await t.h.records(campaignId)).filter((r) => r.imported);
        expect(imported.map((r) => r.key).sort()).toEqual(['acme/handmade#41', 'acme/handmade#42']);
        for (const record of imported) {
          expect(record).toMatchObject({ state: 'succeeded', repository: 'acme/handmade' });
          expect(record.replicaId).toBeUndefined();
          expect(record.change).toMatchObject({ lifecycle: 'open', url: record.pullRequest });
        }

        // Merged on GitHub: the delivery reaches the shard that follows the imported PR.
        const merged = await fetch(`${t.h.githubEnv.GITHUB_API_URL}/repos/acme/handmade/pulls/41/merge`, {
          method: 'PUT',
          headers: {
            authorization: `token ${t.h.githubEnv.GITHUB_TOKEN}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ merge_method: 'squash' }),
        });
        expect(merged.status).toBe(200);
        await eventually(async () => {
          const record = (await t.h.records(campaignId)).find((r) => r.key === 'acme/handmade#41');
          return record?.change?.lifecycle === 'merged';
        }, 30_000);

        // Importing again adds nothing: each PR is already an item's change.
        const again = await runCli(
          ['campaign', 'import-prs', campaignId, file('again.txt', `${url(41)}\n${url(42)}\n`), '--json'],
          harnessEnv(t.h),
        );
        expect(again.code, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({
          imported: [],
          known: [
            { url: url(41), line: 1, item: 'acme/handmade#41' },
            { url: url(42), line: 2, item: 'acme/handmade#42' },
          ],
        });
        expect((await t.h.progress(campaignId)).total).toBe(3);
      }),
    180_000,
  );

  it('refuses a campaign that does not follow PRs, naming the fix', async () => {
    const { campaignId } = await t.h.apply({
      job: { message: 'x', pollIntervalMs: 200 },
      items: t.h.items(1),
    });
    await t.h.settle(campaignId);
    const run = await runCli(
      ['campaign', 'import-prs', campaignId, file('one.txt', 'https://github.com/acme/handmade/pull/7\n')],
      harnessEnv(t.h),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`campaign ${campaignId} does not follow pull requests`);
    expect(run.stderr).toContain('GITHUB_TOKEN');
    expect((await t.h.progress(campaignId)).total).toBe(1);
  }, 120_000);

  it(
    'prs --mark-ready marks every open draft ready through the code host, once per PR',
    () =>
      t.h.withSim({ codeHost: { draftRate: 1, checkDurationMs: 100 } }, async () => {
        const { campaignId } = await t.h.apply({
          job: { message: 'x', pollIntervalMs: 200 },
          items: t.h.items(3, 'acme/web'),
          concurrency: 3,
          tracking: { sweepMs: 3_600_000, maxDays: 30 },
        });
        await t.h.settle(campaignId, (p) => p.pullRequests?.draft === 3, 60_000);
        const marked = () => t.h.sim.codeHost.stats().graphql['mutation markPullRequestReadyForReview'] ?? 0;
        const before = marked();
        const run = await runCli(['campaign', 'prs', campaignId, '--mark-ready', '--json'], harnessEnv(t.h));
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toContain('3 draft PR(s) marked ready for review');
        const rows = JSON.parse(run.stdout) as { state: string; url: string }[];
        expect(rows.map((r) => r.state)).toEqual(['open', 'open', 'open']);
        expect(marked() - before).toBe(3);
        // GitHub agrees: none is a draft any more.
        for (const { url } of rows) {
          const [, path] = /github\.com\/(.+)\/pull\/(\d+)$/.exec(url) ?? [];
          const number = url.split('/').pop();
          const answer = await fetch(`${t.h.githubEnv.GITHUB_API_URL}/repos/${path}/pulls/${number}`, {
            headers: { authorization: `token ${t.h.githubEnv.GITHUB_TOKEN}` },
          });
          expect(((await answer.json()) as { draft: boolean }).draft).toBe(false);
        }
        // Asked again: nothing is left to mark, and nothing is sent.
        const again = await runCli(['campaign', 'prs', campaignId, '--mark-ready'], harnessEnv(t.h));
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).toContain('0 draft PR(s) marked ready for review');
        expect(marked() - before).toBe(3);
        expect((await t.h.progress(campaignId)).pullRequests).toMatchObject({ open: 3, draft: 0 });
      }),
    120_000,
  );
});
