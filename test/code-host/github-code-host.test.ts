import { generateKeyPairSync, createVerify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeHostError, createGitHubCodeHost, type CodeHostLog } from '../../src/code-host';
import type { GraphQlPullRequest } from '../../src/code-host/github-mapping';
import type { CodeHostConfig } from '../../src/config/code-host-config';
import { pullRequestNode, checkRun } from './github-fixtures';
import {
  githubError,
  startLoopbackGitHub,
  type LoopbackGitHub,
  type RecordedRequest,
  type Reply,
} from './loopback-github';

const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
let server: LoopbackGitHub | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function recordingLog() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, ...(fields && { fields }) });
  const log: CodeHostLog = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

async function github(
  handler: (request: RecordedRequest) => Reply | Promise<Reply>,
  credentials: CodeHostConfig['credentials'] = { kind: 'token', token: TOKEN },
) {
  server = await startLoopbackGitHub(handler);
  const { log, lines } = recordingLog();
  const config: CodeHostConfig = { apiUrl: server.url, webHost: 'github.com', credentials };
  const host = createGitHubCodeHost(config, {
    log,
    retryUnitMs: 20,
    retries: 3,
    maxRateLimitWaitSeconds: 60,
  });
  return { host, lines, requests: server.requests };
}

const graphqlBody = (request: RecordedRequest) =>
  request.body as { query: string; variables: Record<string, unknown> };
const RATE = { cost: 1, remaining: 4999, resetAt: '2026-05-01T11:00:00Z' };

/** Answers by-URL batches from a table of `owner/name#number` → node (absent: GitHub's NOT_FOUND). */
function answerByUrl(known: Map<string, GraphQlPullRequest>) {
  return (request: RecordedRequest): Reply => {
    const { variables } = graphqlBody(request);
    const data: Record<string, unknown> = { rateLimit: RATE };
    const errors: unknown[] = [];
    for (let i = 0; `owner${i}` in variables; i++) {
      const repository = `${String(variables[`owner${i}`])}/${String(variables[`name${i}`])}`;
      if (repository === 'acme/deleted') {
        data[`pr${i}`] = null;
        errors.push({
          type: 'NOT_FOUND',
          path: [`pr${i}`],
          message: `Could not resolve to a Repository with the name '${repository}'.`,
        });
        continue;
      }
      const node = known.get(`${repository}#${String(variables[`number${i}`])}`);
      data[`pr${i}`] = { pullRequest: node ?? null };
      if (!node)
        errors.push({
          type: 'NOT_FOUND',
          path: [`pr${i}`, 'pullRequest'],
          message: `Could not resolve to a PullRequest with the number of ${String(variables[`number${i}`])}.`,
        });
    }
    return { status: 200, body: errors.length ? { data, errors } : { data } };
  };
}

