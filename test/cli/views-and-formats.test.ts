import { describe, expect, it } from 'vitest';
import { campaignListQuery } from '../../src/campaign-client/list';
import { DEFAULT_MINUTES_PER_ITEM, planCampaign } from '../../src/campaign-client/plan';
import { cronProblem, intervalProblem } from '../../src/campaign-client/schedule-specs';
import { formatPlan } from '../../src/cli/commands/campaign-plan';
import type { CampaignProgress, CampaignSpec, ItemRecord } from '../../src/contracts';
import { burndown } from '../../src/cli/format/burndown';
import { changeBurndown, changeBurndownSummary, milestones } from '../../src/cli/format/change-burndown';
import { htmlReport } from '../../src/cli/format/html-report';
import { changeLines } from '../../src/cli/format/pull-request-cells';
import {
  burndownCsv,
  CSV_COLUMNS,
  prLabel,
  recordNote,
  recordsCsv,
  recordsMarkdown,
  recordsTable,
  summaryLine,
} from '../../src/cli/format/records';
import { etaMs, Throughput } from '../../src/cli/views/throughput';
import { BEGAN, NOW, trackedProgress, trackedRecords } from './tracked-records';
import {
  eventLine,
  newEvents,
  renderWatch,
  statusLine,
  statusSignature,
  watchEnded,
} from '../../src/cli/views/watch-view';

const T0 = Date.parse('2026-11-03T10:00:00Z');

function progress(overrides: Partial<CampaignProgress> = {}): CampaignProgress {
  return {
    campaignId: 'lint-2026-11',
    name: 'Upgrade the linter',
    state: 'running',
    total: 10,
    counts: { pending: 4, running: 2, succeeded: 3, failed: 1, timed_out: 0, cancelled: 0, skipped: 0 },
    prsOpened: 3,
    startedAt: new Date(T0).toISOString(),
    concurrency: 2,
    spentUsd: 0.12,
    projectedUsd: 0.2,
    budgetUsd: 5,
    shards: 1,
    recent: [
      { atMs: T0 + 1000, key: 'acme__api', kind: 'started' },
      { atMs: T0 + 2000, key: 'acme__web', kind: 'succeeded', detail: 'https://github.com/acme/web/pull/12' },
      { atMs: T0 + 3000, key: 'acme__docs', kind: 'failed', detail: 'workspace errored: out of memory' },
    ],
    ...overrides,
  };
}

