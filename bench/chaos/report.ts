import type { ChaosReport, ExecutedKill, RetryReport } from './chaos';
import type { PrPhaseReport } from './pr-phase';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const usd = (amount: number) => `${amount.toFixed(2)} USD`;

const describeKills = (kills: ExecutedKill[]) =>
  kills.map((k) => `${k.target} at ${seconds(k.atMs)} (back after ${seconds(k.backAfterMs)})`).join(', ') ||
  'none';

/** The retry phase in a few lines: what it re-ran, how those ended, where they ran, what it cost. */
function retryLines(retry: RetryReport): string[] {
  const { byRecords, bySimulator } = retry.workspaces;
  const ended = Object.entries(retry.ended)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return [
    `retry phase: ${retry.items} item(s) retried (${retry.withPr} with a PR to continue)${ended ? `, ended ${ended}` : ''}; ${seconds(retry.wallMs)} wall, longest time without progress ${seconds(retry.longestStall.ms)}`,
    `  workspaces: ${byRecords.kept} continued on the kept one, ${byRecords.new} on a new one (simulator: ${bySimulator.kept} kept, ${bySimulator.new} new)`,
    `  spend: ${usd(retry.spendUsd.before)} before, ${usd(retry.spendUsd.after)} after`,
    `  kills: ${describeKills(retry.kills)}`,
  ];
}

/** The pull-request phase: what it did and was done to it, then its five counts. */
function pullRequestLines(prs: PrPhaseReport): string[] {
  const m = prs.measures;
  const merge = prs.bulkMerge;
  const { webhooks } = prs.injected;
  const kills =
    prs.kills
      .map(
        (k) => `${k.target} during ${k.during} at ${seconds(k.atMs)} (back after ${seconds(k.backAfterMs)})`,
      )
      .join(', ') || 'none';
  const causes = m
    ? Object.entries(m.fixTurns.byCause)
        .map(([cause, n]) => `${n} ${cause}`)
        .join(', ')
    : '';
  const rows: [string, string][] = m
    ? [
        ['fix turns sent twice (same PR, cause, head)', String(m.counts.fixTurnsRepeated)],
        ['PRs merged not green and approved at their head', String(m.counts.mergedNotGreenApproved)],
        [
          'merge requests repeated for a PR',
          `${m.counts.mergeRequestsRepeated} (of ${m.mergeRequests} sent)`,
        ],
        [
          'forged GitHub deliveries accepted',
          `${m.counts.forgedAccepted} (${m.forged.sent} sent: ${m.forged.refused} refused, ${m.forged.unreachable} while the ingress was down)`,
        ],
        [
          `items stuck a sweep (${prs.sweepMs / 1000} s) after their PR changed`,
          `${m.counts.itemsStuck} (${m.judged} PRs judged${m.notSettled ? `, ${m.notSettled} still changing` : ''})`,
        ],
      ]
    : [['measures', 'n/a (the phase did not settle)']];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `pull-request phase: campaign ${prs.campaignId}, ${prs.items} items; ${seconds(prs.wallMs)} wall; campaign ${prs.campaignState}`,
    ...(m
      ? [
          `  PRs: ${m.prs.opened} opened, ${m.prs.merged} merged, ${m.prs.open} open, ${m.prs.closed} closed; fix turns: ${m.fixTurns.recorded} (${causes || 'none'}; ${m.fixTurns.failed} failed)`,
        ]
      : []),
    `  bulk merge: ${merge ? `${merge.asked} asked at ${merge.atS} s (${merge.skipped} skipped by the guard), ${JSON.stringify(merge.outcomes)}` : 'not issued'}`,
    `  kills: ${kills}`,
    `  injected by GitHub: 502 ${prs.injected.serverErrors}, secondary limits ${prs.injected.secondaryLimited}; deliveries dropped ${webhooks.dropped}, duplicated ${webhooks.duplicated}, reordered ${webhooks.reordered}, failed ${webhooks.failed} of ${webhooks.sent} sent (answers ${JSON.stringify(webhooks.answers)})`,
    ...rows.map(([name, value]) => `    ${name.padEnd(width)}  ${value}`),
  ];
}

/** The run as a table for people: every measure, the disruptions, what the simulator injected. */
export function formatReport(report: ChaosReport): string {
  const m = report.measures;
  const { retry } = report;
  const d = m?.duplicateKinds;
  const stall = report.longestStall;
  const { faults, webhooks } = report.injected;
  const rows: [string, string][] = [
    [
      'duplicates',
      m && d
        ? `${m.counts.duplicates} (names created again ${d.namesCreatedAgain}, of them alive at once ${d.sameNameAlive}; duplicate turns ${d.duplicateTurns}; duplicate records ${d.duplicateRecords})`
        : 'n/a',
    ],
    [
      'lost PRs',
      m
        ? `${m.counts.lostPrs} of ${m.prsOpened} opened${m.counts.lostPrs ? ` (by item state: ${JSON.stringify(m.lostPrsByItemState)})` : ''}`
        : 'n/a',
    ],
    ['lost turns (follow-ups not run)', m ? String(m.counts.lostTurns) : 'n/a'],
    ['leaked replicas', m ? String(m.counts.leakedReplicas) : 'n/a'],
    [
      "failed items without the platform's message",
      m ? `${m.counts.failedWithoutPlatformMessage} (${m.failedWithPlatformMessage} failed with it)` : 'n/a',
    ],
    ['failures by a fault that should be retried', m ? String(m.counts.failedByRetryableFault) : 'n/a'],
    ['items not finished', m ? String(m.counts.itemsNotFinished) : 'n/a'],
    [
      'items with more than one PR',
      m ? `${m.counts.secondPrs} (most PRs of an item ${m.mostPrsOfAnItem})` : 'n/a',
    ],
    ['spend reads lower than an earlier one', m ? String(m.counts.spendDecreased) : 'n/a'],
    [
      'longest time without progress',
      `${seconds(stall.ms)} (from ${seconds(stall.fromMs)} to ${seconds(stall.toMs)})`,
    ],
    ['wall time of the first pass', seconds(report.wallMs)],
    ['items/s', String(report.itemsPerSecond)],
    ['API calls per item', String(report.apiCallsPerItem)],
    [
      'item duration p50 / p95 / max',
      report.itemSeconds
        ? `${report.itemSeconds.p50} / ${report.itemSeconds.p95} / ${report.itemSeconds.max} s`
        : 'n/a',
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `chaos run: seed ${report.seed}, ${report.items} items, ${report.followUps} follow-up each, concurrency ${report.concurrency}; campaign ${report.campaignState}`,
    `kills: ${describeKills(report.kills)}`,
    `unexpected exits: ${JSON.stringify(report.unexpectedExits)}`,
    `injected: 5xx ${faults.serverErrors}, 429 ${faults.rateLimited}, dropped answers ${faults.droppedResponses}, slept mid-turn ${faults.sleptMidTurn}, errored ${faults.errored}; webhooks dropped ${webhooks.dropped}, duplicated ${webhooks.duplicated}, reordered ${webhooks.reordered}, given up ${webhooks.gaveUp}; replicas created ${report.injected.replicasCreated}`,
    ...(retry ? retryLines(retry) : ['retry phase: not run']),
    ...(report.prs ? pullRequestLines(report.prs) : ['pull-request phase: not run']),
    '',
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
    report.passed ? 'PASS' : `FAIL\n${report.problems.map((p) => `  - ${p}`).join('\n')}`,
    ...(report.logDir ? [`logs: ${report.logDir}`] : []),
  ].join('\n');
}