describe('reading pull requests in batches', () => {
  it('reads by URL a hundred per query, each handle getting its own reading in the order given', async () => {
    const known = new Map<string, GraphQlPullRequest>(
      Array.from({ length: 103 }, (_, i) => [
        `acme/api#${i + 1}`,
        pullRequestNode({ number: i + 1 }, [checkRun('build')]),
      ]),
    );
    // Transferred: asked as acme/old-name, GitHub follows the rename and answers the new URL.
    known.set(
      'acme/old-name#5',
      pullRequestNode({ number: 5, repository: { nameWithOwner: 'acme/new-name' } }),
    );
    const { host, requests } = await github(answerByUrl(known));
    const handles = [
      ...Array.from({ length: 103 }, (_, i) => ({ url: `https://github.com/acme/api/pull/${i + 1}` })),
      { url: 'https://github.com/acme/api/pull/999' },
      { url: 'https://github.com/acme/deleted/pull/1' },
      { url: 'https://gitlab.com/acme/api/-/merge_requests/3' },
      { url: 'https://github.com/acme/api/issues/4' },
      { url: 'https://github.com/acme/old-name/pull/5' },
    ];

    const readings = await host.readPullRequests(handles);

    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /graphql',
      'POST /graphql',
    ]);
    expect(requests.map((request) => Object.keys(graphqlBody(request).variables).length / 3)).toEqual([
      100, 6,
    ]);
    expect(requests[0]?.headers.authorization).toBe(`token ${TOKEN}`);
    expect(readings).toHaveLength(handles.length);
    expect(readings[0]).toMatchObject({
      url: 'https://github.com/acme/api/pull/1',
      status: 'read',
      pullRequest: { number: 1, lifecycle: 'open', checks: { state: 'passing' }, mergeability: 'clean' },
    });
    expect(readings[102]).toMatchObject({ status: 'read', pullRequest: { number: 103 } });
    expect(
      readings.slice(103).map((reading) => [reading.status, 'reason' in reading ? reading.reason : '']),
    ).toEqual([
      ['unreadable', 'not-found'],
      ['unreadable', 'not-found'],
      ['unreadable', 'other-host'],
      ['unreadable', 'invalid-url'],
      ['transferred', ''],
    ]);
    expect(readings[103]).toMatchObject({
      detail: 'Could not resolve to a PullRequest with the number of 999.',
    });
    expect(readings[105]).toMatchObject({
      detail: expect.stringContaining('is on gitlab.com, not on github.com'),
    });
    expect(readings[107]).toMatchObject({ pullRequest: { url: 'https://github.com/acme/new-name/pull/5' } });
  });

  it('reads by node id once known; a vanished node or one of another type is that item’s reading', async () => {
    const { host, requests } = await github((request) => {
      const { variables } = graphqlBody(request);
      expect(variables).toEqual({ ids: ['PR_kwDO1', 'PR_gone', 'I_issue'] });
      return {
        status: 200,
        body: {
          data: { rateLimit: RATE, nodes: [pullRequestNode({ number: 1 }), null, { __typename: 'Issue' }] },
          errors: [
            {
              type: 'NOT_FOUND',
              path: ['nodes', 1],
              message: "Could not resolve to a node with the global id of 'PR_gone'",
            },
          ],
        },
      };
    });
    const readings = await host.readPullRequests([
      { url: 'https://github.com/acme/api/pull/1', nodeId: 'PR_kwDO1' },
      { url: 'https://github.com/acme/api/pull/2', nodeId: 'PR_gone' },
      { url: 'https://github.com/acme/api/pull/3', nodeId: 'I_issue' },
    ]);
    expect(requests).toHaveLength(1);
    expect(readings).toEqual([
      expect.objectContaining({
        status: 'read',
        pullRequest: expect.objectContaining({ nodeId: 'PR_kwDO1' }),
      }),
      {
        url: 'https://github.com/acme/api/pull/2',
        status: 'unreadable',
        reason: 'not-found',
        detail: "Could not resolve to a node with the global id of 'PR_gone'",
      },
      expect.objectContaining({
        status: 'unreadable',
        reason: 'not-found',
        detail: 'node I_issue is not a pull request (Issue)',
      }),
    ]);
    expect(host.lastRateLimit).toEqual(RATE);
  });

  it('an error about the whole query (no path) fails the batch with a typed error', async () => {
    const { host } = await github(() => ({
      status: 200,
      body: { data: null, errors: [{ message: "Field 'bogus' doesn't exist on type 'PullRequest'" }] },
    }));
    const failure = await host
      .readPullRequests([{ url: 'https://github.com/acme/api/pull/1' }])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CodeHostError);
    expect((failure as Error).message).toContain('reading pull requests by URL');
  });
});