describe('the watch view', () => {
  it('draws a bar, the counts, rate and ETA, spend against the budget and the latest events, each line within the width', () => {
    const lines = renderWatch(
      { progress: progress(), nowMs: T0 + 65_000, itemsPerSecond: 0.5, etaMs: 12_000 },
      { width: 60, colour: false },
    );
    const text = lines.join('\n');
    expect(lines[0]).toMatch(/^lint-2026-11 \(Upgrade the linter\) · running · 1m 05s$/);
    expect(lines[1]).toMatch(/^[█▒░]+ +40% {2}4\/10 done$/);
    expect(text).toContain('succeeded 3  failed 1  running 2  pending 4');
    expect(text).toMatch(/0\.5 items\/s, ETA 12s · PRs 3 · spent \$0\.120/);
    expect(text).toMatch(/PR opened +acme__web +https:\/\/github\.com\/acm…$/m);
    expect(text).toMatch(/failed +acme__docs +workspace errored/);
    expect(text).not.toContain('\x1b[');
    for (const line of lines) expect(line.length).toBeLessThan(60);
  });

  it('colours only when asked, and says what to do about a paused campaign or failures at the end', () => {
    const paused = renderWatch(
      { progress: progress({ state: 'paused' }), nowMs: T0 },
      { width: 200, colour: true },
    );
    expect(paused.join('\n')).toContain('\x1b[32m');
    expect(paused.join('\n')).toContain("'replica-fleet campaign resume lint-2026-11' starts items again");
    const ended = progress({
      state: 'finished',
      finishedAt: new Date(T0 + 90_000).toISOString(),
      counts: { pending: 0, running: 0, succeeded: 9, failed: 1, timed_out: 0, cancelled: 0, skipped: 0 },
    });
    const line = statusLine({ progress: ended, nowMs: T0 + 95_000 });
    expect(line).toMatch(
      /lint-2026-11 finished: 10\/10 done \(100%\) \| succeeded 9, failed 1, running 0, pending 0/,
    );
    expect(line).toContain('took 1m 30s');
    expect(line).toContain("'replica-fleet campaign results lint-2026-11 --state failed' lists them");
  });

  it('tells new events and real changes apart, and ends when nothing runs or can start', () => {
    const before = progress();
    const after = progress({
      recent: [...before.recent, { atMs: T0 + 4000, key: 'acme__infra', kind: 'started' }],
    });
    expect(newEvents(before.recent, after.recent).map((e) => e.key)).toEqual(['acme__infra']);
    expect(statusSignature(before)).toBe(statusSignature(after));
    expect(statusSignature(before)).not.toBe(statusSignature(progress({ prsOpened: 4 })));
    expect(eventLine({ atMs: T0, key: 'k', kind: 'succeeded' })).toMatch(/done, no PR {2}k$/);
    expect(watchEnded(progress({ state: 'finished' }))).toBe(true);
    expect(watchEnded(progress({ state: 'paused' }))).toBe(false);
    expect(watchEnded(progress({ state: 'cancelled' }))).toBe(false);
    const cancelled = progress({ state: 'cancelled' });
    expect(watchEnded({ ...cancelled, counts: { ...cancelled.counts, running: 0 } })).toBe(true);
  });

  it('measures items per second over the last minute, and the ETA from it', () => {
    const rate = new Throughput(60_000);
    rate.add(T0, 0);
    expect(rate.perSecond()).toBeUndefined();
    expect(rate.perSecond({ startedAtMs: T0 - 10_000 })).toBeUndefined(); // nothing finished yet
    rate.add(T0 + 10_000, 5);
    expect(rate.perSecond()).toBe(0.5);
    for (let s = 20; s <= 120; s += 10) rate.add(T0 + s * 1000, 5 + (s - 10) / 10);
    expect(rate.perSecond()).toBeCloseTo(0.1, 5);
    expect(etaMs(30, 0.1)).toBe(300_000);
    expect(etaMs(30, 0)).toBeUndefined();
    expect(etaMs(0, undefined)).toBe(0);
  });
});

const records: ItemRecord[] = [
  {
    key: 'acme__api',
    state: 'succeeded',
    attempt: 1,
    repository: 'acme/api',
    branch: 'replicas/fix',
    prs: ['https://github.com/acme/api/pull/7'],
    startedAtMs: T0,
    endedAtMs: T0 + 60_000,
    costUsd: 0.008,
  },
  {
    key: 'acme__web',
    state: 'failed',
    attempt: 2,
    repository: 'acme/web',
    replicaId: 'r-1',
    replicaKept: true,
    error: 'tests failed, "lint" step: exit 1',
    lastMessage: 'I could not make the tests pass:\nthe fixture | is broken',
    startedAtMs: T0 + 30_000,
    endedAtMs: T0 + 120_000,
    costUsd: 0.012,
  },
  { key: 'acme__docs', state: 'running', attempt: 1, startedAtMs: T0 + 90_000 },
  { key: 'acme__infra', state: 'pending', attempt: 1 },
];

