import type { Client } from '@temporalio/client';
import { MARK_READY_REFUSED, parsePullRequestUrl, type ItemRecord, type TrackedChange } from '../contracts';
import { markReadySignal, pullRequestHintSignal } from '../workflows/shard/messages';
import { campaignRecords, shardIds } from './reads';

/** Filters of `campaign prs`, as its flags name them. */
export const PR_STATES = ['open', 'draft', 'merged', 'closed'] as const;
export const PR_CHECKS = ['failing', 'pending', 'passing', 'none'] as const;
export const PR_REVIEWS = ['approved', 'changes-requested', 'review-required'] as const;

/** One PR of a campaign, as `campaign prs` lists it (`--json` prints these). */
export interface PullRequestRow {
  key: string;
  repository: string;
  number: number;
  url: string;
  /** `unknown` until the code host has been read (tracking off, or not read yet). */
  state: (typeof PR_STATES)[number] | 'unknown';
  checks: TrackedChange['checks'] | 'unknown';
  failingChecks?: string[];
  review: TrackedChange['review'] | 'unknown';
  mergeability: TrackedChange['mergeability'];
  openedAt?: string;
  mergedAt?: string;
  closedAt?: string;
  problem?: string;
  /** Fix turns the campaign sent on this PR. */
  fixTurns?: number;
  /** Why the fix loop stopped short of a mergeable PR. */
  stopReason?: string;
}

/** The item's change as a row; undefined for an item without a PR. */
export function pullRequestRow(record: ItemRecord): PullRequestRow | undefined {
  if (!record.pullRequest) return undefined;
  const change = record.change;
  const url = change?.url ?? record.pullRequest;
  const parsed = parsePullRequestUrl(url);
  const state = !change
    ? 'unknown'
    : change.lifecycle === 'open'
      ? change.draft
        ? 'draft'
        : 'open'
      : change.lifecycle;
  return {
    key: record.key,
    repository: parsed?.repository ?? record.repository ?? '',
    number: parsed?.number ?? 0,
    url,
    state,
    checks: change?.checks ?? 'unknown',
    ...(change?.failingChecks && { failingChecks: change.failingChecks }),
    review: change?.review ?? 'unknown',
    mergeability: change?.mergeability ?? 'unknown',
    ...(change?.openedAt && { openedAt: change.openedAt }),
    ...(change?.mergedAt && { mergedAt: change.mergedAt }),
    ...(change?.closedAt && { closedAt: change.closedAt }),
    ...(change?.problem && { problem: change.problem }),
    ...(change?.fixTurns?.length && { fixTurns: change.fixTurns.length }),
    ...(change?.stopReason && { stopReason: change.stopReason }),
  };
}

/** Every PR of the campaign, item by item, narrowed by the filters given. */
export async function campaignPullRequests(
  client: Client,
  campaignId: string,
  filter: { state?: string; checks?: string; review?: string } = {},
): Promise<PullRequestRow[]> {
  const rows: PullRequestRow[] = [];
  for await (const record of campaignRecords(client, campaignId)) {
    const row = pullRequestRow(record);
    if (!row) continue;
    if (filter.state && row.state !== filter.state) continue;
    if (filter.checks && row.checks !== filter.checks) continue;
    if (filter.review && row.review !== filter.review) continue;
    rows.push(row);
  }
  return rows;
}

/**
 * `campaign sync`: every shard reads all the PRs it follows now, and this waits (up to `timeoutMs`)
 * until each followed PR has a reading newer than the request. Returns the rows as they then stand.
 */
export async function syncPullRequests(
  client: Client,
  campaignId: string,
  timeoutMs = 120_000,
): Promise<{ rows: PullRequestRow[]; stale: number }> {
  const asked = Date.now();
  for (const id of await shardIds(client, campaignId))
    await client.workflow.getHandle(id).signal(pullRequestHintSignal, { all: true });
  const deadline = asked + timeoutMs;
  for (;;) {
    const records: ItemRecord[] = [];
    for await (const record of campaignRecords(client, campaignId)) records.push(record);
    const followed = records.filter((r) => r.change && r.change.lifecycle === 'open' && !r.change.expired);
    const stale = followed.filter((r) => (r.change?.readAtMs ?? 0) < asked).length;
    if (stale === 0 || Date.now() > deadline)
      return { rows: records.map(pullRequestRow).filter((r): r is PullRequestRow => r !== undefined), stale };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * `campaign prs --mark-ready`: every shard marks its open draft PRs ready for review (durably: the
 * request is kept on the items), and this waits (up to `timeoutMs`) until none is left a draft or
 * each left one says why. Returns the rows as they then stand and the drafts that were marked.
 */
export async function markPullRequestsReady(
  client: Client,
  campaignId: string,
  timeoutMs = 120_000,
): Promise<{ rows: PullRequestRow[]; marked: string[]; left: string[] }> {
  const openDrafts = (records: ItemRecord[]) =>
    records.filter((r) => r.change?.lifecycle === 'open' && r.change.draft && !r.change.expired);
  const before: ItemRecord[] = [];
  for await (const record of campaignRecords(client, campaignId)) before.push(record);
  const drafts = new Set(openDrafts(before).map((r) => r.key));
  for (const id of await shardIds(client, campaignId))
    await client.workflow.getHandle(id).signal(markReadySignal);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records: ItemRecord[] = [];
    for await (const record of campaignRecords(client, campaignId)) records.push(record);
    const waiting = openDrafts(records).filter((r) => !r.change?.problem?.startsWith(MARK_READY_REFUSED));
    if (waiting.length === 0 || Date.now() > deadline) {
      const stillDraft = new Set(openDrafts(records).map((r) => r.key));
      return {
        rows: records.map(pullRequestRow).filter((r): r is PullRequestRow => r !== undefined),
        marked: [...drafts].filter((key) => !stillDraft.has(key)),
        left: [...stillDraft],
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
