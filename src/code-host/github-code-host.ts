import { GraphqlResponseError } from '@octokit/graphql';
import type {
  CodeHost,
  DecorationChange,
  MergeOutcome,
  MergeRequest,
  PullRequestDecoration,
  PullRequestHandle,
  PullRequestReading,
  UnreadableReason,
} from '../contracts';
import type { CodeHostConfig } from '../config/code-host-config';
import { CodeHostError, toCodeHostError } from './errors';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './github-client';
import { toPullRequestState, type GraphQlPullRequest } from './github-mapping';
import {
  CONVERT_TO_DRAFT,
  MARK_READY,
  PULL_REQUESTS_BY_ID,
  pullRequestsByUrlQuery,
  pullRequestsByUrlVariables,
  READ_BATCH,
  urlAlias,
} from './github-queries';
import { createWebhookVerifier } from './github-webhooks';

/** A pull request URL of this host, taken apart. */
interface PullRequestAddress {
  owner: string;
  name: string;
  number: number;
}

const PULL_PATH = /^\/([^/]+)\/([^/]+)\/pull\/(\d+)\/?$/;

type Addressing =
  { ok: true; address: PullRequestAddress } | { ok: false; reason: UnreadableReason; detail: string };

/** The one reading of a PR URL: this host's, and `/OWNER/REPO/pull/NUMBER`. */
function addressOf(url: string, webHost: string): Addressing {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'invalid-url', detail: `${url} is not a URL` };
  }
  if (parsed.host.toLowerCase() !== webHost.toLowerCase())
    return {
      ok: false,
      reason: 'other-host',
      detail: `${url} is on ${parsed.host}, not on ${webHost} (the host GITHUB_API_URL names)`,
    };
  const match = PULL_PATH.exec(parsed.pathname);
  if (!match?.[1] || !match[2] || !match[3])
    return {
      ok: false,
      reason: 'invalid-url',
      detail: `${url} is not a pull request URL (…/OWNER/REPO/pull/NUMBER)`,
    };
  return { ok: true, address: { owner: match[1], name: match[2], number: Number(match[3]) } };
}

/** Slices of at most `READ_BATCH`: one GraphQL query each. */
function batches<T>(items: readonly T[]): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += READ_BATCH)
    slices.push(items.slice(start, start + READ_BATCH));
  return slices;
}

const sameUrl = (a: string, b: string) =>
  a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

interface GraphQlError {
  type?: string;
  path?: (string | number)[];
  message: string;
}

/** The answer of a batch read, with the per-item errors GitHub returns beside partial data. */
interface BatchAnswer {
  data: Record<string, unknown>;
  errors: GraphQlError[];
}

const REASON_BY_TYPE: Record<string, UnreadableReason> = { NOT_FOUND: 'not-found', FORBIDDEN: 'forbidden' };

/** REST pull request fields the decorations read. */
interface RestPullRequest {
  node_id: string;
  state: 'open' | 'closed';
  merged?: boolean;
  draft?: boolean;
  title: string;
  body: string | null;
  user: { login: string } | null;
  labels: { name: string }[];
  assignees: { login: string }[] | null;
  requested_reviewers: { login: string }[] | null;
  requested_teams: { slug: string }[] | null;
}

const missing = (wanted: readonly string[] | undefined, present: readonly string[]) => {
  const have = new Set(present.map((value) => value.toLowerCase()));
  return [...new Set(wanted ?? [])].filter((value) => !have.has(value.toLowerCase()));
};

export class GitHubCodeHost implements CodeHost {
  readonly verifyWebhook: CodeHost['verifyWebhook'];
  /** GitHub's account of the last batch read: its cost in points and what is left of the hour's budget. */
  lastRateLimit: { cost: number; remaining: number; resetAt: string } | undefined;

  constructor(
    private readonly config: CodeHostConfig,
    private readonly client: GitHubClient,
  ) {
    this.verifyWebhook = createWebhookVerifier(config.webhookSecret);
  }

  /**
   * Checks the credentials with one call that costs no rate limit (`GET /rate_limit`), so wrong ones
   * stop the worker at start with the variable to fix instead of failing every item later.
   */
  async checkAccess(): Promise<{ remaining: number; limit: number }> {
    const answer = await this.call('checking the GitHub credentials', () =>
      this.client.request('GET /rate_limit'),
    );
    return { remaining: answer.data.resources.core.remaining, limit: answer.data.resources.core.limit };
  }

