import type { PullRequestRow } from '../../campaign-client/pull-requests';
import type { ItemRecord, TrackedChange } from '../../contracts';
import { utcTime } from './units';

/** `failing: lint, test` when checks fail (naming them), else the checks' state. */
export function checksText(row: Pick<PullRequestRow, 'checks' | 'failingChecks'>): string {
  return row.failingChecks?.length ? `failing: ${row.failingChecks.join(', ')}` : row.checks;
}

/** `open, checks failing: lint, changes-requested, blocked`: a PR's standing in one cell. */
export function changeSummary(row: PullRequestRow): string {
  if (row.state === 'merged' || row.state === 'closed' || row.state === 'unknown') return row.state;
  return `${row.state}, checks ${checksText(row)}, review ${row.review}, ${row.mergeability}`;
}

/** Whether the campaign follows any of these items' PRs: only then do views add the PR columns. */
export function followsPullRequests(records: readonly ItemRecord[]): boolean {
  return records.some((r) => r.change !== undefined);
}

const when = (iso: string | undefined) => {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${utcTime(ms)} UTC`;
};

/** `campaign item`'s PR lines: where the PR stands, then when it opened, went green, was approved, ended. */
export function changeLines(change: TrackedChange): [label: string, text: string][] {
  const state = change.lifecycle === 'open' && change.draft ? 'open (draft)' : change.lifecycle;
  const checks = checksText({ checks: change.checks, failingChecks: change.failingChecks });
  const standing = [
    state,
    `checks ${checks}`,
    `review ${change.review}`,
    `mergeability ${change.mergeability}`,
    change.expired ? 'no longer followed (tracking.maxDays passed)' : undefined,
  ];
  const timeline = [
    `opened ${when(change.openedAt)}`,
    change.firstGreenAt && `green ${when(change.firstGreenAt)}`,
    change.approvedAt && `approved ${when(change.approvedAt)}`,
    change.mergedAt && `merged ${when(change.mergedAt)}`,
    !change.mergedAt && change.closedAt && `closed ${when(change.closedAt)}`,
  ];
  const lines: [string, string][] = [
    ['PR state', standing.filter(Boolean).join(', ')],
    ['PR times', timeline.filter(Boolean).join(', ')],
  ];
  if (change.problem) lines.push(['PR problem', change.problem]);
  for (const turn of change.fixTurns ?? [])
    lines.push([
      `fix turn ${turn.number}`,
      `${turn.cause} on ${turn.headSha.slice(0, 7)} at ${when(new Date(turn.atMs).toISOString())}: ${turn.state}${turn.error ? ` (${turn.error})` : ''}`,
    ]);
  if (change.stopReason) lines.push(['fix loop', change.stopReason]);
  return lines;
}

/** Fix turns the campaign sent on an item's PR: a count where it follows the PR, blank without one. */
export function fixTurnsCell(r: ItemRecord): string {
  return r.change ? String(r.change.fixTurns?.length ?? 0) : '';
}
