/**
 * What a webhook delivery changes in an item's tracked change, without asking the code host: the
 * payload already says which check finished, who reviewed, whether the PR merged. Deliveries can come
 * twice, late or out of order, so each piece of news is ordered against what the change already holds
 * (the PR's `updatedAt`, a check's or review's id); news that cannot be placed asks for a reading.
 */
import type { CheckVerdict, PullRequestObservation, TrackedChange } from '../contracts';

/** The change with the news taken, or `read` when only a reading can tell. */
export type ObservationEffect = TrackedChange | 'read';

/** A finished run outranks a pending one of the same id (a `completed` overtaken by its `created`). */
const rank = (verdict: CheckVerdict) => (verdict === 'pending' ? 0 : 1);

export function applyObservation(
  change: TrackedChange,
  news: PullRequestObservation,
  nowMs: number,
): ObservationEffect {
  if (news.kind === 'pull-request') return pullRequestNews(change, news);
  if (news.kind === 'check') return checkNews(change, news, nowMs);
  return reviewNews(change, news, nowMs);
}

function pullRequestNews(
  change: TrackedChange,
  news: Extract<PullRequestObservation, { kind: 'pull-request' }>,
): ObservationEffect {
  const told = change.hostUpdatedAt ? Date.parse(change.hostUpdatedAt) : Number.NEGATIVE_INFINITY;
  const at = Date.parse(news.updatedAt);
  // Older than what the change holds; at the same second a settled PR stays settled.
  if (at < told || (at === told && change.lifecycle !== 'open' && news.lifecycle === 'open')) return change;
  const next: TrackedChange = {
    ...change,
    lifecycle: news.lifecycle,
    draft: news.draft,
    hostUpdatedAt: news.updatedAt,
  };
  if (news.mergedAt) next.mergedAt = news.mergedAt;
  if (news.closedAt) next.closedAt = news.closedAt;
  if (news.headSha !== change.headSha) {
    // A new head: its checks have not reported yet, and the old verdicts no longer apply.
    next.headSha = news.headSha;
    next.checkStates = {};
    next.checks = change.checks === 'none' ? 'none' : 'pending';
    delete next.failingChecks;
    next.mergeability = news.mergeability ?? 'unknown';
  } else if (news.mergeability) next.mergeability = news.mergeability;
  return next;
}

function checkNews(
  change: TrackedChange,
  news: Extract<PullRequestObservation, { kind: 'check' }>,
  nowMs: number,
): ObservationEffect {
  // A check on another head: either the change missed a push or the news is old; a reading tells.
  if (news.headSha !== change.headSha) return 'read';
  const before = change.checkStates?.[news.name];
  if (
    before?.id !== undefined &&
    (news.id < before.id || (news.id === before.id && rank(news.verdict) < rank(before.verdict)))
  )
    return change;
  const { verdict, id, title, summary, url } = news;
  const state = { verdict, id, ...(title && { title }), ...(summary && { summary }), ...(url && { url }) };
  const checkStates = { ...change.checkStates, [news.name]: state };
  return withChecks(change, checkStates, nowMs);
}

/** The change's checks summed up again from its per-check verdicts (the latest run per name). */
export function withChecks(
  change: TrackedChange,
  checkStates: NonNullable<TrackedChange['checkStates']>,
  nowMs: number,
): TrackedChange {
  const names = (verdict: CheckVerdict) =>
    Object.keys(checkStates)
      .filter((name) => checkStates[name]?.verdict === verdict)
      .sort();
  const failing = names('failing');
  const pending = names('pending');
  const checks =
    Object.keys(checkStates).length === 0
      ? 'none'
      : failing.length > 0
        ? 'failing'
        : pending.length > 0
          ? 'pending'
          : 'passing';
  const next: TrackedChange = { ...change, checkStates, checks };
  if (failing.length > 0) next.failingChecks = failing;
  else delete next.failingChecks;
  if (checks === 'passing' && !next.firstGreenAt) next.firstGreenAt = new Date(nowMs).toISOString();
  return next;
}

function reviewNews(
  change: TrackedChange,
  news: Extract<PullRequestObservation, { kind: 'review' }>,
  nowMs: number,
): ObservationEffect {
  const before = change.reviewers?.[news.reviewer];
  if (before && news.id < before.id) return change;
  // Which verdicts still stand after a dismissal, or under a change request the change cannot
  // attribute to anyone it heard of: only the host's review decision says.
  if (news.verdict === 'dismissed') return 'read';
  const heard = Object.values(change.reviewers ?? {}).map((r) => r.verdict);
  const unexplained = change.review === 'changes-requested' && !heard.includes('changes-requested');
  if (news.verdict === 'approved' && unexplained) return 'read';
  const reviewers = { ...change.reviewers, [news.reviewer]: { verdict: news.verdict, id: news.id } };
  const verdicts = Object.values(reviewers).map((r) => r.verdict);
  const review = verdicts.includes('changes-requested') ? 'changes-requested' : 'approved';
  const next: TrackedChange = { ...change, reviewers, review };
  const requests = (change.changeRequests ?? []).filter((r) => r.reviewer !== news.reviewer);
  if (news.verdict === 'changes-requested')
    requests.push({ reviewer: news.reviewer, id: news.id, ...(news.body && { body: news.body }) });
  if (requests.length > 0) next.changeRequests = requests;
  else delete next.changeRequests;
  if (review === 'approved' && !next.approvedAt) next.approvedAt = new Date(nowMs).toISOString();
  return next;
}
