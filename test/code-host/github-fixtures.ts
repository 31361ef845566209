import type {
  GraphQlCheckRun,
  GraphQlPullRequest,
  GraphQlStatusContext,
} from '../../src/code-host/github-mapping';

/**
 * GraphQL answers in the shape GitHub's schema gives `PullRequestFields` (enum values, nullability and
 * field names as in @octokit/graphql-schema), built per test from a few overrides.
 */
export function checkRun(name: string, fields: Partial<GraphQlCheckRun> = {}): GraphQlCheckRun {
  return {
    __typename: 'CheckRun',
    name,
    status: 'COMPLETED',
    conclusion: 'SUCCESS',
    startedAt: '2026-05-01T10:00:00Z',
    completedAt: '2026-05-01T10:05:00Z',
    detailsUrl: `https://github.com/acme/api/actions/runs/1/job/${name}`,
    ...fields,
  };
}

export function statusContext(
  context: string,
  fields: Partial<GraphQlStatusContext> = {},
): GraphQlStatusContext {
  return {
    __typename: 'StatusContext',
    context,
    state: 'SUCCESS',
    targetUrl: `https://ci.example.com/${context}`,
    createdAt: '2026-05-01T10:00:00Z',
    ...fields,
  };
}

export function pullRequestNode(
  fields: Partial<GraphQlPullRequest> & { repository?: { nameWithOwner: string } } = {},
  contexts: (GraphQlCheckRun | GraphQlStatusContext)[] = [checkRun('build')],
): GraphQlPullRequest {
  const nameWithOwner = fields.repository?.nameWithOwner ?? 'acme/api';
  const number = fields.number ?? 7;
  const headRefOid = fields.headRefOid ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  return {
    __typename: 'PullRequest',
    id: `PR_kwDO${number}`,
    number,
    url: `https://github.com/${nameWithOwner}/pull/${number}`,
    state: 'OPEN',
    isDraft: false,
    merged: false,
    createdAt: '2026-05-01T09:00:00Z',
    updatedAt: '2026-05-01T10:05:00Z',
    mergedAt: null,
    closedAt: null,
    headRefName: 'replica/upgrade-node',
    headRefOid,
    baseRefName: 'main',
    mergeable: 'MERGEABLE',
    mergeStateStatus: 'CLEAN',
    reviewDecision: null,
    repository: { nameWithOwner },
    commits: {
      nodes: [
        {
          commit: {
            oid: headRefOid,
            statusCheckRollup: contexts.length
              ? { state: 'SUCCESS', contexts: { totalCount: contexts.length, nodes: contexts } }
              : null,
          },
        },
      ],
    },
    ...fields,
  };
}
