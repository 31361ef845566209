import examples from '@octokit/webhooks-examples';
import { describe, expect, it } from 'vitest';
import { deliveryNews } from '../../src/code-host/github-observations';

/** GitHub's recorded payloads (`@octokit/webhooks-examples`) of one event, action by action. */
function recorded(event: string): Record<string, unknown>[] {
  const entry = (examples as { name: string; examples: Record<string, unknown>[] }[]).find(
    (e) => e.name === event,
  );
  if (!entry) throw new Error(`no recorded ${event} payload`);
  return entry.examples;
}
const first = (event: string, action?: string) => {
  const found = recorded(event).find((p) => action === undefined || p.action === action);
  if (!found) throw new Error(`no recorded ${event}.${action}`);
  return found;
};

describe("what a GitHub delivery says of a PR, from GitHub's recorded payloads", () => {
  it('a closed pull_request tells the state, head, draft and when, without a read', () => {
    const payload = first('pull_request', 'closed') as { pull_request: Record<string, unknown> };
    const news = deliveryNews('pull_request', payload);
    const pr = payload.pull_request;
    expect(news?.urls).toEqual([]);
    expect(news?.observations).toEqual([
      expect.objectContaining({
        kind: 'pull-request',
        url: pr.html_url,
        lifecycle: pr.merged ? 'merged' : 'closed',
        headSha: (pr.head as { sha: string }).sha,
        updatedAt: pr.updated_at,
        closedAt: pr.closed_at,
      }),
    ]);
  });

  it('labels, assignees and review requests change nothing a campaign shows: no news', () => {
    for (const action of ['labeled', 'assigned', 'review_requested', 'locked'])
      expect(deliveryNews('pull_request', first('pull_request', action))).toBeUndefined();
    expect(
      deliveryNews('check_suite', { action: 'completed', repository: { full_name: 'a/b' } }),
    ).toBeUndefined();
  });

  it("a check run's verdict: queued is pending, a completed run passes or fails by its conclusion", () => {
    const created = deliveryNews('check_run', first('check_run', 'created'));
    expect(created?.observations[0]).toMatchObject({ kind: 'check', verdict: 'pending' });
    const completed = first('check_run', 'completed') as { check_run: Record<string, unknown> };
    const news = deliveryNews('check_run', completed)?.observations[0];
    const run = completed.check_run;
    expect(news).toMatchObject({
      kind: 'check',
      name: run.name,
      id: run.id,
      headSha: run.head_sha,
      verdict: ['success', 'neutral', 'skipped'].includes(run.conclusion as string) ? 'passing' : 'failing',
    });
    const failed = { ...completed, check_run: { ...run, conclusion: 'failure' } };
    expect(deliveryNews('check_run', failed)?.observations[0]).toMatchObject({ verdict: 'failing' });
    expect(deliveryNews('check_run', first('check_run', 'requested_action'))).toBeUndefined();
  });

  it('a commit status names no PR: it is matched by repository and head commit', () => {
    const payload = first('status') as Record<string, unknown>;
    expect(deliveryNews('status', payload)?.observations[0]).toMatchObject({
      kind: 'check',
      urls: [],
      repository: (payload.repository as { full_name: string }).full_name,
      headSha: payload.sha,
      name: payload.context,
      verdict: 'passing',
    });
  });

  it('a review: a comment says nothing; a dismissal is told; an approval names its reviewer', () => {
    expect(deliveryNews('pull_request_review', first('pull_request_review', 'submitted'))).toBeUndefined();
    const dismissed = deliveryNews('pull_request_review', first('pull_request_review', 'dismissed'));
    expect(dismissed?.observations[0]).toMatchObject({ kind: 'review', verdict: 'dismissed' });
    const payload = first('pull_request_review', 'submitted') as { review: Record<string, unknown> };
    const approved = { ...payload, review: { ...payload.review, state: 'approved' } };
    expect(deliveryNews('pull_request_review', approved)?.observations[0]).toMatchObject({
      kind: 'review',
      verdict: 'approved',
      reviewer: (payload.review.user as { login: string }).login,
      id: payload.review.id,
    });
  });

  it('a payload without what an observation needs asks for a read of the PR it names', () => {
    const bare = {
      action: 'closed',
      repository: { full_name: 'acme/api', html_url: 'https://github.com/acme/api' },
      pull_request: { number: 7 },
    };
    expect(deliveryNews('pull_request', bare)).toEqual({
      repository: 'acme/api',
      observations: [],
      urls: ['https://github.com/acme/api/pull/7'],
    });
  });
});
