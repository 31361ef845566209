import { commandsThatKeepOpen } from '../../campaign-client/accepted-commands';
import { describeStopReason, mergedShare, pullRequestsOpened, type CampaignProgress } from '../../contracts';

/**
 * Where the campaign's PRs stand on the code host, when it follows them: `PRs: 3 merged, 1 open, 0 draft,
 * 0 closed (merged 75% of 4 opened); open: 1 checks failing, 1 approved; 2 fix turn(s) sent`. Undefined
 * when it does not follow them.
 */
export function pullRequestsText(p: CampaignProgress): string | undefined {
  if (p.trackingProblem) return `PRs not followed: ${p.trackingProblem}`;
  const c = p.pullRequests;
  if (!c) return undefined;
  const opened = pullRequestsOpened(c);
  const open = [
    c.checksFailing && `${c.checksFailing} checks failing`,
    c.checksPending && `${c.checksPending} checks pending`,
    c.checksPassing && `${c.checksPassing} green`,
    c.approved && `${c.approved} approved`,
    c.changesRequested && `${c.changesRequested} changes requested`,
  ].filter(Boolean);
  const fixes = [
    c.fixTurns && `${c.fixTurns} fix turn(s) sent`,
    c.fixStopped && `${c.fixStopped} stopped short of mergeable ('campaign prs' says why)`,
    (c.actionsPending || c.actionsDone || c.actionsRefused || c.actionsFailed) &&
      `bulk actions: ${c.actionsDone ?? 0} done, ${c.actionsPending ?? 0} pending, ${c.actionsRefused ?? 0} refused, ${c.actionsFailed ?? 0} failed`,
  ].filter(Boolean);
  const expired = c.expired ? `, ${c.expired} no longer followed` : '';
  return `PRs: ${c.merged} merged, ${c.open} open, ${c.draft} draft, ${c.closed} closed${expired} (merged ${percent(mergedShare(c.merged, opened))} of ${opened} opened)${open.length ? `; open: ${open.join(', ')}` : ''}${fixes.length ? `; ${fixes.join(', ')}` : ''}`;
}

/** The merged share as people read it: `75%`, `0%` before any PR was read. */
export function percent(share: number | undefined): string {
  return `${Math.round((share ?? 0) * 100)}%`;
}

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
  const changes = pullRequestsText(p);
  if (changes) lines.push(changes);
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