describe('results formats', () => {
  it('CSV: the documented columns, one row per item, quoted where needed', () => {
    const lines = recordsCsv(records, T0 + 150_000)
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + records.length);
    expect(lines[1]).toBe(
      'acme__api,succeeded,1,,acme/api,replicas/fix,https://github.com/acme/api/pull/7,,,,false,,2026-11-03T10:00:00.000Z,2026-11-03T10:01:00.000Z,60,0.008,,,,,,,,,',
    );
    expect(lines[2]).toContain('"tests failed, ""lint"" step: exit 1"');
    expect(lines.join('\n')).toContain('"I could not make the tests pass:');
  });

  it('Markdown: a summary and a table whose cells cannot break it', () => {
    const md = recordsMarkdown(progress(), records, T0 + 150_000);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| --- '));
    expect(rows).toHaveLength(1 + records.length);
    expect(md).toContain('[#7](https://github.com/acme/api/pull/7)');
    expect(md).toContain('the fixture \\| is broken');
    expect(md).toMatch(/^## Campaign lint-2026-11 — Upgrade the linter/);
  });

  it('notes a kept replica once, and labels pull requests by number', () => {
    expect(recordNote(records[1] as ItemRecord)).toBe('tests failed, "lint" step: exit 1; replica r-1 kept');
    expect(recordNote({ ...(records[1] as ItemRecord), error: 'replica r-1 failed' })).toBe(
      'replica r-1 failed (replica kept)',
    );
    // A failure that left a PR, and a success without one, say so in every view that notes a record.
    const failedWithPr = { ...(records[1] as ItemRecord), prs: ['https://github.com/acme/web/pull/9'] };
    expect(recordNote({ ...failedWithPr, pullRequest: 'https://github.com/acme/web/pull/9' })).toMatch(
      /^left PR https:\/\/github.com\/acme\/web\/pull\/9 \(retry-failed continues it\); tests failed/,
    );
    expect(recordNote({ key: 'k', state: 'succeeded', attempt: 1 })).toBe('no PR');
    expect(summaryLine({ ...progress(), outcomes: { succeededWithoutPr: 2, failedWithPr: 1 } })).toContain(
      'PRs; 2 succeeded without a PR; 1 failed with a PR; spent',
    );
    expect(prLabel('https://github.com/acme/api/pull/7')).toBe('#7');
    expect(prLabel('https://gitlab.example/merge/3')).toBe('https://gitlab.example/merge/3');
  });

  it('burndown: items by state over time, from the timings', () => {
    const points = burndown(records, { nowMs: T0 + 150_000, samples: 6 });
    expect(points).toHaveLength(6);
    expect(points[0]?.atMs).toBe(T0);
    expect(points.at(-1)?.atMs).toBe(T0 + 150_000); // something still runs: up to now
    expect(points[0]?.counts).toMatchObject({ running: 1, pending: 3, succeeded: 0 });
    expect(points.at(-1)?.counts).toMatchObject({ succeeded: 1, failed: 1, running: 1, pending: 1 });
    for (const p of points) expect(Object.values(p.counts).reduce((a, b) => a + b, 0)).toBe(records.length);
  });

  it('HTML: one file with its styles, chart and script inline, every value escaped', () => {
    const html = htmlReport(progress({ name: '<b>x</b>' }), records, T0 + 150_000);
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|@import|url\(/);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html.match(/<tr data-state=/g)).toHaveLength(records.length);
    expect(html.match(/<path class="area"/g)?.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('<a href="https://github.com/acme/api/pull/7">#7</a>');
  });
});

