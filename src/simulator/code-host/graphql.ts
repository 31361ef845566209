import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { CodeHostEngine } from './host';
import {
  headOf,
  mergeStateStatus,
  mergeable,
  nodeId,
  reviewDecision,
  rollupState,
  type HostCheckRun,
  type HostCommit,
  type HostPullRequest,
  type HostStatus,
} from './model';

type GraphqlModule = typeof import('graphql');

/**
 * `graphql` and GitHub's schema are development dependencies: they load on the first GraphQL request,
 * so the CLI of a production image (which bundles the simulator) starts without them.
 */
let loaded: { graphql: GraphqlModule; schema: GraphQLSchema } | undefined;

export async function githubSchema(): Promise<{ graphql: GraphqlModule; schema: GraphQLSchema }> {
  if (!loaded) {
    const graphql = await import('graphql');
    const sdl = readFileSync(schemaFile(), 'utf8');
    // The published schema defines one field of EnterpriseOwnerInfo twice; the SDL check would refuse
    // the whole document for it, while every query is still validated against the built schema.
    loaded = { graphql, schema: graphql.buildSchema(sdl, { assumeValidSDL: true }) };
  }
  return loaded;
}

/** The package exports only an ES module; its schema file is found where node would find the package. */
function schemaFile(): string {
  const relative = path.join('@octokit', 'graphql-schema', 'schema.graphql');
  for (const dir of require.resolve.paths('@octokit/graphql-schema') ?? []) {
    if (existsSync(path.join(dir, relative))) return path.join(dir, relative);
  }
  throw new Error('GitHub GraphQL schema not found: install the development dependencies (npm install)');
}

export interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface RateLimitView {
  limit: number;
  remaining: number;
  used: number;
  resetAt: string;
}

/**
 * Runs a query against GitHub's schema: parse and validate first (GitHub answers an invalid query
 * with `errors` and no `data`), then execute with resolvers over the code host's state. Every field
 * the sim answers therefore exists in GitHub's schema, with GitHub's types and nullability.
 */
export async function executeGraphql(
  engine: CodeHostEngine,
  request: GraphqlRequest,
  rate: () => RateLimitView,
): Promise<{ body: unknown; rootFields: string[] }> {
  const { graphql, schema } = await githubSchema();
  let document: DocumentNode;
  try {
    document = graphql.parse(request.query);
  } catch (error) {
    return { body: { errors: [{ message: (error as Error).message }] }, rootFields: [] };
  }
  const problems = graphql.validate(schema, document);
  if (problems.length) return { body: { errors: problems.map((p) => p.toJSON()) }, rootFields: [] };
  const rootFields = rootFieldsOf(graphql, document);
  const result = await graphql.execute({
    schema,
    document,
    rootValue: rootValue(engine, rate),
    variableValues: request.variables,
    operationName: request.operationName,
    typeResolver: (value) => (value as { __typename?: string }).__typename,
  });
  const body: Record<string, unknown> = { data: result.data ?? null };
  if (result.errors?.length) body.errors = result.errors.map((e) => e.toJSON());
  return { body, rootFields };
}

/** e.g. `query repository.pullRequest`, `query nodes`, `mutation markPullRequestReadyForReview`. */
function rootFieldsOf(graphql: GraphqlModule, document: DocumentNode): string[] {
  const found = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind !== graphql.Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== graphql.Kind.FIELD) continue;
      const inner = selection.name.value === 'repository' ? '.pullRequest' : '';
      found.add(`${definition.operation} ${selection.name.value}${inner}`);
    }
  }
  return [...found];
}

function rootValue(engine: CodeHostEngine, rate: () => RateLimitView) {
  const pr = (found: HostPullRequest | undefined) => (found ? pullRequestNode(engine, found) : null);
  return {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repository = engine.repository(`${owner}/${name}`);
      if (!repository) throw new Error(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return {
        ...repositoryNode(engine, repository.fullName),
        pullRequest: ({ number }: { number: number }) => {
          const found = engine.pullRequest(repository.fullName, number);
          if (!found) throw new Error(`Could not resolve to a PullRequest with the number of ${number}.`);
          return pr(found);
        },
      };
    },
    node: ({ id }: { id: string }) => pr(engine.byNodeId(id)),
    nodes: ({ ids }: { ids: string[] }) => {
      if (ids.length > 100) throw new Error('You may not request more than 100 nodes at once.');
      return ids.map((id) => pr(engine.byNodeId(id)));
    },
    rateLimit: () => ({ cost: 1, nodeCount: 1, ...rate() }),
    markPullRequestReadyForReview: ({
      input,
    }: {
      input: { pullRequestId: string; clientMutationId?: string };
    }) => {
      const found = engine.byNodeId(input.pullRequestId);
      if (!found)
        throw new Error(`Could not resolve to a node with the global id of '${input.pullRequestId}'`);
      engine.markReady(found, 'replicas-agent[bot]');
      return { clientMutationId: input.clientMutationId ?? null, pullRequest: pr(found) };
    },
  };
}

