import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import { startCodeHostHarness, type CodeHostHarness } from './harness';

interface PullAnswer {
  state: string;
  merged: boolean;
  mergeable_state: string;
  head: { sha: string };
}

let h: CodeHostHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The combined status and check-run conclusions of a PR's head once its checks have finished. */
async function finishedChecks(harness: CodeHostHarness, number: number) {
  const path = `/repos/acme/api/pulls/${number}`;
  let sha = '';
  let state = 'pending';
  await eventually(async () => {
    sha = ((await harness.gh('GET', path)).body as unknown as PullAnswer).head.sha;
    state = (await harness.gh('GET', `/repos/acme/api/commits/${sha}/status`)).body.state as string;
    return state !== 'pending';
  }, 5000);
  type Run = { id: number; name: string; conclusion: string | null };
  let runs: Run[] = [];
  await eventually(async () => {
    const answer = await harness.gh('GET', `/repos/acme/api/commits/${sha}/check-runs`);
    runs = answer.body.check_runs as Run[];
    return runs.every((r) => r.conclusion !== null);
  }, 5000);
  return { sha, state, runs };
}

describe('the code host’s knobs decide checks, reviews and merges (seeded)', () => {
  it('checks go red at checkFailureRate=1 and green at 0; the GraphQL rollup says the same', async () => {
    h = await startCodeHostHarness({ checkFailureRate: 1 });
    const red = await h.openPullRequest();
    const redChecks = await finishedChecks(h, red.number);
    expect(redChecks.state).toBe('failure');
    expect(redChecks.runs.map((r) => [r.name, r.conclusion])).toEqual([
      ['build', 'success'],
      ['test', 'failure'],
    ]);
    h.sim.configure({ codeHost: { checkFailureRate: 0 } });
    const green = await h.openPullRequest();
    expect((await finishedChecks(h, green.number)).state).toBe('success');
    const rollup = await h.graphql(
      `query ($a: Int!, $b: Int!) {
        red: repository(owner: "acme", name: "api") { pullRequest(number: $a) { mergeStateStatus commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } } }
        green: repository(owner: "acme", name: "api") { pullRequest(number: $b) { mergeStateStatus commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } } }
      }`,
      { a: red.number, b: green.number },
    );
    expect(rollup.body).toEqual({
      data: {
        red: {
          pullRequest: {
            mergeStateStatus: 'UNSTABLE',
            commits: { nodes: [{ commit: { statusCheckRollup: { state: 'FAILURE' } } }] },
          },
        },
        green: {
          pullRequest: {
            mergeStateStatus: 'CLEAN',
            commits: { nodes: [{ commit: { statusCheckRollup: { state: 'SUCCESS' } } }] },
          },
        },
      },
    });
  });

  it('a flaky check fails, then passes when re-requested (check_run.rerequested, a new run)', async () => {
    h = await startCodeHostHarness({ checkFlakyRate: 1 });
    const pr = await h.openPullRequest();
    const first = await finishedChecks(h, pr.number);
    const failed = first.runs.find((r) => r.conclusion === 'failure');
    expect(failed?.name).toBe('test');
    const rerun = await h.gh('POST', `/repos/acme/api/check-runs/${failed?.id}/rerequest`, {});
    expect(rerun.status).toBe(201);
    await eventually(async () => {
      const runs = (await h!.gh('GET', `/repos/acme/api/commits/${first.sha}/check-runs`)).body
        .check_runs as { name: string; conclusion: string | null }[];
      return runs.map((r) => r.conclusion).join() === 'success,success';
    }, 5000);
    expect(h.deliveries('check_run', 'rerequested')).toHaveLength(1);
  });

  it('an approving reviewer and a merging maintainer merge a green PR; pull_request.closed with merged', async () => {
    h = await startCodeHostHarness({ reviewApprovalRate: 1, mergeRate: 1 });
    const pr = await h.openPullRequest();
    await eventually(
      async () =>
        ((await h!.gh('GET', `/repos/acme/api/pulls/${pr.number}`)).body as unknown as PullAnswer).merged,
      5000,
    );
    const review = h.deliveries('pull_request_review', 'submitted')[0];
    expect(review?.body).toMatchObject({ review: { state: 'approved' } });
    const closed = await h.hooks.next(
      (d) =>
        d.headers['x-github-event'] === 'pull_request' && (d.body as { action?: string }).action === 'closed',
    );
    expect(closed.body).toMatchObject({
      pull_request: { merged: true, merged_by: { login: 'sim-maintainer' } },
    });
    expect(h.host.stats().pullRequests).toEqual([
      expect.objectContaining({ url: pr.url, state: 'MERGED', reviewDecision: 'APPROVED' }),
    ]);
  });

  it('logs each merge with the head it merged and how that head stood, and every PUT /merge by PR with its answer', async () => {
    h = await startCodeHostHarness({ checkFailureRate: 1 });
    const pr = await h.openPullRequest();
    const { sha } = await finishedChecks(h, pr.number);
    const before = h.host.stats().pullRequests[0];
    expect(before).toMatchObject({ url: pr.url, state: 'OPEN', headSha: sha, checks: 'FAILURE' });
    // Nothing protects the branch here, so GitHub merges a red, unreviewed PR: the log says it was so.
    const path = `/repos/acme/api/pulls/${pr.number}/merge`;
    expect((await h.gh('PUT', path, { sha: '0'.repeat(40) })).status).toBe(409);
    expect((await h.gh('PUT', path, { sha })).status).toBe(200);
    expect((await h.gh('PUT', path, {})).status).toBe(405);
    const stats = h.host.stats();
    expect(stats.merges).toEqual([
      {
        pullRequest: pr.url,
        headSha: sha,
        checks: 'FAILURE',
        review: 'REVIEW_REQUIRED',
        by: 'replicas-agent[bot]',
        atMs: expect.any(Number),
      },
    ]);
    expect(stats.mergeRequests[pr.url]?.map((r) => r.status)).toEqual([409, 200, 405]);
    // The merge is the PR's last change (it sent pull_request.closed).
    const after = stats.pullRequests[0];
    expect(after?.state).toBe('MERGED');
    expect(after?.changedAtMs).toBeGreaterThanOrEqual(stats.merges[0]?.atMs ?? Infinity);
    expect(after?.changedAtMs).toBeGreaterThan(before?.changedAtMs ?? Infinity);
  });

  it('changes requested blocks the PR; closeRate closes it without merging, and a later push leaves it closed', async () => {
    h = await startCodeHostHarness({ reviewChangesRequestedRate: 1, closeRate: 1, mergeDelayMs: 300 });
    const pr = await h.openPullRequest();
    await eventually(async () => h!.deliveries('pull_request_review', 'submitted').length === 1, 5000);
    expect(h.host.stats().pullRequests[0]).toMatchObject({
      reviewDecision: 'CHANGES_REQUESTED',
      mergeStateStatus: 'BLOCKED',
    });
    await eventually(async () => h!.host.stats().pullRequests[0]?.state === 'CLOSED', 5000);
    const got = (await h.gh('GET', `/repos/acme/api/pulls/${pr.number}`)).body as unknown as PullAnswer;
    expect(got).toMatchObject({ state: 'closed', merged: false });
    // A turn pushing to the branch of a closed PR does not move it: no synchronize, no new checks.
    await h.client.sendMessage(pr.replica.id, { message: 'one more change' });
    await eventually(async () => h!.sim.stats().turnsCompleted === 2, 5000);
    expect(h.deliveries('pull_request', 'synchronize')).toHaveLength(0);
    expect(h.host.stats().pullRequests[0]).toMatchObject({ headCommits: 1 });
  });

  it('behind and conflicting heads: mergeStateStatus BEHIND / DIRTY, and PUT /merge is refused with 405', async () => {
    h = await startCodeHostHarness({ conflictRate: 1 });
    const conflicting = await h.openPullRequest();
    h.sim.configure({ codeHost: { conflictRate: 0, behindRate: 1 } });
    const behind = await h.openPullRequest();
    const read = await h.graphql(
      `query ($a: Int!, $b: Int!) {
        a: repository(owner: "acme", name: "api") { pullRequest(number: $a) { mergeable mergeStateStatus } }
        b: repository(owner: "acme", name: "api") { pullRequest(number: $b) { mergeable mergeStateStatus } }
      }`,
      { a: conflicting.number, b: behind.number },
    );
    expect(read.body.data).toEqual({
      a: { pullRequest: { mergeable: 'CONFLICTING', mergeStateStatus: 'DIRTY' } },
      b: { pullRequest: { mergeable: 'MERGEABLE', mergeStateStatus: 'BEHIND' } },
    });
    for (const pr of [conflicting, behind]) {
      const merge = await h.gh('PUT', `/repos/acme/api/pulls/${pr.number}/merge`, {});
      expect(merge.status).toBe(405);
    }
  });

  it('a follow-up turn on the replica pushes a new head commit: pull_request.synchronize, checks run again', async () => {
    h = await startCodeHostHarness();
    const pr = await h.openPullRequest();
    const first = await finishedChecks(h, pr.number);
    await h.client.sendMessage(pr.replica.id, { message: 'also fix the flaky test' });
    const sync = await h.hooks.next(
      (d) =>
        d.headers['x-github-event'] === 'pull_request' &&
        (d.body as { action?: string }).action === 'synchronize',
    );
    expect(sync.body).toMatchObject({ number: pr.number, before: first.sha });
    const second = await finishedChecks(h, pr.number);
    expect(second.sha).not.toBe(first.sha);
    expect((sync.body as { after: string }).after).toBe(second.sha);
    expect(second.state).toBe('success');
    expect(h.host.stats().pullRequests[0]).toMatchObject({ url: pr.url, headCommits: 2 });
    // The status is final before its delivery has arrived: wait for the second suite's delivery.
    const suites = () =>
      h!
        .deliveries('check_suite', 'completed')
        .map((d) => (d.body as { check_suite: { head_sha: string } }).check_suite.head_sha);
    await eventually(async () => suites().length >= 2);
    expect(suites()).toEqual([first.sha, second.sha]);
  });

  it('the same seed makes the same choices', async () => {
    const outcomes: string[][] = [];
    for (let run = 0; run < 2; run += 1) {
      h = await startCodeHostHarness({ checkFailureRate: 0.5 });
      const states: string[] = [];
      for (let i = 0; i < 4; i += 1)
        states.push((await finishedChecks(h, (await h.openPullRequest()).number)).state);
      outcomes.push(states);
      await h.close();
      h = undefined;
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(new Set(outcomes[0])).toEqual(new Set(['success', 'failure']));
  });
});