describe('pull requests in results, and the burndown of what landed', () => {
  const minutes = (n: number) => BEGAN + n * 60_000;

  it('counts PRs opened, merged, closed, open and red, open and green at each sample, from the records', () => {
    const points = changeBurndown(trackedRecords, { nowMs: NOW, startMs: BEGAN, samples: 7 });
    const at = (n: number) => points.find((p) => p.atMs === minutes(n));
    expect(points.map((p) => p.atMs)).toEqual([0, 10, 20, 30, 40, 50, 60].map(minutes));
    expect(at(0)).toMatchObject({ opened: 0, merged: 0, closed: 0, openRed: 0, openGreen: 0 });
    // infra went green at 8 but fails now: when it turned red is not kept, so it is red all along.
    expect(at(10)).toMatchObject({ opened: 2, merged: 0, closed: 0, openRed: 2, openGreen: 0 });
    expect(at(20)).toMatchObject({ opened: 4, merged: 0, closed: 0, openRed: 3, openGreen: 1 });
    expect(at(30)).toMatchObject({ opened: 4, merged: 1, closed: 0, openRed: 2, openGreen: 1 });
    // A merged PR has a close time too; it counts as merged only.
    expect(at(60)).toMatchObject({ opened: 4, merged: 1, closed: 1, openRed: 1, openGreen: 1 });
    for (const p of points) expect(p.merged + p.closed + p.openRed + p.openGreen).toBe(p.opened);
    expect(changeBurndown(trackedRecords, { nowMs: NOW }).length).toBe(50);
    expect(changeBurndown(records, { nowMs: NOW })).toEqual([]); // no PR read from the code host
  });

  it('ends at the last event once every PR has merged or closed, and keeps a few rows for documents', () => {
    const ended = trackedRecords.filter((r) => r.change?.lifecycle !== 'open');
    const points = changeBurndown(ended, { nowMs: minutes(600), samples: 9 });
    expect(points[0]?.atMs).toBe(minutes(10)); // without the campaign's start: the first PR
    expect(points.at(-1)).toMatchObject({ atMs: minutes(40), opened: 2, merged: 1, closed: 1 });
    expect(milestones(points).map((p) => p.atMs)).toEqual([10, 17.5, 25, 32.5, 40].map(minutes));
  });

  it("table, CSV and Markdown show each PR's state, checks, review, mergeability, fix turns and why the loop stopped; CSV and Markdown the series", () => {
    const table = recordsTable(trackedRecords, NOW, trackedProgress).split('\n');
    expect(table[0]).toMatch(/PULL REQUESTS +PR STATE +CHECKS +REVIEW +MERGEABLE +FIX TURNS +TIME/);
    expect(table.find((l) => l.startsWith('infra'))).toMatch(
      /open +failing: test, e2e <slow> +changes-requested +blocked +2 .* fix loop: 2 fix turns used; checks still failing: test, e2e <slow>$/,
    );
    expect(table.find((l) => l.startsWith('api'))).toMatch(/merged +passing +approved +clean +1 /);
    expect(table.find((l) => l.startsWith('docs'))).toMatch(/ clean +0 /);
    expect(table.find((l) => l.startsWith('unread'))).toMatch(/ unknown +unknown +unknown +unknown +- /);
    // The campaign's standing closes the table: the share of the PRs opened that merged, the fix turns.
    expect(table.at(-1)).toMatch(
      /^PRs: 1 merged, .*\(merged 25% of 4 opened\).*; 3 fix turn\(s\) sent, 1 stopped short/,
    );
    expect(recordsTable(records, NOW)).not.toContain('PR STATE'); // PRs not followed: no PR columns

    const csv = recordsCsv(trackedRecords, NOW).trimEnd().split('\r\n');
    expect(csv[0]).toMatch(
      /,pull_request,outcome,pr_state,checks,review,mergeability,merged_at,fix_turns,fix_stop_reason$/,
    );
    expect(csv.find((l) => l.startsWith('api,'))).toMatch(
      /,merged,passing,approved,clean,2026-12-01T09:30:00.000Z,1,$/,
    );
    expect(csv.find((l) => l.startsWith('infra,'))).toMatch(
      /,open,failing,changes-requested,blocked,,2,"2 fix turns used; checks still failing: test, e2e <slow>"$/,
    );
    expect(csv.find((l) => l.startsWith('unread,'))).toMatch(/,unknown,unknown,unknown,,,$/);

    const points = changeBurndown(trackedRecords, { nowMs: NOW, startMs: BEGAN, samples: 7 });
    const series = burndownCsv(points);
    expect(series.split('\r\n').slice(0, 2)).toEqual([
      'at_ms,opened,merged,closed,open_red,open_green,fix_turns',
      `${BEGAN},0,0,0,0,0,0`,
    ]);
    // Fix turns at 12, 14 and 24 minutes: one by the sample at 10? none; two by 20; three by 30.
    expect(points.map((p) => p.fixTurns)).toEqual([0, 0, 2, 3, 3, 3, 3]);
    expect(series.trimEnd().split('\r\n').at(-1)).toBe(`${NOW},4,1,1,1,1,3`);
    expect(changeBurndownSummary(points)).toEqual({ points, fixTurns: 3, mergedShare: 0.25 });
    expect(changeBurndownSummary([])).toEqual({ points: [], fixTurns: 0 });

    const md = recordsMarkdown(trackedProgress, trackedRecords, NOW);
    expect(md).toContain('| Pull requests | PR state | Fix turns | Time |');
    expect(md).toMatch(
      /\| infra \|.*\| open, checks failing: test, e2e <slow>, review changes-requested, blocked \| 2 \|.*fix loop: 2 fix turns used/,
    );
    expect(md).toContain('(merged 25% of 4 opened)');
    expect(md).toContain('3 fix turn(s) sent');
    const landed = md.slice(md.indexOf('### What landed'));
    expect(landed).toContain(
      '| Time (UTC) | Opened | Merged | Closed | Open, red | Open, green | Fix turns |',
    );
    expect(landed.split('\n').filter((l) => /^\| 2026-/.test(l))).toEqual([
      '| 2026-12-01 09:00:00 | 0 | 0 | 0 | 0 | 0 | 0 |',
      expect.stringMatching(/^\| 2026-12-01 09:1\d:\d\d \|/),
      expect.stringMatching(/^\| 2026-12-01 09:[23]\d:\d\d \|/),
      expect.stringMatching(/^\| 2026-12-01 09:4\d:\d\d \|/),
      '| 2026-12-01 10:00:00 | 4 | 1 | 1 | 1 | 1 | 3 |',
    ]);
    expect(recordsMarkdown(progress(), records, NOW)).not.toContain('What landed');
  });

  it("campaign item: the PR's state with the failing checks, review, mergeability, when it moved, each fix turn and why the loop stopped", () => {
    const infra = trackedRecords.find((r) => r.key === 'infra')?.change;
    const api = trackedRecords.find((r) => r.key === 'api')?.change;
    expect(changeLines({ ...infra!, draft: true })).toEqual([
      [
        'PR state',
        'open (draft), checks failing: test, e2e <slow>, review changes-requested, mergeability blocked',
      ],
      ['PR times', 'opened 2026-12-01 09:05:00 UTC, green 2026-12-01 09:08:00 UTC'],
      ['fix turn 1', 'checks-failing on head-1 at 2026-12-01 09:14:00 UTC: sent'],
      ['fix turn 2', 'checks-failing on head-2 at 2026-12-01 09:24:00 UTC: sent'],
      ['fix loop', '2 fix turns used; checks still failing: test, e2e <slow>'],
    ]);
    expect(changeLines({ ...api!, problem: 'repository archived', fixTurns: undefined })).toEqual([
      ['PR state', 'merged, checks passing, review approved, mergeability clean'],
      [
        'PR times',
        'opened 2026-12-01 09:10:00 UTC, green 2026-12-01 09:20:00 UTC, approved 2026-12-01 09:25:00 UTC, merged 2026-12-01 09:30:00 UTC',
      ],
      ['PR problem', 'repository archived'],
    ]);
  });

  it('HTML: a second chart of the PRs, each series with a texture and a name besides its colour, and PR columns', () => {
    const html = htmlReport(trackedProgress, trackedRecords, NOW);
    const chart = html.slice(
      html.indexOf('<svg id="pr-burndown"'),
      html.indexOf('</svg>', html.indexOf('<svg id="pr-burndown"')),
    );
    const series = [
      ...chart.matchAll(/<path class="area" data-series="(\w+)" fill="url\(#pr-burndown-\w+\)"/g),
    ].map((m) => m[1]);
    expect(series).toEqual(['merged', 'closed', 'openGreen', 'openRed']);
    expect(chart).toContain('data-series="opened"');
    expect(chart).toMatch(/<text class="end-label" data-series="openRed"[^>]*>open, red 1<\/text>/);
    expect(html).toContain('<div class="legend" id="pr-burndown-legend">');
    expect(html.indexOf('id="burndown"')).toBeLessThan(html.indexOf('id="pr-burndown"'));
    expect(html).toContain('<td data-pr-state="open">open</td><td>failing: test, e2e &lt;slow&gt;</td>');
    // Per PR its fix turns (a sortable number) and why the loop stopped; per campaign the share merged.
    expect(html).toContain('<th data-type="number">Fix turns</th>');
    expect(html).toMatch(
      /<td>blocked<\/td><td data-sort="2">2<\/td>.*fix loop: 2 fix turns used; checks still failing: test, e2e &lt;slow&gt;/,
    );
    expect(html).toContain('<dt>merged</dt><dd>25% (1 of 4)</dd>');
    expect(html).toContain('<dt>fix turns</dt><dd>3</dd>');
    expect(chart.match(/<line class="mark" data-series="fixTurns"/g)).toHaveLength(3);
    expect(chart).toContain('<title>fix turn 2 on infra (checks-failing) at 2026-12-01 09:24:00 UTC</title>');
    expect(html).toContain('Land the &lt;linter&gt; upgrade');
    expect(htmlReport(progress(), records, NOW)).not.toContain('pr-burndown'); // PRs not followed
  });
});

