import { z } from 'zod';
import { route, type Route } from '../http';
import { HostRefusal, type CodeHostEngine } from './host';
import { now, type HostPullRequest } from './model';
import {
  checkRunShape,
  combinedStatusShape,
  commentShape,
  issueShape,
  labelShape,
  pullRequestShape,
  pullRequestSimpleShape,
  reviewShape,
} from './shapes';

export interface RestContext {
  engine: CodeHostEngine;
  /** The login the token acts as: the agent's bot for the default token. */
  actor: string;
  body(): Promise<unknown>;
  /** GET /rate_limit's answer, from the server's budget of this token. */
  rateLimit(): unknown;
}

export interface RestReply {
  status: number;
  body: unknown;
}

const DOCS = 'https://docs.github.com/rest';

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

const notFound = () => new RestError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });

/** 422 in GitHub's shape, one error per field that is wrong. */
function validate<S extends z.ZodType>(schema: S, value: unknown, resource: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new RestError(422, {
    message: `Invalid request.\n\n${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('\n')}`,
    errors: parsed.error.issues.map((issue) => ({
      resource,
      field: issue.path.join('.'),
      code: issue.code === 'invalid_type' ? 'missing_field' : 'invalid',
    })),
    documentation_url: DOCS,
    status: '422',
  });
}

function pullOf(ctx: RestContext, p: Record<string, string>, numberParam: string): HostPullRequest {
  const number = Number(p[numberParam]);
  const pr = Number.isInteger(number) ? ctx.engine.pullRequest(`${p.owner}/${p.repo}`, number) : undefined;
  if (!pr) throw notFound();
  return pr;
}

/** Runs an engine action; a refusal becomes GitHub's answer for it. */
function refusing<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof HostRefusal)
      throw new RestError(error.status, {
        message: error.message,
        documentation_url: DOCS,
        status: String(error.status),
      });
    throw error;
  }
}

const ok = (body: unknown, status = 200): RestReply => ({ status, body });

const UpdatePull = z
  .object({
    title: z.string().optional(),
    body: z.string().optional(),
    state: z.enum(['open', 'closed']).optional(),
    base: z.string().optional(),
  })
  .strict();
const Labels = z.union([
  z.object({ labels: z.array(z.string().min(1)).min(1) }),
  z.array(z.string().min(1)).min(1),
]);
const Assignees = z.object({ assignees: z.array(z.string().min(1)).min(1) });
const Reviewers = z
  .object({
    reviewers: z.array(z.string().min(1)).optional(),
    team_reviewers: z.array(z.string().min(1)).optional(),
  })
  .refine((b) => (b.reviewers?.length ?? 0) + (b.team_reviewers?.length ?? 0) > 0, {
    message: 'give reviewers or team_reviewers',
  });
const Comment = z.object({ body: z.string().min(1) });
const Merge = z
  .object({
    sha: z.string().optional(),
    merge_method: z.enum(['merge', 'squash', 'rebase']).optional(),
    commit_title: z.string().optional(),
    commit_message: z.string().optional(),
  })
  .strict();

const LABEL_COLORS = ['0e8a16', 'd93f0b', '1d76db', 'fbca04', '5319e7'];

