/**
 * The guards of bulk actions on a campaign's PRs, as plain rules: which PRs an action may touch and,
 * for the others, why not. The same rule decides a `--dry-run` on the client and the act in the shard.
 */
import type { ActionState, PullRequestAction, TrackedChange } from '../contracts';

/** Why `action` must not touch this PR now; undefined when it may. */
export function actionRefusal(
  change: TrackedChange | undefined,
  action: PullRequestAction,
): string | undefined {
  if (!change) return 'its PR has not been read from the code host yet';
  if (change.action?.status === 'pending') return `another action (${change.action.kind}) is under way on it`;
  if (action.kind === 'comment') return undefined;
  if (change.lifecycle !== 'open') return `it is ${change.lifecycle}`;
  if (action.kind === 'close') return undefined;
  if (change.draft) return 'it is a draft (campaign prs --mark-ready publishes drafts)';
  if (change.checks !== 'passing') return `its checks are ${checksWord(change)}, not passing`;
  if (action.requireApproval && change.review !== 'approved')
    return `it is not approved (review: ${change.review}); --require none merges without approval`;
  if (change.mergeability !== 'clean') return `it is not cleanly mergeable (${change.mergeability})`;
  if (!change.headSha) return 'its head commit is not known yet';
  return undefined;
}

function checksWord(change: TrackedChange): string {
  return change.checks === 'failing' && change.failingChecks?.length
    ? `failing (${change.failingChecks.join(', ')})`
    : change.checks;
}

/**
 * Takes a bulk action onto a PR: pending when the guard lets it through, else refused with why. A PR
 * already under this action keeps its state, so a repeated request changes nothing.
 */
export function requestAction(
  change: TrackedChange | undefined,
  request: { id: string; action: PullRequestAction },
  nowMs: number,
): ActionState | undefined {
  if (change?.action?.id === request.id) return change.action;
  const refusal = actionRefusal(change, request.action);
  const state: ActionState = {
    id: request.id,
    kind: request.action.kind,
    status: refusal === undefined ? 'pending' : 'refused',
    ...(refusal !== undefined && { detail: refusal }),
    atMs: nowMs,
  };
  if (change && !(change.action?.status === 'pending')) change.action = state;
  return state;
}
