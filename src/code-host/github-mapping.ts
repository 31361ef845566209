import type {
  CheckVerdict,
  ChecksSummary,
  Mergeability,
  PullRequestLifecycle,
  PullRequestState,
  ReviewState,
} from '../contracts';

/** A check run as `PullRequestFields` reads it (GitHub's `CheckRun`). */
export interface GraphQlCheckRun {
  __typename: 'CheckRun';
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl?: string | null;
}

/** A commit status as `PullRequestFields` reads it (GitHub's `StatusContext`). */
export interface GraphQlStatusContext {
  __typename: 'StatusContext';
  context: string;
  state: string;
  targetUrl?: string | null;
  createdAt: string;
}

/** The answer to `PullRequestFields` (see github-queries.ts). */
export interface GraphQlPullRequest {
  __typename?: string;
  id: string;
  number: number;
  url: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  isDraft: boolean;
  merged: boolean;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  closedAt: string | null;
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  mergeable: 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN';
  mergeStateStatus: string;
  reviewDecision: 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED' | null;
  repository: { nameWithOwner: string };
  commits: {
    nodes:
      | ({
          commit: {
            oid: string;
            statusCheckRollup: {
              state: string;
              contexts: {
                totalCount: number;
                nodes: (GraphQlCheckRun | GraphQlStatusContext | null)[] | null;
              };
            } | null;
          };
        } | null)[]
      | null;
  };
}

type Verdict = CheckVerdict;

/** Conclusions that let a change through; every other conclusion of a completed run fails it. */
const PASSING_CONCLUSIONS = new Set(['SUCCESS', 'NEUTRAL', 'SKIPPED']);

function checkRunVerdict(run: GraphQlCheckRun): Verdict {
  if (run.status !== 'COMPLETED' || run.conclusion === null) return 'pending';
  return PASSING_CONCLUSIONS.has(run.conclusion) ? 'passing' : 'failing';
}

function statusVerdict(status: GraphQlStatusContext): Verdict {
  if (status.state === 'SUCCESS') return 'passing';
  if (status.state === 'FAILURE' || status.state === 'ERROR') return 'failing';
  return 'pending';
}

interface CheckSighting {
  name: string;
  at: string;
  verdict: Verdict;
}

function sighting(context: GraphQlCheckRun | GraphQlStatusContext): CheckSighting {
  if (context.__typename === 'CheckRun')
    return {
      name: context.name,
      // A run not started yet is the newest of its name: it was queued by a re-run.
      at: context.startedAt ?? context.completedAt ?? '\uffff',
      verdict: checkRunVerdict(context),
    };
  return { name: context.context, at: context.createdAt, verdict: statusVerdict(context) };
}

/**
 * Statuses and check runs together, the latest per name: a re-run replaces the run before it, so a
 * green re-run of a red check is green.
 */
export function summariseChecks(
  contexts: readonly (GraphQlCheckRun | GraphQlStatusContext | null)[],
): ChecksSummary {
  const latest = new Map<string, CheckSighting>();
  for (const context of contexts) {
    if (!context || (context.__typename !== 'CheckRun' && context.__typename !== 'StatusContext')) continue;
    const seen = sighting(context);
    const before = latest.get(seen.name);
    if (!before || seen.at >= before.at) latest.set(seen.name, seen);
  }
  const named = (verdict: Verdict) =>
    [...latest.values()]
      .filter((check) => check.verdict === verdict)
      .map((check) => check.name)
      .sort();
  const failing = named('failing');
  const pending = named('pending');
  const passing = named('passing');
  const state =
    latest.size === 0 ? 'none' : failing.length ? 'failing' : pending.length ? 'pending' : 'passing';
  return { state, failing, pending, passing, total: latest.size };
}

const REVIEW: Record<string, ReviewState> = {
  APPROVED: 'approved',
  CHANGES_REQUESTED: 'changes-requested',
  REVIEW_REQUIRED: 'review-required',
};

export function reviewState(decision: GraphQlPullRequest['reviewDecision']): ReviewState {
  return (decision && REVIEW[decision]) ?? 'none';
}

const MERGE_STATE: Record<string, Mergeability> = {
  CLEAN: 'clean',
  // Mergeable; the repository's pre-receive hooks run at merge time.
  HAS_HOOKS: 'clean',
  BEHIND: 'behind',
  DIRTY: 'conflicting',
  BLOCKED: 'blocked',
  DRAFT: 'blocked',
  UNSTABLE: 'unstable',
};

/** `mergeable` is computed first and alone knows a conflict while the merge state is still UNKNOWN. */
export function mergeability(pr: Pick<GraphQlPullRequest, 'mergeable' | 'mergeStateStatus'>): Mergeability {
  if (pr.mergeable === 'CONFLICTING') return 'conflicting';
  return MERGE_STATE[pr.mergeStateStatus] ?? 'unknown';
}

function lifecycle(pr: GraphQlPullRequest): PullRequestLifecycle {
  if (pr.state === 'MERGED' || pr.merged) return 'merged';
  return pr.state === 'CLOSED' ? 'closed' : 'open';
}

export function toPullRequestState(pr: GraphQlPullRequest): PullRequestState {
  const head = pr.commits.nodes?.[0]?.commit;
  const contexts = head?.statusCheckRollup?.contexts.nodes ?? [];
  return {
    nodeId: pr.id,
    url: pr.url,
    repository: pr.repository.nameWithOwner,
    number: pr.number,
    lifecycle: lifecycle(pr),
    draft: pr.isDraft,
    headBranch: pr.headRefName,
    headSha: pr.headRefOid,
    baseBranch: pr.baseRefName,
    checks: summariseChecks(contexts),
    review: reviewState(pr.reviewDecision),
    mergeability: mergeability(pr),
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    ...(pr.mergedAt && { mergedAt: pr.mergedAt }),
    ...(pr.closedAt && { closedAt: pr.closedAt }),
  };
}