describe('plan figures', () => {
  const spec = (overrides: Partial<CampaignSpec> = {}): CampaignSpec => ({
    job: { message: 'x', followUps: ['again'], size: 'small' },
    items: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, environmentId: 'e' })),
    concurrency: 10,
    ...overrides,
  });

  it('duration, spend and API calls from the estimate, concurrency and pacing', () => {
    const plan = planCampaign(spec({ estimatedMinutesPerItem: 20, budgetUsd: 10 }), { apiRatePerSecond: 10 });
    expect(plan.items).toEqual({ total: 100, run: 100, skipped: 0, environmentsToCreate: 0 });
    expect(plan.minutesPerItem).toEqual({ min: 10, max: 30, estimated: true });
    expect(plan.durationMinutes).toEqual({ min: 100, max: 300 }); // 10 rounds of 10 items
    expect(plan.spend.projectedUsd).toBe(16); // 100 × 20 min × $0.008
    expect(plan.spend.ceilingUsd).toBe(1152); // 100 × 24 h × $0.008
    expect(plan.spend.itemsWithinBudget).toBe(62);
    // A retry-failed round of the assumed 10%: 10 more runs of 20 min.
    expect(plan.spend.retry).toEqual({ failurePercent: 10, roundUsd: 1.6, projectedWithRetryUsd: 17.6 });
    const threshold = planCampaign(spec({ failureThreshold: { percent: 25, minFinished: 5 } }));
    expect(threshold.spend.retry.failurePercent).toBe(25);
    // create, first look, delete, follow-up send and look: 5; plus safety looks every 5 min.
    expect(plan.apiCalls.webhooks).toEqual({ min: 100 * (5 + 2), max: 100 * (5 + 1 + 6) });
    expect(plan.turnsPerItem).toBe(2);
    expect(plan.assumptions.join('\n')).toMatch(/half to one and a half times estimatedMinutesPerItem/);
  });

  it('projects fix turns with the fix loop: the expected turns per PR bounded by maxFixTurns, priced as one turn each, against the budget', () => {
    const fixes = { fixes: 'campaign' as const, maxFixTurns: 3 };
    const plan = planCampaign(spec({ estimatedMinutesPerItem: 20, budgetUsd: 20, fixes }));
    // A head needs another turn with a 30% chance: 0.3 + 0.09 + 0.027 per PR. A turn is half the
    // estimate (the instruction and one follow-up): 10 min at $0.008.
    expect(plan.spend.fixTurns).toEqual({
      maxPerPr: 3,
      needPercent: 30,
      expectedPerPr: 0.42,
      expectedTurns: 42,
      minutesPerTurn: 10,
      perTurnUsd: 0.08,
      projectedUsd: 3.34,
      maxUsd: 24,
    });
    expect(plan.spend.projectedWithFixTurnsUsd).toBe(19.34);
    expect(plan.assumptions.join('\n')).toMatch(/each head commit needs another turn with a 30% chance/);
    const text = formatPlan(plan);
    expect(text).toMatch(
      /\nfix turns +about 42 \(0\.42 per PR, at most 3\) at \$0\.080 each: \$3\.34 projected, at most \$24\.00; \$19\.34 with the items\n/,
    );
    expect(text).toMatch(/\nbudget +\$20\.00: covers every item and the expected fix turns at the estimate/);
    // A budget the items fit in but the fix turns do not says so.
    expect(formatPlan(planCampaign(spec({ estimatedMinutesPerItem: 20, budgetUsd: 18, fixes })))).toMatch(
      /covers every item at the estimate, not every expected fix turn: no fix turn starts past it/,
    );
    // One turn at most: only the first need counts; none without the campaign's fix loop.
    const once = planCampaign(spec({ estimatedMinutesPerItem: 20, fixes: { ...fixes, maxFixTurns: 1 } }));
    expect(once.spend.fixTurns).toMatchObject({ expectedPerPr: 0.3, expectedTurns: 30, maxUsd: 8 });
    for (const off of [
      spec({ fixes: { fixes: 'off', maxFixTurns: 3 } }),
      spec({ fixes: { fixes: 'platform', maxFixTurns: 3 } }),
      spec(),
      spec({ fixes, tracking: false }),
    ]) {
      expect(planCampaign(off).spend.fixTurns).toBeUndefined();
      expect(formatPlan(planCampaign(off))).not.toContain('fix turns');
    }
  });

  it('assumes a default range without an estimate; pacing and waves stretch the duration', () => {
    const plan = planCampaign(
      spec({ concurrency: 500, startsPerMinute: 10, rollout: { canary: 5, waves: ['50%'], approval: true } }),
    );
    expect(plan.minutesPerItem).toMatchObject({ ...DEFAULT_MINUTES_PER_ITEM, estimated: false });
    expect(plan.concurrency).toBe(100);
    expect(plan.durationMinutes.min).toBeCloseTo(9.9 + 10, 5); // starting all takes 9.9 min
    expect(plan.waves).toEqual([
      { wave: 0, items: 5, approval: false },
      { wave: 1, items: 45, approval: true },
      { wave: 2, items: 50, approval: true },
    ]);
  });

  it('counts what a targets preview matched, skipped and would create', () => {
    const plan = planCampaign(
      { job: { message: 'x', webhooks: false }, targets: { repositories: 'acme/*' } },
      {
        targets: {
          pattern: 'acme/*',
          apiCalls: 2,
          repositories: [
            { repository: 'acme/api', key: 'acme__api', action: 'run', environmentId: 'e1' },
            { repository: 'acme/x', key: 'acme__x', action: 'create_environment' },
            { repository: 'acme/y', key: 'acme__y', action: 'skip', reason: 'no environment' },
          ],
        },
      },
    );
    expect(plan.items).toEqual({ total: 3, run: 2, skipped: 1, environmentsToCreate: 1 });
    expect(plan.apiCalls.webhooks).toBeUndefined();
  });

  it('plans a glob that matched nothing (--allow-empty) as 0 items, never a duration whose minimum passes its maximum', () => {
    const targets = { pattern: 'acme/*-svc', apiCalls: 1, repositories: [] };
    for (const spec of [
      { job: { message: 'x' }, targets: { repositories: 'acme/*-svc' } },
      { job: { message: 'x' }, targets: { repositories: 'acme/*-svc' }, startsPerMinute: 5 },
    ] satisfies CampaignSpec[]) {
      const plan = planCampaign(spec, { targets });
      expect(plan.items).toEqual({ total: 0, run: 0, skipped: 0, environmentsToCreate: 0 });
      expect(plan.durationMinutes.min).toBeLessThanOrEqual(plan.durationMinutes.max);
      const duration = /\nduration +(.*)/.exec(formatPlan(plan))?.[1] ?? '';
      expect(duration).toMatch(/^\d+s \(an item: /); // one figure, the lookups' floor: not "1s – 0s"
    }
  });
});

