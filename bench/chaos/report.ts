import type { ChaosReport } from './chaos';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The run as a table for people: every measure, the disruptions, what the simulator injected. */
export function formatReport(report: ChaosReport): string {
  const m = report.measures;
  const d = m?.duplicateKinds;
  const stall = report.longestStall;
  const kills = report.kills
    .map((k) => `${k.target} at ${seconds(k.atMs)} (back after ${seconds(k.backAfterMs)})`)
    .join(', ');
  const { faults, webhooks } = report.injected;
  const rows: [string, string][] = [
    [
      'duplicates',
      m && d
        ? `${m.counts.duplicates} (names created again ${d.namesCreatedAgain}, of them alive at once ${d.sameNameAlive}; duplicate turns ${d.duplicateTurns}; duplicate records ${d.duplicateRecords}; items with two PR sets ${d.itemsWithTwoPrSets})`
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
      'longest time without progress',
      `${seconds(stall.ms)} (from ${seconds(stall.fromMs)} to ${seconds(stall.toMs)})`,
    ],
    ['wall time', seconds(report.wallMs)],
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
    `kills: ${kills || 'none'}`,
    `unexpected exits: ${JSON.stringify(report.unexpectedExits)}`,
    `injected: 5xx ${faults.serverErrors}, 429 ${faults.rateLimited}, dropped answers ${faults.droppedResponses}, slept mid-turn ${faults.sleptMidTurn}, errored ${faults.errored}; webhooks dropped ${webhooks.dropped}, duplicated ${webhooks.duplicated}, reordered ${webhooks.reordered}, given up ${webhooks.gaveUp}; replicas created ${report.injected.replicasCreated}`,
    '',
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
    report.passed ? 'PASS' : `FAIL\n${report.problems.map((p) => `  - ${p}`).join('\n')}`,
    ...(report.logDir ? [`logs: ${report.logDir}`] : []),
  ].join('\n');
}