  async readPullRequests(handles: readonly PullRequestHandle[]): Promise<PullRequestReading[]> {
    const readings = new Map<number, PullRequestReading>();
    const byUrl: { index: number; address: PullRequestAddress }[] = [];
    const byId: { index: number; nodeId: string }[] = [];
    handles.forEach((handle, index) => {
      const addressing = addressOf(handle.url, this.config.webHost);
      if (!addressing.ok)
        readings.set(index, {
          url: handle.url,
          status: 'unreadable',
          reason: addressing.reason,
          detail: addressing.detail,
        });
      else if (handle.nodeId) byId.push({ index, nodeId: handle.nodeId });
      else byUrl.push({ index, address: addressing.address });
    });

    for (const batch of batches(byUrl)) {
      const answer = await this.batch(
        'reading pull requests by URL',
        pullRequestsByUrlQuery(batch.length),
        pullRequestsByUrlVariables(batch.map((item) => item.address)),
      );
      batch.forEach((item, i) => {
        const alias = urlAlias(i);
        const found = (answer.data[alias] as { pullRequest?: GraphQlPullRequest | null } | null)?.pullRequest;
        readings.set(
          item.index,
          this.reading(handles[item.index] as PullRequestHandle, found, answer, alias),
        );
      });
    }

    for (const batch of batches(byId)) {
      const answer = await this.batch('reading pull requests by id', PULL_REQUESTS_BY_ID, {
        ids: batch.map((item) => item.nodeId),
      });
      const nodes = (answer.data.nodes ?? []) as (GraphQlPullRequest | null)[];
      batch.forEach((item, i) => {
        const node = nodes[i];
        const handle = handles[item.index] as PullRequestHandle;
        const reading: PullRequestReading =
          node && node.__typename !== 'PullRequest'
            ? {
                url: handle.url,
                status: 'unreadable',
                reason: 'not-found',
                detail: `node ${item.nodeId} is not a pull request (${String(node.__typename)})`,
              }
            : this.reading(handle, node, answer, 'nodes', i);
        readings.set(item.index, reading);
      });
    }

    return handles.map((_, index) => readings.get(index) as PullRequestReading);
  }

  /** One item of a batch: its state, or why GitHub gave none (the error whose path names it). */
  private reading(
    handle: PullRequestHandle,
    found: GraphQlPullRequest | null | undefined,
    answer: BatchAnswer,
    ...path: (string | number)[]
  ): PullRequestReading {
    if (found) {
      const pullRequest = toPullRequestState(found);
      return {
        url: handle.url,
        status: sameUrl(pullRequest.url, handle.url) ? 'read' : 'transferred',
        pullRequest,
      };
    }
    const error = answer.errors.find((candidate) => path.every((part, i) => candidate.path?.[i] === part));
    const reason = REASON_BY_TYPE[error?.type ?? ''] ?? 'not-found';
    return {
      url: handle.url,
      status: 'unreadable',
      reason,
      detail: error?.message ?? `${handle.url} was not found (deleted, or hidden from these credentials)`,
    };
  }

  /** A batched read; GitHub's per-item errors come back with the partial data, not as a failure. */
  private async batch(
    doing: string,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<BatchAnswer> {
    try {
      const data = await this.client.graphqlRead<Record<string, unknown>>(query, variables);
      this.noteCost(data);
      return { data, errors: [] };
    } catch (error) {
      if (error instanceof GraphqlResponseError && error.data) {
        const errors = (error.errors ?? []) as GraphQlError[];
        // Errors without a path (a malformed query, an exhausted limit) concern the whole batch.
        if (errors.every((item) => item.path?.length)) {
          const data = error.data as Record<string, unknown>;
          this.noteCost(data);
          return { data, errors };
        }
      }
      throw toCodeHostError(error, doing, this.client.redactor, this.client.credentialsFix);
    }
  }

  private noteCost(data: Record<string, unknown>): void {
    this.lastRateLimit = (data.rateLimit as typeof this.lastRateLimit) ?? this.lastRateLimit;
  }

  async decoratePullRequest(
    handle: PullRequestHandle,
    decoration: PullRequestDecoration,
  ): Promise<DecorationChange[]> {
    const address = this.address(handle);
    const where = { owner: address.owner, repo: address.name };
    const doing = `decorating ${handle.url}`;
    const pr = await this.pull(address, doing);
    const changes: DecorationChange[] = [];

    const labels = missing(
      decoration.labels,
      pr.labels.map((label) => label.name),
    );
    if (labels.length) {
      await this.call(doing, () =>
        this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
          ...where,
          issue_number: address.number,
          labels,
        }),
      );
      changes.push('labels');
    }

