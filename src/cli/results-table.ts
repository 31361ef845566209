import { describeStopReason, type CampaignProgress, type ItemRecord } from '../contracts';

/** How long an item's current run took (or has taken), in whole seconds. */
export function runSeconds(record: ItemRecord, nowMs = Date.now()): number | undefined {
  if (record.startedAtMs === undefined) return undefined;
  return Math.round(((record.endedAtMs ?? nowMs) - record.startedAtMs) / 1000);
}

/** A plain-text table of item records: where every repository stands, and its PRs. */
export function formatRecords(records: ItemRecord[]): string {
  const rows = records.map((r) => {
    const seconds = runSeconds(r);
    return [
      r.key,
      r.state,
      String(r.attempt),
      r.prs?.join(' ') || '-',
      seconds === undefined ? '-' : `${seconds}s`,
      r.costUsd === undefined ? '-' : `$${r.costUsd.toFixed(3)}`,
      r.error ?? '',
    ];
  });
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
  const c = p.counts;
  const spend = `spent $${p.spentUsd.toFixed(3)}, projected $${p.projectedUsd.toFixed(3)}${
    p.budgetUsd === undefined ? '' : ` of $${p.budgetUsd}`
  }`;
  const parts = [
    p.state,
    `total ${p.total}`,
    `pending ${c.pending}`,
    `running ${c.running}`,
    `succeeded ${c.succeeded}`,
    `failed ${c.failed}`,
    `timed out ${c.timed_out}`,
    `cancelled ${c.cancelled}`,
    `skipped ${c.skipped}`,
    `PRs ${p.prsOpened}`,
    spend,
    `concurrency ${p.concurrency}`,
    ...(p.rollout
      ? [
          `wave ${p.rollout.wave + 1} of ${p.rollout.waves}${p.rollout.awaitingApproval ? ' (awaiting approval)' : ''}`,
        ]
      : []),
  ];
  const lines = [`${p.campaignId}${p.name ? ` (${p.name})` : ''}: ${parts.join(' | ')}`];
  if (p.stopReason) lines.push(`not starting new items: ${describeStopReason(p.stopReason)}`);
  if (p.closesAt) lines.push(`closes itself at ${p.closesAt} unless applied, retried or extended`);
  return lines.join('\n');
}
