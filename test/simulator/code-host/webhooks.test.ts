import WebhookDefinitions from '@octokit/webhooks-examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import type { ReceivedWebhook } from '../../support/webhook-receiver';
import { GITHUB_SECRET, startCodeHostHarness, type CodeHostHarness } from './harness';

/** Keys a recorded payload has only when the repository belongs to an organisation or an app. */
const CONTEXT_KEYS = new Set(['organization', 'installation', 'enterprise']);
/** Maps whose keys are data of the recorded app or repository (its permissions), not the payload's shape. */
const FREE_FORM = new Set(['permissions', 'custom_properties']);

/**
 * Where our body and a recorded payload differ: every key of the recording must be present, with the
 * same JSON type wherever both sides are not null (objects compared key by key, arrays by their first item).
 */
function shapeDifferences(ours: unknown, recorded: unknown, path = '$'): string[] {
  if (recorded === null || ours === null) return [];
  if (Array.isArray(recorded)) {
    if (!Array.isArray(ours)) return [`${path}: array expected, got ${typeof ours}`];
    return recorded.length && ours.length ? shapeDifferences(ours[0], recorded[0], `${path}[0]`) : [];
  }
  if (typeof recorded === 'object') {
    if (typeof ours !== 'object' || Array.isArray(ours)) return [`${path}: object expected`];
    const problems: string[] = [];
    for (const [key, value] of Object.entries(recorded as Record<string, unknown>)) {
      if (path === '$' && CONTEXT_KEYS.has(key)) continue;
      if (!(key in (ours as object))) problems.push(`${path}.${key}: missing`);
      else if (FREE_FORM.has(key)) continue;
      else
        problems.push(...shapeDifferences((ours as Record<string, unknown>)[key], value, `${path}.${key}`));
    }
    return problems;
  }
  // GitHub's recordings carry some timestamps as epoch numbers and some counts as strings; both are scalars.
  return typeof ours === typeof recorded ? [] : [`${path}: ${typeof recorded} expected, got ${typeof ours}`];
}

/**
 * The recorded payloads of one event and action (the status event has no action); an action nobody
 * recorded (pull_request.edited) is compared with the event's other recordings, whose shape it shares.
 */
function recordings(event: string, action: string | undefined): Record<string, unknown>[] {
  const definition = WebhookDefinitions.find((d) => d.name === event);
  const all = (definition?.examples ?? []) as Record<string, unknown>[];
  const same = all.filter((example) => example.action === action);
  return same.length ? same : all;
}

let h: CodeHostHarness;
beforeAll(async () => {
  h = await startCodeHostHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the code host sends GitHub’s webhooks', () => {
  it('for a PR opened by a turn: opened, the check suite and runs, the status; signed, each with a delivery GUID', async () => {
    const pr = await h.openPullRequest();
    const about = (hook: ReceivedWebhook) =>
      new RegExp(`/pulls?/${pr.number}\\b`).test(hook.raw.toString('utf8'));
    await eventually(async () => h.deliveries('check_suite', 'completed').some(about), 5000);
    await eventually(
      async () =>
        h.deliveries('status').filter((d) => (d.body as { state?: string }).state === 'success').length >= 1,
      5000,
    );

    const opened = h.deliveries('pull_request', 'opened').find(about) as ReceivedWebhook;
    expect(opened.body).toMatchObject({
      action: 'opened',
      number: pr.number,
      pull_request: { html_url: pr.url, state: 'open' },
    });
    expect(h.deliveries('check_run', 'created').filter(about)).toHaveLength(2);
    expect(h.deliveries('check_run', 'completed').filter(about)).toHaveLength(2);

    // An ES module only: imported the way a CommonJS file can.
    const { Webhooks } = await import('@octokit/webhooks');
    const webhooks = new Webhooks({ secret: GITHUB_SECRET });
    const ids = new Set<string>();
    for (const hook of h.hooks.received) {
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
      expect(hook.headers['x-github-delivery']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      ids.add(hook.headers['x-github-delivery'] as string);
      const signature = hook.headers['x-hub-signature-256'] as string;
      expect(await webhooks.verify(hook.raw.toString('utf8'), signature)).toBe(true);
      expect(
        await new Webhooks({ secret: 'another secret' }).verify(hook.raw.toString('utf8'), signature),
      ).toBe(false);
    }
    expect(ids.size).toBe(h.hooks.received.length);
  });

  it('every body it sent has the keys and types of @octokit/webhooks-examples’ recorded payload of that event and action', async () => {
    // Drive every action the code host sends: a push, an edit, a review, a close and a reopen, a merge.
    h.sim.configure({ codeHost: { reviewApprovalRate: 1, draftRate: 1 } });
    const pr = await h.openPullRequest();
    const path = `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
    await eventually(async () => h.deliveries('pull_request_review', 'submitted').length > 0, 5000);
    h.sim.configure({ codeHost: { reviewApprovalRate: 0, draftRate: 0 } });
    h.host.branchPushed('acme/api', pr.number);
    await h.gh('PATCH', path, { title: 'Renamed' });
    await h.gh('PATCH', path, { state: 'closed' });
    await h.gh('PATCH', path, { state: 'open' });
    const id = (
      (
        await h.graphql(
          'query($o:String!,$n:String!,$p:Int!){repository(owner:$o,name:$n){pullRequest(number:$p){id}}}',
          { o: 'acme', n: 'api', p: pr.number },
        )
      ).body.data as { repository: { pullRequest: { id: string } } }
    ).repository.pullRequest.id;
    await h.graphql(
      'mutation($id:ID!){markPullRequestReadyForReview(input:{pullRequestId:$id}){pullRequest{isDraft}}}',
      { id },
    );
    await eventually(
      async () =>
        (await h.gh('GET', path)).body.mergeable_state === 'clean' &&
        h.deliveries('pull_request', 'synchronize').length > 0,
      5000,
    );
    await eventually(
      async () =>
        (
          await h.gh(
            'GET',
            `/repos/acme/api/commits/${((await h.gh('GET', path)).body.head as { sha: string }).sha}/status`,
          )
        ).body.state === 'success',
      5000,
    );
    expect((await h.gh('PUT', `${path}/merge`, {})).status).toBe(200);
    await eventually(
      async () =>
        h
          .deliveries('pull_request', 'closed')
          .filter((d) => (d.body as { pull_request: { merged: boolean } }).pull_request.merged).length > 0,
      5000,
    );

    const seen = new Map<string, ReceivedWebhook>();
    for (const hook of h.hooks.received) {
      const key = `${String(hook.headers['x-github-event'])}.${(hook.body as { action?: string }).action ?? ''}`;
      if (!seen.has(key)) seen.set(key, hook);
    }
    expect([...seen.keys()].sort()).toEqual([
      'check_run.completed',
      'check_run.created',
      'check_suite.completed',
      'check_suite.requested',
      'pull_request.closed',
      'pull_request.edited',
      'pull_request.opened',
      'pull_request.ready_for_review',
      'pull_request.reopened',
      'pull_request.synchronize',
      'pull_request_review.submitted',
      'status.',
    ]);
    for (const [key, hook] of seen) {
      const [event, action] = key.split('.') as [string, string];
      const recorded = recordings(event, action || undefined);
      expect(recorded.length, `a recording of ${key}`).toBeGreaterThan(0);
      // Recordings of one action differ among themselves over the years; ours must match one of them.
      const differences = recorded.map((example) => shapeDifferences(hook.body, example));
      const closest = differences.reduce((a, b) => (b.length < a.length ? b : a));
      expect(closest, key).toEqual([]);
    }
  });
});
