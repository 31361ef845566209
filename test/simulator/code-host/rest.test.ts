import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import { signAppJwt } from './app-jwt';
import { startCodeHostHarness, type CodeHostHarness } from './harness';
import { componentValidator, problemsOf, responseValidator } from './openapi';

const APP_ID = 4242;
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const appJwt = (iss: number = APP_ID, key = privateKey) => signAppJwt(iss, key);

let h: CodeHostHarness;
beforeAll(async () => {
  h = await startCodeHostHarness(
    {},
    { app: { appId: APP_ID, publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string } },
  );
});
afterAll(async () => {
  await h.close();
});

describe('the code host answers REST in the shapes of GitHub’s OpenAPI description', () => {
  it('holds the PR a Replicas turn opened (same repository, number and URL) and answers GET /pulls/{n} as a pull-request', async () => {
    const pr = await h.openPullRequest();
    expect(pr.url).toMatch(/^https:\/\/github\.com\/acme\/api\/pull\/\d+$/);
    const got = await h.gh('GET', `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`);
    expect(got.status).toBe(200);
    expect(
      problemsOf(responseValidator('get', '/repos/{owner}/{repo}/pulls/{pull_number}', 200), got.body),
    ).toBe('');
    expect(got.body).toMatchObject({ number: pr.number, html_url: pr.url, state: 'open', merged: false });
    expect((got.body.head as { ref: string }).ref).toBe(`replicas/${pr.replica.name}`);
    expect((got.body.base as { repo: { full_name: string } }).repo.full_name).toBe('acme/api');
  });

  it('answers PATCH, labels, assignees, reviewers and comments with the documented objects and codes', async () => {
    const pr = await h.openPullRequest();
    const base = `/repos/${pr.owner}/${pr.repo}`;
    const cases = [
      [
        'patch',
        '/repos/{owner}/{repo}/pulls/{pull_number}',
        200,
        `${base}/pulls/${pr.number}`,
        { title: 'New title', body: 'New body' },
      ],
      [
        'post',
        '/repos/{owner}/{repo}/issues/{issue_number}/labels',
        200,
        `${base}/issues/${pr.number}/labels`,
        { labels: ['campaign', 'bot'] },
      ],
      [
        'post',
        '/repos/{owner}/{repo}/issues/{issue_number}/assignees',
        201,
        `${base}/issues/${pr.number}/assignees`,
        { assignees: ['octocat'] },
      ],
      [
        'post',
        '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
        201,
        `${base}/pulls/${pr.number}/requested_reviewers`,
        { reviewers: ['hubot'], team_reviewers: ['platform'] },
      ],
      [
        'post',
        '/repos/{owner}/{repo}/issues/{issue_number}/comments',
        201,
        `${base}/issues/${pr.number}/comments`,
        { body: 'Campaign note' },
      ],
    ] as const;
    for (const [method, template, status, path, body] of cases) {
      const answer = await h.gh(method.toUpperCase(), path, body);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
      expect(
        problemsOf(responseValidator(method, template, status), answer.body),
        `${method} ${template}`,
      ).toBe('');
    }
    const listed = await h.gh('GET', `${base}/issues/${pr.number}/comments`);
    expect(listed.status).toBe(200);
    expect(
      problemsOf(
        responseValidator('get', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 200),
        listed.body,
      ),
    ).toBe('');
    expect((listed.body as unknown as { body: string }[]).map((c) => c.body)).toEqual(['Campaign note']);
    const got = await h.gh('GET', `${base}/pulls/${pr.number}`);
    expect(got.body).toMatchObject({ title: 'New title', body: 'New body', comments: 1 });
    expect((got.body.labels as { name: string }[]).map((l) => l.name)).toEqual(['campaign', 'bot']);
    expect((got.body.requested_reviewers as { login: string }[]).map((u) => u.login)).toEqual(['hubot']);

    const invalid = await h.gh('POST', `${base}/issues/${pr.number}/comments`, { text: 'no body field' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toMatch(/body/);
    expect(problemsOf(componentValidator('validation-error'), invalid.body)).toBe('');
    expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'body', code: 'missing_field' })]);
  });

  it('answers check runs and the combined status of the head commit, green once the checks finish', async () => {
    const pr = await h.openPullRequest();
    const base = `/repos/${pr.owner}/${pr.repo}`;
    const { body } = await h.gh('GET', `${base}/pulls/${pr.number}`);
    const sha = (body.head as { sha: string }).sha;
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    await eventually(
      async () => (await h.gh('GET', `${base}/commits/${sha}/status`)).body.state === 'success',
      5000,
    );
    const runs = await h.gh('GET', `${base}/commits/${sha}/check-runs`);
    expect(runs.status).toBe(200);
    expect(
      problemsOf(responseValidator('get', '/repos/{owner}/{repo}/commits/{ref}/check-runs', 200), runs.body),
    ).toBe('');
    expect((runs.body.check_runs as { conclusion: string }[]).map((r) => r.conclusion)).toEqual([
      'success',
      'success',
    ]);
    const status = await h.gh('GET', `${base}/commits/${sha}/status`);
    expect(
      problemsOf(responseValidator('get', '/repos/{owner}/{repo}/commits/{ref}/status', 200), status.body),
    ).toBe('');
  });

  it('merges with PUT /merge (200 merge result), refuses a stale sha with 409 and a merged PR with 405', async () => {
    const pr = await h.openPullRequest();
    const path = `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
    const stale = await h.gh('PUT', `${path}/merge`, { sha: '0'.repeat(40) });
    expect(stale.status).toBe(409);
    expect(
      problemsOf(
        responseValidator('put', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', 409),
        stale.body,
      ),
    ).toBe('');
    expect(stale.body).toMatchObject({
      message: 'Head branch was modified. Review and try the merge again.',
    });
    const head = ((await h.gh('GET', path)).body.head as { sha: string }).sha;
    const merged = await h.gh('PUT', `${path}/merge`, { sha: head, merge_method: 'squash' });
    expect(merged.status).toBe(200);
    expect(
      problemsOf(
        responseValidator('put', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', 200),
        merged.body,
      ),
    ).toBe('');
    expect(merged.body).toMatchObject({ merged: true });
    const again = await h.gh('PUT', `${path}/merge`, {});
    expect(again.status).toBe(405);
    expect(
      problemsOf(
        responseValidator('put', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', 405),
        again.body,
      ),
    ).toBe('');
    expect((await h.gh('GET', path)).body).toMatchObject({ state: 'closed', merged: true });
  });

  it('answers GET /rate_limit and carries rate-limit headers counted per token on every answer', async () => {
    const first = await h.gh('GET', '/repos/acme/api/pulls/99999');
    expect(first.status).toBe(404);
    expect(first.body).toMatchObject({ message: 'Not Found' });
    expect(problemsOf(componentValidator('basic-error'), first.body)).toBe('');
    const used = Number(first.headers.get('x-ratelimit-used'));
    expect(first.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(first.headers.get('x-ratelimit-resource')).toBe('core');
    expect(Number(first.headers.get('x-ratelimit-remaining'))).toBe(5000 - used);
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(first.headers.get('x-github-request-id')).toBeTruthy();
    const second = await h.gh('GET', '/repos/acme/api/pulls/99999');
    expect(Number(second.headers.get('x-ratelimit-used'))).toBe(used + 1);

    const limits = await h.gh('GET', '/rate_limit');
    expect(limits.status).toBe(200);
    expect(problemsOf(responseValidator('get', '/rate_limit', 200), limits.body)).toBe('');
    expect((limits.body.rate as { used: number }).used).toBe(used + 1);
  });

  it('answers 401 Bad credentials to a missing or unknown token', async () => {
    for (const token of [null, 'ghp_not-a-token']) {
      const answer = await h.gh('GET', '/repos/acme/api/pulls/1', undefined, token);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ message: 'Bad credentials' });
      expect(problemsOf(componentValidator('basic-error'), answer.body)).toBe('');
      expect(answer.body.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
    }
  });

  it('mints an installation token for a GitHub App JWT signed with the app’s key, and refuses a forged one', async () => {
    const minted = await h.gh('POST', '/app/installations/77/access_tokens', {}, appJwt());
    expect(minted.status).toBe(201);
    expect(
      problemsOf(
        responseValidator('post', '/app/installations/{installation_id}/access_tokens', 201),
        minted.body,
      ),
    ).toBe('');
    expect(minted.body.token).toMatch(/^ghs_/);
    expect(Date.parse(minted.body.expires_at as string)).toBeGreaterThan(Date.now());
    const used = await h.gh('GET', '/rate_limit', undefined, minted.body.token as string);
    expect(used.status).toBe(200);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await h.gh('POST', '/app/installations/77/access_tokens', {}, appJwt(APP_ID, other));
    expect(forged.status).toBe(401);
    const wrongApp = await h.gh('POST', '/app/installations/77/access_tokens', {}, appJwt(1));
    expect(wrongApp.status).toBe(401);

    // Deliveries of an App installation name it, as GitHub's do.
    await h.openPullRequest();
    const opened = await h.hooks.next((d) => d.headers['x-github-event'] === 'pull_request');
    expect(opened.body).toMatchObject({ installation: { id: 1, node_id: expect.any(String) as unknown } });
  });

  it('serves the same API under a GHES base (/api/v3, /api/graphql)', async () => {
    const answer = await h.gh('GET', '/api/v3/rate_limit');
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveProperty('resources.core.limit', 5000);
    const graphql = await h.gh('POST', '/api/graphql', { query: '{ rateLimit { limit } }' });
    expect(graphql.body).toEqual({ data: { rateLimit: { limit: 5000 } } });
  });
});
