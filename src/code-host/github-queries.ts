/**
 * Every GraphQL document the GitHub adapter sends. Each is validated against GitHub's published schema
 * in the tests, so a field GitHub does not have fails there rather than in a campaign.
 */

/** GitHub refuses a `nodes(ids:)` list longer than this, and a batch this size stays well under the cost cap. */
export const READ_BATCH = 100;

/** How many checks of one head commit are read; a commit with more reports the first hundred. */
export const CHECKS_PER_COMMIT = 100;

const PULL_REQUEST_FIELDS = `
fragment PullRequestFields on PullRequest {
  id
  number
  url
  state
  isDraft
  merged
  createdAt
  updatedAt
  mergedAt
  closedAt
  headRefName
  headRefOid
  baseRefName
  mergeable
  mergeStateStatus
  reviewDecision
  repository { nameWithOwner }
  commits(last: 1) {
    nodes {
      commit {
        oid
        statusCheckRollup {
          state
          contexts(first: ${CHECKS_PER_COMMIT}) {
            totalCount
            nodes {
              __typename
              ... on CheckRun { name status conclusion startedAt completedAt detailsUrl }
              ... on StatusContext { context state targetUrl createdAt }
            }
          }
        }
      }
    }
  }
}`;

const RATE_LIMIT = 'rateLimit { cost remaining resetAt }';

/** The alias of the `i`th pull request of a by-URL batch; the answer and its errors are keyed by it. */
export const urlAlias = (index: number) => `pr${index}`;

/**
 * One query reading up to `READ_BATCH` pull requests by repository and number (their first read, from
 * the URL). Owner, name and number are variables, never spliced into the text.
 */
export function pullRequestsByUrlQuery(count: number): string {
  const variables: string[] = [];
  const selections: string[] = [];
  for (let i = 0; i < count; i++) {
    variables.push(`$owner${i}: String!, $name${i}: String!, $number${i}: Int!`);
    selections.push(
      `  ${urlAlias(i)}: repository(owner: $owner${i}, name: $name${i}) { pullRequest(number: $number${i}) { ...PullRequestFields } }`,
    );
  }
  return `query ReadPullRequestsByUrl(${variables.join(', ')}) {
  ${RATE_LIMIT}
${selections.join('\n')}
}
${PULL_REQUEST_FIELDS}`;
}

export function pullRequestsByUrlVariables(
  targets: readonly { owner: string; name: string; number: number }[],
): Record<string, string | number> {
  const variables: Record<string, string | number> = {};
  targets.forEach((target, i) => {
    variables[`owner${i}`] = target.owner;
    variables[`name${i}`] = target.name;
    variables[`number${i}`] = target.number;
  });
  return variables;
}

/** Later reads, by node id: they follow a pull request through a renamed or transferred repository. */
export const PULL_REQUESTS_BY_ID = `query ReadPullRequestsById($ids: [ID!]!) {
  ${RATE_LIMIT}
  nodes(ids: $ids) { __typename ...PullRequestFields }
}
${PULL_REQUEST_FIELDS}`;

/** What the REST pull request answer lacks for the draft switch: GitHub offers it in GraphQL only. */
export const MARK_READY = `mutation MarkReady($id: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } }
}`;

export const CONVERT_TO_DRAFT = `mutation ConvertToDraft($id: ID!) {
  convertPullRequestToDraft(input: { pullRequestId: $id }) { pullRequest { isDraft } }
}`;

/** Every document above, named, for the schema validation test. */
export function allDocuments(): Record<string, string> {
  return {
    byUrlOne: pullRequestsByUrlQuery(1),
    byUrlFull: pullRequestsByUrlQuery(READ_BATCH),
    byId: PULL_REQUESTS_BY_ID,
    markReady: MARK_READY,
    convertToDraft: CONVERT_TO_DRAFT,
  };
}