function repositoryNode(engine: CodeHostEngine, fullName: string) {
  const repository = engine.repository(fullName);
  if (!repository) return null;
  return {
    __typename: 'Repository',
    id: nodeId('R', repository.id),
    databaseId: repository.id,
    name: repository.name,
    nameWithOwner: repository.fullName,
    url: `${engine.urls.web}/${repository.fullName}`,
    owner: { __typename: 'Organization', login: repository.owner, id: nodeId('U', repository.id) },
    isPrivate: true,
    isArchived: false,
  };
}

const upper = <T extends string>(value: T) => value.toUpperCase() as Uppercase<T>;

function pullRequestNode(engine: CodeHostEngine, pr: HostPullRequest) {
  const url = `${engine.urls.web}/${pr.repository.fullName}/pull/${pr.number}`;
  const head = headOf(pr);
  return {
    __typename: 'PullRequest',
    id: nodeId('PR', pr.id),
    databaseId: pr.id,
    number: pr.number,
    url,
    permalink: url,
    resourcePath: new URL(url).pathname,
    title: pr.title,
    body: pr.body ?? '',
    state: pr.merged ? 'MERGED' : upper(pr.state),
    closed: pr.state === 'closed',
    isDraft: pr.draft,
    merged: pr.merged,
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    mergedAt: pr.mergedAt,
    closedAt: pr.closedAt,
    headRefName: pr.headRef,
    headRefOid: head.sha,
    baseRefName: pr.baseRef,
    baseRefOid: pr.baseSha,
    mergeable: mergeable(pr),
    mergeStateStatus: mergeStateStatus(pr),
    reviewDecision: reviewDecision(pr),
    additions: 12 * pr.commits.length,
    deletions: 3 * pr.commits.length,
    changedFiles: 1,
    author: { __typename: 'Bot', login: 'replicas-agent', url: `${engine.urls.web}/apps/replicas-agent` },
    repository: repositoryNode(engine, pr.repository.fullName),
    commits: ({ first, last }: { first?: number; last?: number }) => {
      const all = pr.commits;
      const nodes = last !== undefined ? all.slice(-last) : all.slice(0, first ?? all.length);
      return {
        totalCount: all.length,
        nodes: nodes.map((commit) => ({
          __typename: 'PullRequestCommit',
          id: nodeId('CS', commit.suiteId),
          url: `${url}/commits/${commit.sha}`,
          commit: commitNode(engine, pr, commit),
        })),
      };
    },
  };
}

function commitNode(engine: CodeHostEngine, pr: HostPullRequest, commit: HostCommit) {
  const contexts = [
    ...commit.checkRuns.map((run) => checkRunNode(engine, pr, run)),
    ...commit.statuses.map((status) => statusContextNode(engine, pr, status)),
  ];
  return {
    __typename: 'Commit',
    id: nodeId('CS', commit.suiteId),
    oid: commit.sha,
    abbreviatedOid: commit.sha.slice(0, 7),
    message: commit.message,
    committedDate: commit.createdAt,
    url: `${engine.urls.web}/${pr.repository.fullName}/commit/${commit.sha}`,
    statusCheckRollup: contexts.length
      ? {
          __typename: 'StatusCheckRollup',
          id: nodeId('CS', commit.suiteId),
          state: rollupState(commit),
          contexts: ({ first, last }: { first?: number; last?: number }) => ({
            totalCount: contexts.length,
            nodes: last !== undefined ? contexts.slice(-last) : contexts.slice(0, first ?? contexts.length),
          }),
        }
      : null,
  };
}

function checkRunNode(engine: CodeHostEngine, pr: HostPullRequest, run: HostCheckRun) {
  const url = `${engine.urls.web}/${pr.repository.fullName}/runs/${run.id}`;
  return {
    __typename: 'CheckRun',
    id: nodeId('CR', run.id),
    databaseId: run.id,
    name: run.name,
    status: upper(run.status),
    conclusion: run.conclusion ? upper(run.conclusion) : null,
    startedAt: run.startedAt,
    completedAt: run.completedAt,
    detailsUrl: `${engine.urls.web}/${pr.repository.fullName}/actions/runs/${run.id}`,
    title: run.conclusion ? `${run.name}: ${run.conclusion}` : null,
    summary: run.conclusion === 'failure' ? `${run.name} failed` : null,
    text: null,
    url,
    permalink: url,
    isRequired: () => true,
  };
}

function statusContextNode(engine: CodeHostEngine, pr: HostPullRequest, status: HostStatus) {
  return {
    __typename: 'StatusContext',
    id: nodeId('SC', status.id),
    context: status.context,
    state: upper(status.state),
    targetUrl: `${engine.urls.web}/${pr.repository.fullName}/actions/runs/${status.id}`,
    description: status.description,
    createdAt: status.createdAt,
    isRequired: () => true,
  };
}
