import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MinuteWindow } from '../../../src/simulator/code-host/load-meter';
import { eventually } from '../../support/eventually';
import { startCodeHostHarness, type CodeHostHarness } from './harness';
import { problemsOf, responseValidator } from './openapi';

let h: CodeHostHarness;
beforeAll(async () => {
  h = await startCodeHostHarness();
});
afterAll(async () => {
  await h.close();
});

describe('people acting on the code host, and the load it measures (benchmarks drive both)', () => {
  it('act: a review, a merge and a close send their deliveries, timed as they leave; no request is counted', async () => {
    const [first, second] = [await h.openPullRequest(), await h.openPullRequest()];
    const seen: { event: string; action: string; number: number; sentAtMs: number }[] = [];
    const stop = h.host.onDelivery((delivery, sentAtMs) => {
      const body = JSON.parse(delivery.body) as { action: string; pull_request?: { number: number } };
      if (body.pull_request)
        seen.push({ event: delivery.event, action: body.action, number: body.pull_request.number, sentAtMs });
    });
    const before = JSON.stringify(h.host.stats().requests);
    const acted = Date.now();
    h.host.act('acme/api', first.number, 'approve');
    h.host.act('acme/api', first.number, 'merge');
    h.host.act('acme/api', second.number, 'close');
    await eventually(async () => seen.filter((s) => s.action !== 'synchronize').length >= 3);
    stop();
    expect(seen.map((s) => `${s.event}.${s.action}#${s.number}`)).toEqual(
      expect.arrayContaining([
        `pull_request_review.submitted#${first.number}`,
        `pull_request.closed#${first.number}`,
        `pull_request.closed#${second.number}`,
      ]),
    );
    for (const s of seen) expect(s.sentAtMs).toBeGreaterThanOrEqual(acted);
    expect(JSON.stringify(h.host.stats().requests)).toBe(before);
    const states = h.host.stats().pullRequests;
    expect(states.find((p) => p.url === first.url)).toMatchObject({
      state: 'MERGED',
      reviewDecision: 'APPROVED',
    });
    expect(states.find((p) => p.url === second.url)).toMatchObject({ state: 'CLOSED' });
    // GitHub refuses to merge a closed PR; so does the code host.
    expect(() => h.host.act('acme/api', second.number, 'merge')).toThrow(/not mergeable/);
  });

  it('GET /pulls/{n}/reviews lists the reviews in GitHub’s shape', async () => {
    const pr = await h.openPullRequest();
    h.host.act('acme/api', pr.number, 'request-changes');
    const got = await h.gh('GET', `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/reviews`);
    expect(got.status).toBe(200);
    expect(
      problemsOf(
        responseValidator('get', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', 200),
        got.body,
      ),
    ).toBe('');
    expect(got.body).toMatchObject([{ state: 'changes_requested' }]);
  });

  it('counts requests in flight at once and REST points over the sliding minute (a write costs 5)', async () => {
    const pr = await h.openPullRequest();
    const base = h.host.stats().load.maxRestPointsPerMinute;
    await Promise.all(
      Array.from({ length: 8 }, () => h.gh('GET', `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`)),
    );
    await h.gh('POST', `/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/labels`, { labels: ['x'] });
    const { load } = h.host.stats();
    expect(load.inFlight).toBe(0);
    expect(load.maxInFlight).toBeGreaterThanOrEqual(1);
    // Eight requests at once need eight connections over HTTP/1.1 (fewer only if some answered first).
    expect(load.maxConnections).toBeGreaterThanOrEqual(2);
    expect(load.maxRestPointsPerMinute).toBeGreaterThanOrEqual(base + 13);
  });

  it('the sliding minute lets points older than 60 seconds fall out', () => {
    const window = new MinuteWindow();
    expect(window.add(5, 1_000_000)).toBe(5);
    expect(window.add(1, 1_030_000)).toBe(6);
    expect(window.add(1, 1_060_500)).toBe(2);
    expect(window.add(1, 1_200_000)).toBe(1);
  });
});
