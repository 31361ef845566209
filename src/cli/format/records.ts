import { pullRequestRow } from '../../campaign-client/pull-requests';
import { describeStopReason, outcomeOf, type CampaignProgress, type ItemRecord } from '../../contracts';
import {
  CHANGE_BURNDOWN_CSV_COLUMNS,
  campaignChangeBurndown,
  milestones,
  type ChangeBurndownPoint,
} from './change-burndown';
import { outcomeParts, pullRequestsText } from './progress';
import { changeSummary, checksText, fixTurnsCell, followsPullRequests } from './pull-request-cells';
import { humanDuration, runMs, usd, utcTime } from './units';
import { textTable } from './text-table';

/**
 * What a reader of one row wants to know beyond its state: a failure that left a PR, a success without
 * one, the error, and a replica left to inspect.
 */
export function recordNote(r: ItemRecord): string {
  const outcome = outcomeOf(r);
  const change =
    outcome === 'failed-with-pr'
      ? `left PR ${r.pullRequest ?? r.prs?.[0]} (retry-failed continues it)`
      : outcome === 'succeeded-without-pr'
        ? 'no PR'
        : r.imported
          ? 'PR imported (no agent ran)'
          : undefined;
  // The fix loop gave up on its PR: why, as the item says it.
  const fixLoop =
    r.change?.stopReason && r.change.lifecycle === 'open' ? `fix loop: ${r.change.stopReason}` : undefined;
  // Errors usually name the replica already: then saying it was kept is enough.
  const kept =
    !r.replicaKept || !r.replicaId
      ? undefined
      : r.error?.includes(r.replicaId)
        ? 'replica kept'
        : `replica ${r.replicaId} kept`;
  const error = kept === 'replica kept' ? `${r.error} (replica kept)` : r.error;
  return [change, fixLoop, error, kept === 'replica kept' ? undefined : kept].filter(Boolean).join('; ');
}

