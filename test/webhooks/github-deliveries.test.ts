import { createHmac } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ShardReport } from '../../src/contracts';
import { shardReportSignal } from '../../src/workflows/campaign/messages';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';

describe('GitHub deliveries reach the shards that follow the PR (real Temporal, both stand-ins, ingress)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${t.h.ingress?.url}/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', ...headers },
      body,
    });

  it(
    'a PR merged on the code host shows as merged without waiting for a sweep or reading it per delivery, and its kept workspace goes',
    () =>
      t.h.withSim(
        {
          // Reviews and merges seconds apart: time for the ingress to learn which shard follows them.
          codeHost: {
            reviewApprovalRate: 1,
            mergeRate: 1,
            checkDurationMs: 100,
            reviewDelayMs: 2_000,
            mergeDelayMs: 3_000,
          },
        },
        async () => {
          const { campaignId } = await t.h.apply({
            job: { message: 'upgrade the linter', cleanup: 'after-merge' },
            items: t.h.items(2, 'acme/infra'),
            concurrency: 2,
            // An hour between sweeps: only the deliveries can tell the shard in time.
            tracking: { sweepMs: 3_600_000, maxDays: 30 },
          });
          const merged = await t.h.settle(campaignId, (p) => p.pullRequests?.merged === 2, 60_000);
          expect(merged.pullRequests).toMatchObject({ merged: 2, open: 0 });
          expect(t.h.ingress?.metrics.requestCount('signalled')).toBeGreaterThan(0);
          // The deliveries' payloads say what changed: PRs are read when their items end, not per delivery.
          const { graphql, webhooks } = t.h.sim.codeHost.stats();
          const reads = Object.entries(graphql)
            .filter(([operation]) => operation.startsWith('query') && !operation.includes('rateLimit'))
            .reduce((sum, [, n]) => sum + n, 0);
          expect(webhooks.sent).toBeGreaterThan(10);
          expect(reads).toBeLessThanOrEqual(2);
          // The merge heard by webhook also lets the kept workspaces go (cleanup after-merge).
          await eventually(async () => (await t.h.records(campaignId)).every((r) => r.replicaKept === false));
          for (const record of await t.h.records(campaignId))
            await expect(t.h.client.getReplica(record.replicaId as string)).rejects.toThrow();
        },
      ),
    90_000,
  );

  it(
    'once its items stop running, PR news reaches the campaign on the tracking cadence, and at once when the last PR settles',
    () =>
      t.h.withSim(
        {
          codeHost: {
            reviewApprovalRate: 1,
            mergeRate: 1,
            checkDurationMs: 100,
            reviewDelayMs: 2_000,
            mergeDelayMs: 4_000,
          },
        },
        async () => {
          const { campaignId, handle } = await t.h.apply({
            job: { message: 'upgrade the linter' },
            items: t.h.items(2, 'acme/infra'),
            concurrency: 2,
            // An hour between sweeps and between reports of PR news alone.
            tracking: { sweepMs: 3_600_000, maxDays: 30, reportMs: 3_600_000 },
          });
          // The last merge is heard at once, though the cadence is an hour.
          await t.h.settle(campaignId, (p) => p.pullRequests?.merged === 2, 60_000);
          const { webhooks } = t.h.sim.codeHost.stats();
          expect(webhooks.sent).toBeGreaterThan(8);
          // The reports the campaign took once no item ran: the last job's end, the answer to the grant that
          // followed, the first readings (PRs open: it is tracking) and the last PR settled; not one for each delivery that came meanwhile
          // (reviews, checks, the first merge), as there were before the cadence (six in this run).
          const events = (await handle.fetchHistory()).events ?? [];
          const idleReports = events
            .map((e) => e.workflowExecutionSignaledEventAttributes)
            .filter((a) => a?.signalName === shardReportSignal.name)
            .map((a) => defaultPayloadConverter.fromPayload<ShardReport>(a?.input?.payloads?.[0] as Payload))
            .filter((report) => report.counts.running === 0 && report.counts.pending === 0);

          expect(idleReports.length).toBeGreaterThanOrEqual(2);
          expect(idleReports.length).toBeLessThanOrEqual(4);
          expect(idleReports.at(-1)?.pullRequests).toMatchObject({ merged: 2, open: 0 });
        },
      ),
    90_000,
  );

  it(
    'a delivery that names its PR goes to the one shard that follows it; a commit status, to every shard following its repository',
    () =>
      t.h.withSim(
        { codeHost: { reviewApprovalRate: 0, mergeRate: 0, closeRate: 0, checkDurationMs: 100 } },
        async () => {
          // Two campaigns, one PR each in the same repository: two shards follow that repository.
          const campaigns = [];
          for (const name of ['first', 'second']) {
            const { campaignId } = await t.h.apply({
              job: { message: `upgrade the linter (${name})` },
              items: t.h.items(1, 'acme/infra'),
              concurrency: 1,
              tracking: { sweepMs: 3_600_000, maxDays: 30 },
            });
            campaigns.push(campaignId);
          }
          const urls: string[] = [];
          for (const campaignId of campaigns) {
            await t.h.settle(campaignId, (p) => p.pullRequests?.open === 1, 60_000);
            urls.push((await t.h.records(campaignId))[0]?.pullRequest as string);
          }
          const signed = (event: string, payload: unknown, id: string) => {
            const body = JSON.stringify(payload);
            const signature = `sha256=${createHmac('sha256', t.h.githubEnv.GITHUB_WEBHOOK_SECRET).update(body).digest('hex')}`;
            return post(body, {
              'x-github-event': event,
              'x-github-delivery': id,
              'x-hub-signature-256': signature,
            });
          };
          const repository = { full_name: 'acme/infra', html_url: 'https://github.com/acme/infra' };
          // GitHub's pull_request_review payload names the PR (@octokit/webhooks-examples: pull_request_review.submitted).
          const review = await signed(
            'pull_request_review',
            {
              action: 'submitted',
              repository,
              pull_request: { html_url: urls[0], number: Number(urls[0]?.split('/').pop()) },
              review: { id: 7, state: 'approved', user: { login: 'reviewer' }, body: 'looks good' },
            },
            `route-review-${campaigns[0]}`,
          );
          expect(await review.json()).toMatchObject({ ok: true, shards: 1 });
          // A status event names a commit, not a PR (@octokit/webhooks-examples: status).
          const status = await signed(
            'status',
            { id: 8, sha: 'a'.repeat(40), context: 'ci/lint', state: 'success', repository },
            `route-status-${campaigns[0]}`,
          );
          expect(await status.json()).toMatchObject({ ok: true, shards: 2 });
        },
      ),
    90_000,
  );

  it('refuses unsigned and forged deliveries (401), acknowledges one for a PR nobody follows, and drops a repeated delivery id', async () => {
    const body = JSON.stringify({
      action: 'closed',
      repository: { full_name: 'nobody/here', html_url: 'https://github.com/nobody/here' },
      pull_request: { html_url: 'https://github.com/nobody/here/pull/1', number: 1 },
    });
    const unsigned = await post(body, { 'x-github-delivery': 'd-1' });
    expect(unsigned.status).toBe(401);
    const forged = await post(body, {
      'x-github-delivery': 'd-2',
      'x-hub-signature-256': `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`,
    });
    expect(forged.status).toBe(401);
    const signature = `sha256=${createHmac('sha256', t.h.githubEnv.GITHUB_WEBHOOK_SECRET).update(body).digest('hex')}`;
    const unknown = await post(body, { 'x-github-delivery': 'd-3', 'x-hub-signature-256': signature });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toMatchObject({ ignored: true });
    const again = await post(body, { 'x-github-delivery': 'd-3', 'x-hub-signature-256': signature });
    expect(await again.json()).toMatchObject({ duplicate: true });
  });
});
