import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import { startCodeHostHarness, type CodeHostHarness } from './harness';
import { problemsOf, responseValidator } from './openapi';

let h: CodeHostHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the code host’s injected faults, like GitHub’s', () => {
  it('secondaryLimitRate answers 403 with retry-after and GitHub’s secondary-limit message, for REST and GraphQL', async () => {
    h = await startCodeHostHarness({ secondaryLimitRate: 1, retryAfterSeconds: 7 });
    for (const answer of [
      await h.gh('GET', '/repos/acme/api/pulls/1'),
      await h.graphql('query { rateLimit { remaining } }'),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.headers.get('retry-after')).toBe('7');
      expect(answer.body.message).toMatch(/secondary rate limit/);
      expect(answer.body.documentation_url).toMatch(/secondary-rate-limits$/);
      expect(answer.headers.get('x-ratelimit-remaining')).not.toBeNull();
    }
    expect(h.host.stats().faults.secondaryLimited).toBe(2);
  });

  it('serverErrorRate answers 502 and changes nothing', async () => {
    h = await startCodeHostHarness({ serverErrorRate: 1 });
    const pr = await h.openPullRequest();
    const answer = await h.gh('PATCH', `/repos/acme/api/pulls/${pr.number}`, { title: 'not applied' });
    expect(answer.status).toBe(502);
    h.sim.configure({ codeHost: { serverErrorRate: 0 } });
    expect((await h.gh('GET', `/repos/acme/api/pulls/${pr.number}`)).body.title).not.toBe('not applied');
    expect(h.host.stats().requests['PATCH /repos/{owner}/{repo}/pulls/{pull_number}']).toEqual({ '502': 1 });
  });

  it('the primary budget is counted per token and hour: spent, it answers 403 with x-ratelimit-remaining 0', async () => {
    h = await startCodeHostHarness({ rateLimitPerHour: 3 }, { tokens: ['token-a', 'token-b'] });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await h.gh('GET', '/repos/acme/api/pulls/1', undefined, 'token-a')).status);
    expect(statuses).toEqual([404, 404, 404, 403]);
    const spent = await h.gh('GET', '/repos/acme/api/pulls/1', undefined, 'token-a');
    expect(spent.body.message).toMatch(/API rate limit exceeded/);
    expect(spent.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(spent.headers.get('retry-after')).toBeNull();
    expect(
      (await h.gh('GET', '/repos/acme/api/pulls/1', undefined, 'token-b')).headers.get(
        'x-ratelimit-remaining',
      ),
    ).toBe('2');
    const limits = await h.gh('GET', '/rate_limit', undefined, 'token-a');
    expect(limits.status).toBe(200);
    expect(problemsOf(responseValidator('get', '/rate_limit', 200), limits.body)).toBe('');
    expect(limits.body.rate).toMatchObject({ limit: 3, remaining: 0, used: 3 });
  });

  it('webhook faults: a dropped delivery never arrives (no redelivery), a duplicate repeats its X-GitHub-Delivery', async () => {
    h = await startCodeHostHarness({ webhookDropRate: 1 });
    await h.openPullRequest();
    await eventually(async () => h!.host.stats().webhooks.dropped >= 9, 5000);
    expect(h.hooks.received).toHaveLength(0);
    expect(h.host.stats().webhooks.sent).toBe(0);
    h.sim.configure({ codeHost: { webhookDropRate: 0, webhookDuplicateRate: 1 } });
    await h.openPullRequest();
    await eventually(async () => h!.deliveries('check_suite', 'completed').length === 2, 5000);
    const ids = h.hooks.received.map((d) => d.headers['x-github-delivery']);
    expect(new Set(ids).size).toBe(ids.length / 2);
  });
});