    const assignees = missing(
      decoration.assignees,
      (pr.assignees ?? []).map((user) => user.login),
    );
    if (assignees.length) {
      await this.call(doing, () =>
        this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/assignees', {
          ...where,
          issue_number: address.number,
          assignees,
        }),
      );
      changes.push('assignees');
    }

    // GitHub refuses to request a review from the author (422), so the author is never asked.
    const author = pr.user?.login ? [pr.user.login] : [];
    const reviewers = missing(decoration.reviewers, [
      ...(pr.requested_reviewers ?? []).map((user) => user.login),
      ...author,
    ]);
    const teams = missing(
      decoration.teamReviewers,
      (pr.requested_teams ?? []).map((team) => team.slug),
    );
    if (reviewers.length || teams.length) {
      await this.call(doing, () =>
        this.client.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
          ...where,
          pull_number: address.number,
          reviewers,
          team_reviewers: teams,
        }),
      );
      if (reviewers.length) changes.push('reviewers');
      if (teams.length) changes.push('teamReviewers');
    }

    const edit: { title?: string; body?: string } = {};
    if (decoration.titlePrefix && !pr.title.startsWith(decoration.titlePrefix))
      edit.title = `${decoration.titlePrefix}${pr.title}`;
    const body = pr.body ?? '';
    if (decoration.bodyFooter && !body.includes(decoration.bodyFooter))
      edit.body = body ? `${body.replace(/\s+$/, '')}\n\n${decoration.bodyFooter}` : decoration.bodyFooter;
    if (edit.title !== undefined || edit.body !== undefined) {
      await this.call(doing, () =>
        this.client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
          ...where,
          pull_number: address.number,
          ...edit,
        }),
      );
      if (edit.title !== undefined) changes.push('titlePrefix');
      if (edit.body !== undefined) changes.push('bodyFooter');
    }

    if (decoration.draft !== undefined && pr.state === 'open' && decoration.draft !== Boolean(pr.draft)) {
      await this.mutate(doing, decoration.draft ? CONVERT_TO_DRAFT : MARK_READY, pr.node_id);
      changes.push('draft');
    }
    return changes;
  }

  async markReady(handle: PullRequestHandle): Promise<void> {
    const doing = `marking ${handle.url} ready for review`;
    const pr = await this.pull(this.address(handle), doing);
    if (pr.draft && pr.state === 'open') await this.mutate(doing, MARK_READY, pr.node_id);
  }

  async comment(handle: PullRequestHandle, body: string): Promise<{ url: string }> {
    const address = this.address(handle);
    const answer = await this.call(`commenting on ${handle.url}`, () =>
      this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: address.owner,
        repo: address.name,
        issue_number: address.number,
        body,
      }),
    );
    return { url: answer.data.html_url };
  }

  async merged(handle: PullRequestHandle): Promise<boolean> {
    const pr = await this.pull(this.address(handle), `reading ${handle.url}`);
    return Boolean(pr.merged);
  }

  async hasComment(handle: PullRequestHandle, marker: string): Promise<boolean> {
    const address = this.address(handle);
    for (let page = 1; ; page += 1) {
      const answer = await this.call(`reading the comments of ${handle.url}`, () =>
        this.client.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: address.owner,
          repo: address.name,
          issue_number: address.number,
          per_page: 100,
          page,
        }),
      );
      if (answer.data.some((comment) => comment.body?.includes(marker))) return true;
      if (answer.data.length < 100) return false;
    }
  }

  async close(handle: PullRequestHandle): Promise<void> {
    const address = this.address(handle);
    await this.call(`closing ${handle.url}`, () =>
      this.client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner: address.owner,
        repo: address.name,
        pull_number: address.number,
        state: 'closed',
      }),
    );
  }

  /**
   * Merges only the head that was checked. A method the repository does not allow (405 "… not allowed")
   * moves on to the next; any other refusal is the answer.
   */
  async merge(handle: PullRequestHandle, request: MergeRequest): Promise<MergeOutcome> {
    const address = this.address(handle);
    const refusals: string[] = [];
    for (const method of request.methods) {
      try {
        const answer = await this.client.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
          owner: address.owner,
          repo: address.name,
          pull_number: address.number,
          sha: request.sha,
          merge_method: method,
        });
        return { status: 'merged', method, sha: answer.data.sha };
      } catch (error) {
        const status = (error as { status?: number }).status;
        const said = this.client.redactor.text(
          (
            (error as { response?: { data?: { message?: string } } }).response?.data?.message ?? String(error)
          ).trim(),
        );
        if (status === 409) return { status: 'head-moved', detail: said };
        if (status === 405 && /not allowed/i.test(said)) {
          refusals.push(`${method}: ${said}`);
          continue;
        }
        if (status === 405 || status === 422) return { status: 'refused', detail: said };
        throw toCodeHostError(
          error,
          `merging ${handle.url}`,
          this.client.redactor,
          this.client.credentialsFix,
        );
      }
    }
    return {
      status: 'refused',
      detail: refusals.length ? refusals.join('; ') : 'no merge method was given',
    };
  }

  private address(handle: PullRequestHandle): PullRequestAddress {
    const addressing = addressOf(handle.url, this.config.webHost);
    if (!addressing.ok) throw new CodeHostError('invalid', addressing.detail);
    return addressing.address;
  }

  private async pull(address: PullRequestAddress, doing: string): Promise<RestPullRequest> {
    const answer = await this.call(doing, () =>
      this.client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner: address.owner,
        repo: address.name,
        pull_number: address.number,
      }),
    );
    return answer.data as RestPullRequest;
  }

  private async mutate(doing: string, mutation: string, id: string): Promise<void> {
    await this.call(doing, () => this.client.graphql(mutation, { id }));
  }

  /** Every REST or GraphQL action goes through here: one translation of failures, redacted. */
  private async call<T>(doing: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw toCodeHostError(error, doing, this.client.redactor, this.client.credentialsFix);
    }
  }
}

/** The GitHub adapter of the code-host port, on Octokit. */
export function createGitHubCodeHost(
  config: CodeHostConfig,
  options: GitHubClientOptions = {},
): GitHubCodeHost {
  return new GitHubCodeHost(config, createGitHubClient(config, options));
}