describe("GitHub's limits and failures", () => {
  it('a 403 secondary rate limit is sat out for its retry-after, then retried', async () => {
    let calls = 0;
    const { host, lines, requests } = await github((request) =>
      ++calls === 1
        ? githubError(
            403,
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            {
              'retry-after': '3',
            },
          )
        : answerByUrl(new Map([['acme/api#1', pullRequestNode({ number: 1 })]]))(request),
    );
    const started = Date.now();
    const [reading] = await host.readPullRequests([{ url: 'https://github.com/acme/api/pull/1' }]);
    expect(reading?.status).toBe('read');
    expect(requests).toHaveLength(2);
    // retry-after 3 s at the test's 20 ms per second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(lines).toContainEqual({
      level: 'warn',
      message: 'GitHub secondary rate limit on POST /graphql',
      fields: { retryAfterSeconds: 3, retrying: true },
    });
  });

  it('a 5xx is retried with backoff; a 409 is an answer and is not', async () => {
    let calls = 0;
    const { host, requests } = await github((request) =>
      request.method === 'POST' && request.path.endsWith('/comments')
        ? ++calls < 3
          ? githubError(502, 'Server Error')
          : { status: 201, body: { id: 1, html_url: 'https://github.com/acme/api/pull/7#issuecomment-1' } }
        : githubError(409, 'Head branch was modified. Review and try the merge again.'),
    );
    expect(await host.comment({ url: 'https://github.com/acme/api/pull/7' }, 'Rebased on main.')).toEqual({
      url: 'https://github.com/acme/api/pull/7#issuecomment-1',
    });
    expect(requests.map((request) => request.body)).toEqual(Array(3).fill({ body: 'Rebased on main.' }));
    expect(
      await host.merge({ url: 'https://github.com/acme/api/pull/7' }, { sha: 'abc', methods: ['squash'] }),
    ).toEqual({
      status: 'head-moved',
      detail: 'Head branch was modified. Review and try the merge again.',
    });
    expect(requests).toHaveLength(4);
  });

  it('a 401 is one clear error naming GITHUB_TOKEN, tried once, with no token in it', async () => {
    const { host, requests } = await github(() => githubError(401, `Bad credentials for token ${TOKEN}`));
    const failure = await host.checkAccess().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CodeHostError);
    expect(failure).toMatchObject({ kind: 'unauthorized', retryable: false, details: { status: 401 } });
    expect((failure as Error).message).toMatch(
      /^GitHub refused the credentials while checking the GitHub credentials \(401 .*\): GITHUB_TOKEN is wrong, expired or revoked; create a new token/,
    );
    expect((failure as Error).message).not.toContain(TOKEN);
    expect(requests).toHaveLength(1);
  });

  it('an hourly budget spent until later is not waited for in-process: rate-limited, with when to come back', async () => {
    const reset = Math.floor(Date.now() / 1000) + 1800;
    const { host, requests } = await github(() =>
      githubError(403, 'API rate limit exceeded for installation ID 678.', {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      }),
    );
    const failure = await host.close({ url: 'https://github.com/acme/api/pull/7' }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'rate-limited', retryable: true });
    expect((failure as CodeHostError).details.retryAfterSeconds).toBeGreaterThan(1700);
    expect(requests).toHaveLength(1);
  });
});

describe('acting on one pull request', () => {
  it('decorating adds only what is missing, and a second pass changes nothing', async () => {
    const pr = {
      node_id: 'PR_kwDO7',
      state: 'open',
      draft: true,
      title: 'Upgrade Node to 22',
      body: 'Bumps the engines field.',
      user: { login: 'replicas-bot' },
      labels: [{ name: 'Dependencies' }],
      assignees: [] as { login: string }[],
      requested_reviewers: [{ login: 'alice' }],
      requested_teams: [] as { slug: string }[],
    };
    const { host, requests } = await github((request) => {
      const body = request.body as Record<string, unknown>;
      if (request.method === 'GET') return { status: 200, body: pr };
      if (request.path.endsWith('/labels'))
        pr.labels.push(...(body.labels as string[]).map((name) => ({ name })));
      if (request.path.endsWith('/assignees'))
        pr.assignees.push(...(body.assignees as string[]).map((login) => ({ login })));
      if (request.path.endsWith('/requested_reviewers')) {
        pr.requested_reviewers.push(...(body.reviewers as string[]).map((login) => ({ login })));
        pr.requested_teams.push(...(body.team_reviewers as string[]).map((slug) => ({ slug })));
      }
      if (request.method === 'PATCH') Object.assign(pr, body);
      if (request.path === '/graphql') {
        pr.draft = false;
        return {
          status: 200,
          body: { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } },
        };
      }
      return { status: 200, body: {} };
    });
    const decoration = {
      labels: ['dependencies', 'campaign:node-22'],
      reviewers: ['alice', 'bob', 'replicas-bot'],
      teamReviewers: ['platform'],
      assignees: ['carol'],
      titlePrefix: '[node-22] ',
      bodyFooter: '_Opened by campaign node-22._',
      draft: false,
    };
    const handle = { url: 'https://github.com/acme/api/pull/7' };

    expect(await host.decoratePullRequest(handle, decoration)).toEqual([
      'labels',
      'assignees',
      'reviewers',
      'teamReviewers',
      'titlePrefix',
      'bodyFooter',
      'draft',
    ]);
    const writes = requests.filter((request) => request.method !== 'GET');
    expect(writes.map((request) => [request.method, request.path, request.body])).toEqual([
      ['POST', '/repos/acme/api/issues/7/labels', { labels: ['campaign:node-22'] }],
      ['POST', '/repos/acme/api/issues/7/assignees', { assignees: ['carol'] }],
      [
        'POST',
        '/repos/acme/api/pulls/7/requested_reviewers',
        { reviewers: ['bob'], team_reviewers: ['platform'] },
      ],
      [
        'PATCH',
        '/repos/acme/api/pulls/7',
        {
          title: '[node-22] Upgrade Node to 22',
          body: 'Bumps the engines field.\n\n_Opened by campaign node-22._',
        },
      ],
      ['POST', '/graphql', expect.objectContaining({ variables: { id: 'PR_kwDO7' } })],
    ]);

    const before = requests.length;
    expect(await host.decoratePullRequest(handle, decoration)).toEqual([]);
    expect(requests.slice(before).map((request) => request.method)).toEqual(['GET']);
  });

  it('merging tries the next method when the repository does not allow one, passing the checked head', async () => {
    const { host, requests } = await github((request) =>
      (request.body as { merge_method: string }).merge_method === 'merge'
        ? githubError(405, 'Merge commits are not allowed on this repository.')
        : { status: 200, body: { sha: 'f00d', merged: true, message: 'Pull Request successfully merged' } },
    );
    expect(
      await host.merge(
        { url: 'https://github.com/acme/api/pull/7' },
        { sha: 'abc123', methods: ['merge', 'squash'] },
      ),
    ).toEqual({ status: 'merged', method: 'squash', sha: 'f00d' });
    expect(requests.map((request) => request.body)).toEqual([
      { sha: 'abc123', merge_method: 'merge' },
      { sha: 'abc123', merge_method: 'squash' },
    ]);
  });

  it('a pull request that cannot be merged is refused with GitHub’s reason', async () => {
    const { host } = await github(() => githubError(405, 'Pull Request is not mergeable'));
    expect(
      await host.merge(
        { url: 'https://github.com/acme/api/pull/7' },
        { sha: 'abc', methods: ['squash', 'rebase'] },
      ),
    ).toEqual({
      status: 'refused',
      detail: 'Pull Request is not mergeable',
    });
  });

  it('an action on a URL of another host fails before any request, naming the host', async () => {
    const { host, requests } = await github(() => ({ status: 200, body: {} }));
    await expect(host.close({ url: 'https://ghe.acme.corp/acme/api/pull/7' })).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('is on ghe.acme.corp, not on github.com'),
    });
    expect(requests).toHaveLength(0);
  });
});