/** The REST endpoints the client uses, in GitHub's paths, codes and shapes. */
export const restRoutes: Route<RestContext>[] = [
  route('GET', '/repos/:owner/:repo/pulls/:pull_number', (ctx, p) =>
    ok(pullRequestShape(ctx.engine.urls, pullOf(ctx, p, 'pull_number'))),
  ),
  route('GET', '/repos/:owner/:repo/pulls/:pull_number/reviews', (ctx, p) => {
    const pr = pullOf(ctx, p, 'pull_number');
    return ok(pr.reviews.map((review) => reviewShape(ctx.engine.urls, pr, review)));
  }),
  route('PATCH', '/repos/:owner/:repo/pulls/:pull_number', async (ctx, p) => {
    const pr = pullOf(ctx, p, 'pull_number');
    const body = validate(UpdatePull, await ctx.body(), 'PullRequest');
    refusing(() => ctx.engine.update(pr, body, ctx.actor));
    return ok(pullRequestShape(ctx.engine.urls, pr));
  }),
  route('POST', '/repos/:owner/:repo/issues/:issue_number/labels', async (ctx, p) => {
    const pr = pullOf(ctx, p, 'issue_number');
    const body = validate(Labels, await ctx.body(), 'Label');
    for (const name of Array.isArray(body) ? body : body.labels) {
      if (pr.labels.some((l) => l.name === name)) continue;
      const id = 7_000_000 + [...name].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 1_000_000, 0);
      pr.labels.push({ id, name, color: LABEL_COLORS[id % LABEL_COLORS.length] as string });
    }
    pr.updatedAt = now();
    return ok(pr.labels.map((label) => labelShape(ctx.engine.urls, pr.repository, label)));
  }),
  route('POST', '/repos/:owner/:repo/issues/:issue_number/assignees', async (ctx, p) => {
    const pr = pullOf(ctx, p, 'issue_number');
    const body = validate(Assignees, await ctx.body(), 'Issue');
    for (const login of body.assignees) if (!pr.assignees.includes(login)) pr.assignees.push(login);
    pr.updatedAt = now();
    return ok(issueShape(ctx.engine.urls, pr), 201);
  }),
  route('POST', '/repos/:owner/:repo/pulls/:pull_number/requested_reviewers', async (ctx, p) => {
    const pr = pullOf(ctx, p, 'pull_number');
    const body = validate(Reviewers, await ctx.body(), 'PullRequest');
    if (body.reviewers?.includes(ctx.actor))
      throw new RestError(422, {
        message: 'Review cannot be requested from pull request author.',
        documentation_url: DOCS,
        status: '422',
      });
    for (const login of body.reviewers ?? [])
      if (!pr.requestedReviewers.includes(login)) pr.requestedReviewers.push(login);
    for (const slug of body.team_reviewers ?? [])
      if (!pr.requestedTeams.includes(slug)) pr.requestedTeams.push(slug);
    pr.updatedAt = now();
    return ok(pullRequestSimpleShape(ctx.engine.urls, pr), 201);
  }),
  route('POST', '/repos/:owner/:repo/issues/:issue_number/comments', async (ctx, p) => {
    const pr = pullOf(ctx, p, 'issue_number');
    const body = validate(Comment, await ctx.body(), 'IssueComment');
    const comment = { id: 5_000_000 + pr.comments.length + pr.id * 1000, body: body.body, createdAt: now() };
    pr.comments.push(comment);
    pr.updatedAt = comment.createdAt;
    return ok(commentShape(ctx.engine.urls, pr, comment, ctx.actor), 201);
  }),
  route('GET', '/repos/:owner/:repo/issues/:issue_number/comments', (ctx, p) => {
    const pr = pullOf(ctx, p, 'issue_number');
    return ok(pr.comments.map((comment) => commentShape(ctx.engine.urls, pr, comment, ctx.actor)));
  }),
  route('PUT', '/repos/:owner/:repo/pulls/:pull_number/merge', async (ctx, p) => {
    const pr = pullOf(ctx, p, 'pull_number');
    const body = validate(Merge, await ctx.body(), 'PullRequest');
    refusing(() => ctx.engine.merge(pr, body.sha, ctx.actor));
    return ok({ sha: pr.mergeCommitSha, merged: true, message: 'Pull Request successfully merged' });
  }),
  route('GET', '/repos/:owner/:repo/commits/:ref/check-runs', (ctx, p) => {
    const found = commitOf(ctx, p);
    const runs = found.commit.checkRuns.map((run) =>
      checkRunShape(ctx.engine.urls, found.pr, found.commit, run),
    );
    return ok({ total_count: runs.length, check_runs: runs });
  }),
  route('POST', '/repos/:owner/:repo/check-runs/:check_run_id/rerequest', (ctx, p) => {
    refusing(() => ctx.engine.rerequest(`${p.owner}/${p.repo}`, Number(p.check_run_id)));
    return ok({}, 201);
  }),
  route('GET', '/repos/:owner/:repo/commits/:ref/status', (ctx, p) => {
    const found = commitOf(ctx, p);
    return ok(combinedStatusShape(ctx.engine.urls, found.pr.repository, found.commit));
  }),
  route('GET', '/rate_limit', (ctx) => ok(ctx.rateLimit())),
];

/** The commit a ref names in a repository, or GitHub's 422 for an unknown SHA. */
function commitOf(ctx: RestContext, p: Record<string, string | undefined>) {
  const found = ctx.engine.commit(`${p.owner}/${p.repo}`, p.ref as string);
  if (!found)
    throw new RestError(422, {
      message: `No commit found for SHA: ${p.ref}`,
      documentation_url: DOCS,
      status: '422',
    });
  return found;
}
