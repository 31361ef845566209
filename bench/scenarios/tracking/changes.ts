import type { Client } from '@temporalio/client';
import { campaignPullRequests, type PullRequestRow } from '../../../src/campaign-client/pull-requests';
import type { CodeHost, PersonAction } from '../../../src/simulator';
import { percentile } from '../../percentile';
import { round } from '../../process-usage';

/** One thing a person does to one PR on the code host, and what `campaign prs` must then show. */
export interface PlannedChange {
  url: string;
  repository: string;
  number: number;
  action: PersonAction;
}

/** A review, a request for changes, a close and a merge in turn: every kind of news a PR gets. */
const MIX: PersonAction[] = ['approve', 'request-changes', 'close', 'merge'];

/** `count` changes on the open PRs of `rows`, spread over the list (and so over the shards). */
export function planChanges(rows: readonly PullRequestRow[], count: number, skip = new Set<string>()) {
  const open = rows.filter((row) => row.state === 'open' && !skip.has(row.url));
  const step = Math.max(1, Math.floor(open.length / count));
  return Array.from({ length: Math.min(count, open.length) }, (_, i): PlannedChange => {
    const row = open[(i * step) % open.length] as PullRequestRow;
    return { url: row.url, repository: row.repository, number: row.number, action: MIX[i % MIX.length]! };
  });
}

/** Whether a row shows what the change did. */
export function shows(row: PullRequestRow, action: PersonAction): boolean {
  if (action === 'approve') return row.review === 'approved';
  if (action === 'request-changes') return row.review === 'changes-requested';
  return row.state === (action === 'merge' ? 'merged' : 'closed');
}

/** The delivery that carries a change: `event.action` of GitHub's webhook. */
const CARRIER: Record<PersonAction, string> = {
  approve: 'pull_request_review.submitted',
  'request-changes': 'pull_request_review.submitted',
  close: 'pull_request.closed',
  merge: 'pull_request.closed',
};

/**
 * Makes the changes `paceMs` apart while reading `campaign prs` over and over, and times each from the
 * moment the code host sent its delivery to the end of the first read that shows it: what a user
 * watching `campaign prs` waits. A read of every record takes its own time, which is included.
 */
export async function timeToVisible(
  client: Client,
  codeHost: CodeHost,
  campaignId: string,
  changes: readonly PlannedChange[],
  options: { paceMs: number; timeoutMs: number },
) {
  const byPr = new Map(changes.map((change) => [`${change.repository}#${change.number}`, change]));
  const sentAt = new Map<string, number>();
  const stop = codeHost.onDelivery((delivery, sentAtMs) => {
    const body = JSON.parse(delivery.body) as {
      action?: string;
      repository?: { full_name: string };
      pull_request?: { number: number };
    };
    const change = byPr.get(`${body.repository?.full_name}#${body.pull_request?.number}`);
    if (!change || CARRIER[change.action] !== `${delivery.event}.${body.action}`) return;
    // Hold Date.now's clock against performance.now's, which the reads are timed by.
    if (!sentAt.has(change.url)) sentAt.set(change.url, sentAtMs - Date.now() + performance.now());
  });
  const pending = new Map<string, PlannedChange>();
  const latencies: number[] = [];
  const reads: number[] = [];
  let acting = true;
  const deadline = performance.now() + options.timeoutMs;
  const watching = (async () => {
    while ((acting || pending.size > 0) && performance.now() < deadline) {
      const started = performance.now();
      const rows = await campaignPullRequests(client, campaignId);
      const ended = performance.now();
      reads.push(ended - started);
      for (const row of rows) {
        const change = pending.get(row.url);
        const sent = sentAt.get(row.url);
        if (!change || sent === undefined || !shows(row, change.action)) continue;
        latencies.push(ended - sent);
        pending.delete(row.url);
      }
    }
  })();
  try {
    for (const change of changes) {
      pending.set(change.url, change);
      codeHost.act(change.repository, change.number, change.action);
      await new Promise((resolve) => setTimeout(resolve, options.paceMs));
    }
  } finally {
    acting = false;
    await watching;
    stop();
  }
  const sorted = latencies.sort((a, b) => a - b);
  const readsSorted = reads.sort((a, b) => a - b);
  return {
    changes: changes.length,
    seen: sorted.length,
    notSeenInTime: pending.size,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: percentile(sorted, 1),
    prsReads: reads.length,
    prsReadP50Ms: percentile(readsSorted, 0.5),
    prsReadMaxMs: round(readsSorted[readsSorted.length - 1] ?? 0),
  };
}

/** What `campaign prs` should say of a PR, by what the code host holds now. */
function rightOnRow(row: PullRequestRow, truth: Map<string, { state: string; reviewDecision: string }>) {
  const held = truth.get(row.url);
  if (!held) return false;
  if (row.state !== held.state.toLowerCase()) return false;
  if (held.state !== 'OPEN') return true;
  if (held.reviewDecision === 'APPROVED') return row.review === 'approved';
  if (held.reviewDecision === 'CHANGES_REQUESTED') return row.review === 'changes-requested';
  return true;
}

/**
 * The changes made while the code host loses `dropRate` of its deliveries (GitHub never sends a lost
 * one again), then `campaign prs` read until every PR of the campaign shows what the code host holds:
 * how many were right one sweep interval after the last change, and how long until all were.
 */
export async function rightAfterDrops(
  client: Client,
  codeHost: CodeHost,
  configure: (dropRate: number) => void,
  campaignId: string,
  changes: readonly PlannedChange[],
  options: { dropRate: number; paceMs: number; sweepMs: number; timeoutMs: number },
) {
  const droppedBefore = codeHost.stats().webhooks.dropped;
  configure(options.dropRate);
  let lastChange = 0;
  try {
    for (const change of changes) {
      codeHost.act(change.repository, change.number, change.action);
      lastChange = performance.now();
      await new Promise((resolve) => setTimeout(resolve, options.paceMs));
    }
  } finally {
    configure(0);
  }
  const dropped = codeHost.stats().webhooks.dropped - droppedBefore;
  const truth = new Map(codeHost.stats().pullRequests.map((pr) => [pr.url, pr]));
  const deadline = lastChange + options.timeoutMs;
  let total = 0;
  let rightAtOneSweep: number | undefined;
  let allRightAfterMs: number | undefined;
  while (performance.now() < deadline) {
    const started = performance.now();
    const rows = await campaignPullRequests(client, campaignId);
    const right = rows.filter((row) => rightOnRow(row, truth)).length;
    total = rows.length;
    // The first read begun once a sweep interval has passed since the last change.
    if (rightAtOneSweep === undefined && started - lastChange >= options.sweepMs) rightAtOneSweep = right;
    if (right === rows.length) {
      allRightAfterMs = performance.now() - lastChange;
      rightAtOneSweep ??= right;
      break;
    }
  }
  return {
    changes: changes.length,
    deliveriesDropped: dropped,
    prs: total,
    rightOneSweepAfterLastChange: rightAtOneSweep ?? 0,
    allRightSecondsAfterLastChange: allRightAfterMs === undefined ? null : round(allRightAfterMs / 1000),
  };
}