describe('GitHub Enterprise Server', () => {
  it('REST goes under /api/v3 and GraphQL to /api/graphql on the same host', async () => {
    let url = '';
    server = await startLoopbackGitHub((request) =>
      request.path === '/api/graphql'
        ? answerByUrl(new Map([['acme/api#7', pullRequestNode({ number: 7, url })]]))(request)
        : { status: 201, body: { id: 1, html_url: `${url}#issuecomment-1` } },
    );
    const webHost = new URL(server.url).host;
    url = `http://${webHost}/acme/api/pull/7`;
    const host = createGitHubCodeHost({
      apiUrl: `${server.url}/api/v3`,
      webHost,
      credentials: { kind: 'token', token: TOKEN },
    });
    expect(await host.comment({ url }, 'Ready for review.')).toEqual({ url: `${url}#issuecomment-1` });
    expect(await host.readPullRequests([{ url }])).toEqual([
      expect.objectContaining({ status: 'read', pullRequest: expect.objectContaining({ url }) }),
    ]);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/v3/repos/acme/api/issues/7/comments',
      'POST /api/graphql',
    ]);
  });
});

describe('GitHub App credentials', () => {
  it('a JWT signed with the App key buys an installation token, which then authenticates the calls', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const installationToken = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
    const { host, requests } = await github(
      (request) =>
        request.path === '/app/installations/678/access_tokens'
          ? {
              status: 201,
              body: {
                token: installationToken,
                expires_at: new Date(Date.now() + 3_600_000).toISOString(),
                permissions: { pull_requests: 'write' },
                repository_selection: 'all',
              },
            }
          : { status: 200, body: { resources: { core: { limit: 5000, remaining: 4999 } } } },
      { kind: 'app', appId: 12345, installationId: 678, privateKey },
    );

    expect(await host.checkAccess()).toEqual({ limit: 5000, remaining: 4999 });

    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /app/installations/678/access_tokens',
      'GET /rate_limit',
    ]);
    const jwt = String(requests[0]?.headers.authorization).replace(/^bearer /i, '');
    const [header, claims, signature] = jwt.split('.') as [string, string, string];
    const verifier = createVerify('RSA-SHA256').update(`${header}.${claims}`);
    expect(verifier.verify(publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toMatchObject({ iss: 12345 });
    expect(requests[1]?.headers.authorization).toBe(`token ${installationToken}`);
  });
});
