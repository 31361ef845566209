import type { CampaignProgress, ItemRecord } from '../contracts';

/** A plain-text table of item records: where every repository stands, and its PRs. */
export function formatRecords(records: ItemRecord[]): string {
  const rows = records.map((r) => [
    r.key,
    r.state,
    String(r.attempt),
    r.prs?.join(' ') || '-',
    r.durationMs === undefined ? '-' : `${Math.round(r.durationMs / 1000)}s`,
    r.costUsd === undefined ? '-' : `$${r.costUsd.toFixed(3)}`,
    r.error ?? '',
  ]);
  const header = ['ITEM', 'STATE', 'RUN', 'PULL REQUESTS', 'TIME', 'COST', 'ERROR'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatProgress(p: CampaignProgress): string {
  const parts = [
    `total ${p.total}`,
    `pending ${p.pending}`,
    `running ${p.running}`,
    `succeeded ${p.succeeded}`,
    `failed ${p.failed}`,
    `timed out ${p.timedOut}`,
    `cancelled ${p.cancelled}`,
    `skipped ${p.skipped}`,
    `PRs ${p.prsOpened}`,
    `est. cost $${p.estimatedCostUsd.toFixed(3)}`,
    `concurrency ${p.concurrency}${p.paused ? ' (paused)' : ''}`,
  ];
  return parts.join(' | ') + (p.stopReason ? `\nnot starting new items: ${p.stopReason}` : '');
}
