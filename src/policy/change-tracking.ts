/**
 * Following an item's PR on the code host: what a reading changes in the item's tracked change, when a
 * change is settled or no longer followed, and the campaign's counts of its PRs. Plain code, time
 * passed in, used by the shard workflow.
 */
import type { ChecksSummary, PullRequestCounts, PullRequestReading, TrackedChange } from '../contracts';

const DAY_MS = 86_400_000;

/** Takes a reading onto the change: the state as the host tells it, first-green and approval times kept. */
export function applyReading(
  previous: TrackedChange | undefined,
  reading: PullRequestReading,
  nowMs: number,
): TrackedChange {
  if (reading.status === 'unreadable') {
    const base: TrackedChange = previous ?? {
      url: reading.url,
      lifecycle: 'open',
      draft: false,
      headSha: '',
      checks: 'none',
      review: 'none',
      mergeability: 'unknown',
      openedAt: new Date(nowMs).toISOString(),
      readAtMs: nowMs,
    };
    return { ...base, readAtMs: nowMs, problem: `${reading.reason}: ${reading.detail}` };
  }
  const pr = reading.pullRequest;
  const now = new Date(nowMs).toISOString();
  const change: TrackedChange = {
    url: pr.url,
    nodeId: pr.nodeId,
    lifecycle: pr.lifecycle,
    draft: pr.draft,
    headSha: pr.headSha,
    baseBranch: pr.baseBranch,
    checks: pr.checks.state,
    review: pr.review,
    mergeability: pr.mergeability,
    openedAt: pr.createdAt,
    hostUpdatedAt: pr.updatedAt,
    // What deliveries told of each check on this head (title, summary, link) outlives the reading.
    checkStates: checkStatesOf(
      pr.checks,
      previous?.headSha === pr.headSha ? previous.checkStates : undefined,
    ),
    readAtMs: nowMs,
  };
  if (pr.checks.failing.length > 0) change.failingChecks = pr.checks.failing;
  const firstGreenAt = previous?.firstGreenAt ?? (pr.checks.state === 'passing' ? now : undefined);
  const approvedAt = previous?.approvedAt ?? (pr.review === 'approved' ? now : undefined);
  // What the campaign did to the PR is its own record, not the host's: a reading keeps it.
  if (previous?.decorated) change.decorated = true;
  if (previous?.readyRequested && pr.draft && pr.lifecycle === 'open') change.readyRequested = true;
  if (previous?.fixTurns) change.fixTurns = previous.fixTurns;
  if (previous?.stopReason) change.stopReason = previous.stopReason;
  if (previous?.action) change.action = previous.action;
  // Requests heard by webhook stand while the host still requests changes: a fix turn quotes them.
  if (previous?.changeRequests && pr.review === 'changes-requested')
    change.changeRequests = previous.changeRequests;
  if (firstGreenAt) change.firstGreenAt = firstGreenAt;
  if (approvedAt) change.approvedAt = approvedAt;
  if (pr.mergedAt) change.mergedAt = pr.mergedAt;
  if (pr.closedAt) change.closedAt = pr.closedAt;
  if (reading.status === 'transferred') change.problem = `moved from ${reading.url}`;
  return change;
}

/** A reading's checks by name (readings before `passing` was read name the failing and pending ones). */
function checkStatesOf(
  checks: ChecksSummary,
  heard: TrackedChange['checkStates'],
): NonNullable<TrackedChange['checkStates']> {
  const states: NonNullable<TrackedChange['checkStates']> = {};
  for (const verdict of ['passing', 'pending', 'failing'] as const)
    for (const name of checks[verdict] ?? []) {
      const { title, summary, url } = heard?.[name] ?? {};
      states[name] = { verdict, ...(title && { title }), ...(summary && { summary }), ...(url && { url }) };
    }
  return states;
}

/** Merged or closed: nothing more to follow. */
export function isSettled(change: TrackedChange | undefined): boolean {
  return change !== undefined && change.lifecycle !== 'open';
}

/**
 * Whether a PR is still followed: not settled, not expired, and its item ended less than `maxDays` ago
 * (a PR left open for weeks is reported as such, not read forever).
 */
export function stillTracked(
  change: TrackedChange | undefined,
  endedAtMs: number | undefined,
  maxDays: number,
  nowMs: number,
): boolean {
  if (isSettled(change) || change?.expired) return false;
  return endedAtMs === undefined || nowMs - endedAtMs < maxDays * DAY_MS;
}

export const emptyPullRequestCounts = (): PullRequestCounts => ({
  open: 0,
  draft: 0,
  merged: 0,
  closed: 0,
  checksFailing: 0,
  checksPending: 0,
  checksPassing: 0,
  approved: 0,
  changesRequested: 0,
});

/** Adds one change to the counts: by state, and an open one by its checks and review. */
export function countChange(counts: PullRequestCounts, change: TrackedChange): void {
  if (change.fixTurns?.length) counts.fixTurns = (counts.fixTurns ?? 0) + change.fixTurns.length;
  const running = change.fixTurns?.filter((turn) => turn.state === 'running').length;
  if (running) counts.fixRunning = (counts.fixRunning ?? 0) + running;
  if (change.stopReason && change.lifecycle === 'open' && !change.expired)
    counts.fixStopped = (counts.fixStopped ?? 0) + 1;
  const action = change.action?.status;
  if (action) {
    const key = ACTION_COUNTS[action];
    counts[key] = (counts[key] ?? 0) + 1;
  }
  if (change.lifecycle === 'merged') counts.merged += 1;
  else if (change.lifecycle === 'closed') counts.closed += 1;
  else if (change.expired) counts.expired = (counts.expired ?? 0) + 1;
  else {
    counts[change.draft ? 'draft' : 'open'] += 1;
    if (change.checks === 'failing') counts.checksFailing += 1;
    else if (change.checks === 'pending') counts.checksPending += 1;
    else if (change.checks === 'passing') counts.checksPassing += 1;
    if (change.review === 'approved') counts.approved += 1;
    else if (change.review === 'changes-requested') counts.changesRequested += 1;
  }
}

const ACTION_COUNTS = {
  pending: 'actionsPending',
  done: 'actionsDone',
  refused: 'actionsRefused',
  failed: 'actionsFailed',
} as const;

/** Sums counts (the campaign adds up its shards'). */
export function addPullRequestCounts(into: PullRequestCounts, more: PullRequestCounts): void {
  for (const key of Object.keys(more) as (keyof PullRequestCounts)[])
    into[key] = (into[key] ?? 0) + (more[key] ?? 0);
}

/** Whether a kept workspace is deleted once its PR is merged or closed (cleanup `after-merge`). */
export function workspaceGoesWithChange(cleanup: string | undefined): boolean {
  return cleanup === 'after-merge';
}
