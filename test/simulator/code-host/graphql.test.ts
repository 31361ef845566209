import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import { startCodeHostHarness, type CodeHostHarness } from './harness';

// assumeValidSDL: the published schema defines EnterpriseOwnerInfo.repositoryDeployKeySetting twice.
const schema = buildSchema(
  readFileSync(join(__dirname, '../../../node_modules/@octokit/graphql-schema/schema.graphql'), 'utf8'),
  { assumeValidSDL: true },
);

/** The fields the client reads of a PR (docs: the GitHub surface), as one fragment. */
const PR_FIELDS = `
fragment PullRequestState on PullRequest {
  id number url state isDraft merged createdAt mergedAt closedAt updatedAt
  headRefName headRefOid baseRefName mergeable mergeStateStatus reviewDecision
  repository { nameWithOwner }
  commits(last: 1) { nodes { commit { oid statusCheckRollup { state contexts(first: 100) { nodes {
    __typename
    ... on CheckRun { name status conclusion completedAt detailsUrl title summary }
    ... on StatusContext { context state targetUrl description createdAt }
  } } } } } }
}`;

const BY_NUMBER = `query ($owner: String!, $name: String!, $first: Int!, $second: Int!) {
  a: repository(owner: $owner, name: $name) { pullRequest(number: $first) { ...PullRequestState } }
  b: repository(owner: $owner, name: $name) { pullRequest(number: $second) { ...PullRequestState } }
  rateLimit { cost remaining resetAt }
}
${PR_FIELDS}`;

const BY_NODE_IDS = `query ($ids: [ID!]!) {
  nodes(ids: $ids) { ... on PullRequest { ...PullRequestState } }
  rateLimit { cost remaining resetAt }
}
${PR_FIELDS}`;

const BY_NODE_ID = `query ($id: ID!) { node(id: $id) { __typename ... on PullRequest { number isDraft } } }`;

const READY = `mutation ($id: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { id isDraft } }
}`;

interface PrState {
  id: string;
  number: number;
  url: string;
  state: string;
  headRefOid: string;
  mergeStateStatus: string;
  reviewDecision: string | null;
  repository: { nameWithOwner: string };
  commits: {
    nodes: {
      commit: {
        oid: string;
        statusCheckRollup: { state: string; contexts: { nodes: Record<string, unknown>[] } } | null;
      };
    }[];
  };
}

let h: CodeHostHarness;
beforeAll(async () => {
  h = await startCodeHostHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the code host answers GraphQL queries by GitHub’s schema', () => {
  it('reads PRs by aliases over repository.pullRequest, then by nodes(ids:), with the rollup of the head commit', async () => {
    // The query shapes themselves are GitHub's: valid against @octokit/graphql-schema before they run.
    for (const query of [BY_NUMBER, BY_NODE_IDS, BY_NODE_ID, READY]) {
      expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
    }
    const [one, two] = [await h.openPullRequest(), await h.openPullRequest()];
    const vars = { owner: 'acme', name: 'api', first: one.number, second: two.number };
    let answer = await h.graphql(BY_NUMBER, vars);
    await eventually(
      async () => {
        answer = await h.graphql(BY_NUMBER, vars);
        const data = answer.body.data as { a: { pullRequest: PrState } } | null;
        return data?.a.pullRequest.commits.nodes[0]?.commit.statusCheckRollup?.state === 'SUCCESS';
      },
      5000,
      () => answer.body,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const data = answer.body.data as {
      a: { pullRequest: PrState };
      b: { pullRequest: PrState };
      rateLimit: { cost: number; remaining: number; resetAt: string };
    };
    const a = data.a.pullRequest;
    expect(a).toMatchObject({
      number: one.number,
      url: one.url,
      state: 'OPEN',
      isDraft: false,
      merged: false,
      mergeable: 'MERGEABLE',
      mergeStateStatus: 'CLEAN',
      reviewDecision: 'REVIEW_REQUIRED',
      repository: { nameWithOwner: 'acme/api' },
    });
    expect(a.id).toMatch(/^PR_kw/);
    expect(a.headRefOid).toBe(a.commits.nodes[0]?.commit.oid);
    const contexts = a.commits.nodes[0]?.commit.statusCheckRollup?.contexts.nodes ?? [];
    expect(contexts).toEqual([
      expect.objectContaining({
        __typename: 'CheckRun',
        name: 'build',
        status: 'COMPLETED',
        conclusion: 'SUCCESS',
      }),
      expect.objectContaining({
        __typename: 'CheckRun',
        name: 'test',
        status: 'COMPLETED',
        conclusion: 'SUCCESS',
      }),
      expect.objectContaining({ __typename: 'StatusContext', context: 'ci/lint', state: 'SUCCESS' }),
    ]);
    expect(data.b.pullRequest.number).toBe(two.number);
    expect(data.rateLimit.cost).toBe(1);
    expect(data.rateLimit.remaining).toBeLessThan(5000);
    expect(Number(answer.headers.get('x-ratelimit-remaining'))).toBe(data.rateLimit.remaining);
    expect(answer.headers.get('x-ratelimit-resource')).toBe('graphql');

    const byIds = await h.graphql(BY_NODE_IDS, { ids: [data.b.pullRequest.id, a.id, 'PR_kwDOunknown'] });
    expect(byIds.body.errors).toBeUndefined();
    const nodes = (byIds.body.data as { nodes: (PrState | null)[] }).nodes;
    expect(nodes.map((n) => n?.number ?? null)).toEqual([two.number, one.number, null]);

    const single = await h.graphql(BY_NODE_ID, { id: a.id });
    expect(single.body.data).toEqual({
      node: { __typename: 'PullRequest', number: one.number, isDraft: false },
    });
  });

  it('marks a draft ready for review with the mutation, which sends pull_request.ready_for_review', async () => {
    h.sim.configure({ codeHost: { draftRate: 1 } });
    const pr = await h.openPullRequest();
    h.sim.configure({ codeHost: { draftRate: 0 } });
    const read = await h.graphql(BY_NUMBER, {
      owner: 'acme',
      name: 'api',
      first: pr.number,
      second: pr.number,
    });
    const draft = (read.body.data as { a: { pullRequest: PrState & { isDraft: boolean } } }).a.pullRequest;
    expect(draft).toMatchObject({ isDraft: true, mergeStateStatus: 'DRAFT' });

    const ready = await h.graphql(READY, { id: draft.id });
    expect(ready.body.errors).toBeUndefined();
    expect(ready.body.data).toEqual({
      markPullRequestReadyForReview: { pullRequest: { id: draft.id, isDraft: false } },
    });
    const hook = await h.hooks.next(
      (d) =>
        d.headers['x-github-event'] === 'pull_request' &&
        (d.body as { action?: string; number?: number }).action === 'ready_for_review' &&
        (d.body as { number?: number }).number === pr.number,
    );
    expect((hook.body as { pull_request: { draft: boolean } }).pull_request.draft).toBe(false);
  });

  it('answers a query naming a field GitHub lacks with errors and no data, as GitHub does', async () => {
    const answer = await h.graphql(
      'query { repository(owner: "acme", name: "api") { pullRequest(number: 1) { notAField } } }',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeUndefined();
    const errors = answer.body.errors as { message: string }[];
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/Cannot query field "notAField" on type "PullRequest"/),
    ]);
  });
});