/** `#12` for a GitHub-style pull request URL, else the URL itself. */
export function prLabel(url: string): string {
  const match = /\/pull\/(\d+)(?:[/?#].*)?$/.exec(url);
  return match ? `#${match[1]}` : url;
}

const seconds = (r: ItemRecord, nowMs: number) => {
  const ms = runMs(r, nowMs);
  return ms === undefined ? undefined : Math.round(ms / 1000);
};

/** The PR columns of the table, when the campaign follows its PRs. */
const TABLE_CHANGE_HEADER = ['PR STATE', 'CHECKS', 'REVIEW', 'MERGEABLE', 'FIX TURNS'];

function tableChangeCells(r: ItemRecord): string[] {
  const row = pullRequestRow(r);
  return row
    ? [row.state, checksText(row), row.review, row.mergeability, fixTurnsCell(r) || '-']
    : ['-', '-', '-', '-', '-'];
}

/**
 * A plain-text table of item records: where every repository stands, its PRs (and, when the campaign
 * follows them, their state, checks, review, mergeability and fix turns), and what went wrong; with
 * the campaign's progress, a last line of where its PRs stand (merged share, fix turns).
 */
export function recordsTable(
  records: readonly ItemRecord[],
  nowMs = Date.now(),
  progress?: CampaignProgress,
): string {
  const tracked = followsPullRequests(records);
  const rows = records.map((r) => {
    const ms = runMs(r, nowMs);
    return [
      r.key,
      r.state,
      String(r.attempt),
      r.repository ?? '-',
      r.prs?.join(' ') || '-',
      ...(tracked ? tableChangeCells(r) : []),
      ms === undefined ? '-' : humanDuration(ms),
      r.costUsd === undefined ? '-' : usd(r.costUsd),
      recordNote(r),
    ];
  });
  const header = [
    'ITEM',
    'STATE',
    'RUN',
    'REPOSITORY',
    'PULL REQUESTS',
    ...(tracked ? TABLE_CHANGE_HEADER : []),
    'TIME',
    'COST',
    'ERROR / KEPT REPLICA',
  ];
  const standing = progress && pullRequestsText(progress);
  return [textTable(header, rows), ...(standing ? [standing] : [])].join('\n');
}

/** The columns of the CSV, in order; their names are part of the documented output. */
export const CSV_COLUMNS = [
  'key',
  'state',
  'attempt',
  'wave',
  'repository',
  'branch',
  'pull_requests',
  'error',
  'last_message',
  'replica_id',
  'replica_kept',
  'turns',
  'started_at',
  'ended_at',
  'seconds',
  'cost_usd',
  'pull_request',
  'outcome',
  'pr_state',
  'checks',
  'review',
  'mergeability',
  'merged_at',
  'fix_turns',
  'fix_stop_reason',
] as const;

function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** RFC 4180 CSV, one row per item; PR URLs separated by spaces within their cell. */
export function recordsCsv(records: readonly ItemRecord[], nowMs = Date.now()): string {
  const rows = records.map((r) => {
    const change = pullRequestRow(r);
    return [
      r.key,
      r.state,
      r.attempt,
      r.wave,
      r.repository,
      r.branch,
      r.prs?.join(' '),
      r.error,
      r.lastMessage,
      r.replicaId,
      r.replicaKept ?? false,
      r.turns,
      iso(r.startedAtMs),
      iso(r.endedAtMs),
      seconds(r, nowMs),
      r.costUsd,
      r.pullRequest,
      outcomeOf(r),
      change?.state,
      // The checks' state only: the failing checks' names are in `campaign prs` and `campaign item`.
      change?.checks,
      change?.review,
      change?.mergeability,
      change?.mergedAt,
      fixTurnsCell(r) || undefined,
      change?.stopReason,
    ]
      .map(csvCell)
      .join(',');
  });
  return csvText(CSV_COLUMNS, rows);
}

const csvText = (header: readonly string[], rows: string[]) =>
  [header.join(','), ...rows].join('\r\n') + '\r\n';

/** The burndown of what landed as CSV (`results --format csv --burndown`), one row per sample. */
export function burndownCsv(points: readonly ChangeBurndownPoint[]): string {
  const rows = points.map((p) =>
    [Math.round(p.atMs), p.opened, p.merged, p.closed, p.openRed, p.openGreen, p.fixTurns].join(','),
  );
  return csvText(CHANGE_BURNDOWN_CSV_COLUMNS, rows);
}

const mdCell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** One-line summary of a campaign for documents: state, counts, PRs, spend, why it stopped. */
export function summaryLine(p: CampaignProgress): string {
  const counts = Object.entries(p.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state.replace('_', ' ')}`)
    .join(', ');
  const budget = p.budgetUsd === undefined ? '' : ` of ${usd(p.budgetUsd)}`;
  const stop = p.stopReason ? `; stopped starting: ${describeStopReason(p.stopReason)}` : '';
  const outcomes = outcomeParts(p)
    .map((part) => `; ${part}`)
    .join('');
  return `${p.state}: ${p.total} items (${counts || 'none'}); ${p.prsOpened} PRs${outcomes}; spent ${usd(p.spentUsd)}${budget}${stop}`;
}

const mdTable = (header: string[], rows: string[][]) => [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => ' --- ').join('|')}|`,
  ...rows.map((cells) => `| ${cells.join(' | ')} |`),
];

/** The burndown's start, quarter points and last sample, as a Markdown table. */
function burndownMarkdown(points: readonly ChangeBurndownPoint[]): string[] {
  const header = ['Time (UTC)', 'Opened', 'Merged', 'Closed', 'Open, red', 'Open, green', 'Fix turns'];
  const rows = milestones(points).map((p) =>
    [utcTime(p.atMs), p.opened, p.merged, p.closed, p.openRed, p.openGreen, p.fixTurns].map(String),
  );
  return ['### What landed', '', ...mdTable(header, rows), ''];
}

/**
 * A Markdown report (for an issue or a PR description): the summary, then one table row per item, and
 * when the campaign follows its PRs, where each stands and the burndown of what landed.
 */
export function recordsMarkdown(
  progress: CampaignProgress,
  records: readonly ItemRecord[],
  nowMs = Date.now(),
): string {
  const burndown = campaignChangeBurndown(progress, records, nowMs);
  const tracked = followsPullRequests(records);
  const header = [
    'Item',
    'State',
    'Repository',
    'Pull requests',
    ...(tracked ? ['PR state', 'Fix turns'] : []),
    'Time',
    'Cost',
    'Error / last message',
  ];
  const rows = records.map((r) => {
    const ms = runMs(r, nowMs);
    const prs = (r.prs ?? []).map((url) => `[${mdCell(prLabel(url))}](${url.replace(/\)/g, '%29')})`);
    const note = [recordNote(r), r.prs?.length ? '' : (r.lastMessage ?? '')].filter(Boolean).join(' — ');
    const change = pullRequestRow(r);
    return [
      mdCell(r.key),
      r.state,
      mdCell(r.repository ?? ''),
      prs.join(' '),
      ...(tracked ? [change ? mdCell(changeSummary(change)) : '', fixTurnsCell(r)] : []),
      ms === undefined ? '' : humanDuration(ms),
      r.costUsd === undefined ? '' : usd(r.costUsd),
      mdCell(note),
    ];
  });
  const title = `## Campaign ${mdCell(progress.campaignId)}${progress.name ? ` — ${mdCell(progress.name)}` : ''}`;
  const standing = pullRequestsText(progress);
  return [
    title,
    '',
    mdCell(summaryLine(progress)),
    '',
    ...(standing ? [mdCell(standing), ''] : []),
    ...mdTable(header, rows),
    '',
    ...(burndown.length ? burndownMarkdown(burndown) : []),
  ].join('\n');
}