describe('schedule timing and list query', () => {
  it('reads cron expressions as Temporal does and names the bad field', () => {
    for (const ok of [
      '0 2 * * *',
      '*/15 9-17 * * MON-FRI',
      '0 0 1 JAN *',
      '@daily',
      '@every 2h',
      'CRON_TZ=Europe/Paris 0 2 * * *',
    ])
      expect(cronProblem(ok), ok).toBeUndefined();
    expect(cronProblem('0 25 * * *')).toMatch(/^hour "25" must be/);
    expect(cronProblem('0 2 * *')).toMatch(/has 4 field\(s\); expected 5/);
    expect(cronProblem('@sometimes')).toMatch(/unknown shorthand/);
    expect(intervalProblem('24h')).toBeUndefined();
    expect(intervalProblem('soon')).toMatch(/positive duration/);
    expect(intervalProblem('0s')).toMatch(/positive duration/);
  });

  it('lists campaigns by workflow type, keeping those that carry no CampaignState yet', () => {
    expect(campaignListQuery()).toBe(
      `WorkflowType = 'campaignWorkflow' AND ExecutionStatus != 'ContinuedAsNew'`,
    );
    expect(campaignListQuery({ state: 'running', prefix: "it's" })).toBe(
      `WorkflowType = 'campaignWorkflow' AND ExecutionStatus != 'ContinuedAsNew' AND WorkflowId STARTS_WITH 'it\\'s' AND (CampaignState = 'running' OR CampaignState IS NULL)`,
    );
  });
});
