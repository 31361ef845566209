import { commandsThatKeepOpen } from '../../campaign-client/accepted-commands';
import { describeStopReason, type CampaignProgress } from '../../contracts';

/** `2 succeeded without a PR`, `3 failed with a PR`: outcomes a count by state hides; none when zero. */
export function outcomeParts(p: CampaignProgress): string[] {
  const parts: string[] = [];
  if (p.outcomes?.succeededWithoutPr) parts.push(`${p.outcomes.succeededWithoutPr} succeeded without a PR`);
  if (p.outcomes?.failedWithPr) parts.push(`${p.outcomes.failedWithPr} failed with a PR`);
  return parts;
}
import { usd } from './units';

/** `campaign status`: every count, PRs, spend, rollout, and why nothing starts. */
export function formatProgress(p: CampaignProgress): string {
  const c = p.counts;
  const spend = `spent ${usd(p.spentUsd)}, projected ${usd(p.projectedUsd)}${
    p.budgetUsd === undefined ? '' : ` of ${usd(p.budgetUsd)}`
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
    ...outcomeParts(p),
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
  if (p.closesAt) lines.push(closingLine(p, p.closesAt));
  return lines.join('\n');
}

/** When an idle campaign closes itself, and what (of what its state accepts) would keep it open. */
function closingLine(p: CampaignProgress, closesAt: string): string {
  const keepOpen = commandsThatKeepOpen(p.state);
  if (keepOpen.length === 0)
    return `closes itself at ${closesAt}; it takes no more items ('replica-fleet campaign close ${p.campaignId}' closes it now)`;
  return `closes itself at ${closesAt} unless items run again first (campaign ${keepOpen.join(', ')})`;
}
