import { writeFileSync } from 'node:fs';
import { inspectItem, type ItemInspection } from '../../campaign-client/item-inspect';
import { listCampaigns, type CampaignListEntry } from '../../campaign-client/list';
import { campaignProgress, campaignRecords } from '../../campaign-client/reads';
import {
  CAMPAIGN_STATES,
  ITEM_OUTCOME_FILTERS,
  ITEM_STATES,
  outcomeOf,
  type ItemOutcomeFilter,
  type ItemRecord,
  type ItemState,
} from '../../contracts';
import { EXIT, UsageError, command, oneOf, required, wholeNumber } from '../command';
import { htmlReport } from '../format/html-report';
import { textTable } from '../format/text-table';
import { formatProgress } from '../format/progress';
import {
  CHANGE_BURNDOWN_CSV_COLUMNS,
  campaignChangeBurndown,
  changeBurndownSummary,
  type ChangeBurndown,
} from '../format/change-burndown';
import { changeLines } from '../format/pull-request-cells';
import { burndownCsv, recordsCsv, recordsMarkdown, recordsTable } from '../format/records';
import { humanDuration, runMs, usd, utcTime } from '../format/units';
import { withOptionalReplicas } from '../replicas-client';
import { EXIT_INTERRUPTED, printJson, screenOf, untilInterrupted } from '../terminal';
import { watchCampaign } from '../watch';
import { exitCodeOf } from './campaign-apply';
import { warnAboutWorkers, withCampaigns } from './campaign-shared';

export const status = command({
  name: 'status',
  summary: 'progress: counts, PRs, spend, rollout, why nothing starts',
  help: `Usage: replica-fleet campaign status ID [--json]

--json prints the campaign's progress object (see the README, "JSON output").

Example:
  replica-fleet campaign status lint-2026-11`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    return withCampaigns(async (client) => {
      const progress = await campaignProgress(client, id);
      if (values.json) {
        printJson(progress);
        return EXIT.ok;
      }
      console.log(formatProgress(progress));
      if (progress.state === 'running') await warnAboutWorkers(client);
      return EXIT.ok;
    });
  },
});

export const watch = command({
  name: 'watch',
  summary: 'live view until the campaign ends: progress, rate, ETA, spend, latest events',
  help: `Usage: replica-fleet campaign watch ID [--json] [--interval SECONDS]

Follows the campaign until it ends (or Ctrl-C, which leaves the campaign alone): a progress bar and
the counts by state, items per second and the ETA at that rate, spend so far against the budget,
why it stopped starting items, and the latest item events (started, PR opened, failed with the
error). On a terminal the view redraws in place; elsewhere (a pipe, a log, CI) it prints one plain
line per change. --json prints one JSON object per change instead: {atMs, itemsPerSecond?,
etaSeconds?, progress}.

Exit code: 0 when it ended with no failed or timed-out item, 1 otherwise, 130 on Ctrl-C.

Example:
  replica-fleet campaign watch lint-2026-11`,
  options: { json: { type: 'boolean' }, interval: { type: 'string' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const intervalMs =
      values.interval === undefined ? 1000 : wholeNumber(values.interval, '--interval', 1, 3600) * 1000;
    return withCampaigns(async (client) => {
      const watched = await untilInterrupted((signal) =>
        watchCampaign(client, id, {
          screen: screenOf(process.stdout),
          json: values.json,
          intervalMs,
          signal,
        }),
      );
      if (watched.interrupted) {
        console.error(`stopped watching; campaign ${id} carries on`);
        return EXIT_INTERRUPTED;
      }
      return exitCodeOf(watched.progress);
    });
  },
});

export const RESULT_FORMATS = ['table', 'json', 'csv', 'md', 'html'] as const;

export const results = command({
  name: 'results',
  summary: 'every item: state, PRs, time, cost, error (table, json, csv, md or html)',
  help: `Usage: replica-fleet campaign results ID [--format table|json|csv|md|html] [--state STATE] [--output FILE]
                                       [--burndown]

Formats:
  table  one line per item: state, run, repository, PRs, time, cost, error or kept replica (default)
  json   the item records, an array (same as --json; fields in the README, "JSON output")
  csv    one row per item, with a header row: ${'key,state,attempt,wave,repository,branch,…'}
  md     a Markdown summary and table, for an issue or a PR description
  html   one self-contained page: summary, a chart of items by state over time, and a sortable,
         filterable table of items (open it in a browser; nothing is fetched)

When the campaign follows its PRs on the code host, every format shows each PR's state, checks,
review, mergeability, the fix turns the campaign sent on it and why its fix loop stopped; table, md
and html add the campaign's fix turns and the share of its PRs that merged, and md and html the
burndown of what landed: PRs opened, merged, closed, open and red, open and green, since the campaign
began (html ticks each fix turn on the time axis). --burndown prints that series instead of the
items, with json ({points: [{atMs, opened, merged, closed, openRed, openGreen, fixTurns}], fixTurns,
mergedShare}) or csv (${CHANGE_BURNDOWN_CSV_COLUMNS.join(',')}).

States: ${ITEM_STATES.join(', ')}; and two outcomes a state hides: ${ITEM_OUTCOME_FILTERS.join(', ')}.

Example:
  replica-fleet campaign results lint-2026-11 --format html --output report.html
  replica-fleet campaign results lint-2026-11 --format csv --burndown -o landed.csv`,
  options: {
    json: { type: 'boolean' },
    burndown: { type: 'boolean' },
    format: { type: 'string' },
    state: { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const filter = oneOf(values.state, [...ITEM_STATES, ...ITEM_OUTCOME_FILTERS], '--state');
    // An outcome is read among the records of its state, then narrowed by the one outcome rule.
    const outcome = (ITEM_OUTCOME_FILTERS as readonly string[]).includes(filter ?? '')
      ? (filter as ItemOutcomeFilter)
      : undefined;
    const state = outcome ? undefined : (filter as ItemState | undefined);
    const format = values.json ? 'json' : (oneOf(values.format, RESULT_FORMATS, '--format') ?? 'table');
    if (values.burndown && format !== 'json' && format !== 'csv')
      throw new UsageError(
        `--burndown prints the series as json or csv${values.format ? `, not ${format}` : ''}: add --json or --format csv (md and html show it beside the items)`,
      );
    return withCampaigns(async (client) => {
      const progress = await campaignProgress(client, id);
      const records: ItemRecord[] = [];
      for await (const record of campaignRecords(client, id, state))
        if (!outcome || outcomeOf(record) === outcome) records.push(record);
      const nowMs = Date.now();
      const series = () => campaignChangeBurndown(progress, records, nowMs);
      const text = values.burndown
        ? format === 'json'
          ? JSON.stringify(changeBurndownSummary(series()) satisfies ChangeBurndown, null, 2)
          : burndownCsv(series())
        : {
            table: () => recordsTable(records, nowMs, progress),
            json: () => JSON.stringify(records, null, 2),
            csv: () => recordsCsv(records, nowMs),
            md: () => recordsMarkdown(progress, records, nowMs),
            html: () => htmlReport(progress, records, nowMs),
          }[format]();
      if (values.output) {
        writeFileSync(values.output, text.endsWith('\n') ? text : `${text}\n`);
        const items = `${records.length} item(s)`;
        const what = values.burndown ? `the burndown of ${items}` : items;
        console.error(`wrote ${what} as ${format} to ${values.output}`);
      } else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      return EXIT.ok;
    });
  },
});

function listTable(entries: CampaignListEntry[]): string {
  const rows = entries.map((e) => [
    e.campaignId,
    e.state,
    e.total === undefined ? '-' : String(e.total),
    e.counts ? String(e.counts.succeeded) : '-',
    e.counts ? String(e.counts.failed + e.counts.timed_out) : '-',
    e.counts ? String(e.counts.running) : '-',
    e.counts ? String(e.counts.pending) : '-',
    e.prsOpened === undefined ? '-' : String(e.prsOpened),
    utcTime(Date.parse(e.startedAt)),
    [e.specFile, e.owner && `(${e.owner})`].filter(Boolean).join(' ') || '-',
  ]);
  const header = [
    'ID',
    'STATE',
    'ITEMS',
    'OK',
    'FAILED',
    'RUNNING',
    'PENDING',
    'PRS',
    'STARTED (UTC)',
    'SPEC (OWNER)',
  ];
  return textTable(header, rows);
}

export const list = command({
  name: 'list',
  summary: 'campaigns on this namespace: state, counts, started, spec file',
  help: `Usage: replica-fleet campaign list [--state STATE] [--prefix ID-PREFIX] [--limit N] [--json]

Lists campaigns from Temporal visibility, newest first (20 unless --limit): id, state, counts, PRs,
when it started and the spec file it was applied from (and by whom). --prefix keeps the campaigns
whose id starts with it, e.g. the runs of schedule "nightly" with --prefix nightly-run.
States: ${CAMPAIGN_STATES.join(', ')}.

Example:
  replica-fleet campaign list --state running`,
  options: {
    state: { type: 'string' },
    prefix: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: ({ values }) => {
    const state = oneOf(values.state, CAMPAIGN_STATES, '--state');
    const limit = values.limit === undefined ? 20 : wholeNumber(values.limit, '--limit', 1, 1000);
    return withCampaigns(async (client) => {
      const entries = await listCampaigns(client, { state, prefix: values.prefix, limit });
      if (values.json) printJson(entries);
      else console.log(entries.length ? listTable(entries) : 'no campaigns');
      return EXIT.ok;
    });
  },
});

function itemText(view: ItemInspection): string {
  const r = view.record;
  const lines: string[] = [];
  const row = (label: string, text: string | undefined) => {
    if (text) lines.push(`${label.padEnd(11)} ${text}`);
  };
  lines.push(`item ${r.key} of campaign ${view.campaignId}`);
  row('state', `${r.state} (run ${r.attempt}${r.wave === undefined ? '' : `, wave ${r.wave}`})`);
  row('repository', r.repository);
  row('phase', view.job && `${view.job.phase} (live; ${view.job.eventsReceived} webhook events received)`);
  const replicaId = view.replica?.id ?? r.replicaId;
  const kept = r.replicaKept
    ? ` kept for inspection; 'replica-fleet campaign cleanup ${view.campaignId}' deletes it`
    : '';
  row('replica', replicaId && `${replicaId}${view.replica ? ` (${view.replica.status})` : ''}${kept}`);
  row('', view.replicaNote);
  row('branch', r.branch ?? view.replica?.branches.find((b) => b.branch)?.branch ?? undefined);
  row('turns', r.turns === undefined ? view.job && String(view.job.turns) : String(r.turns));
  const prs = r.prs?.length ? r.prs : (view.replica?.pullRequests ?? view.job?.prs.map((p) => p.url));
  row('PRs', prs?.join(' '));
  for (const [label, text] of r.change ? changeLines(r.change) : []) row(label, text);
  row('error', r.error ?? view.job?.lastError);
  const ms = runMs(r);
  row(
    'timings',
    r.startedAtMs === undefined
      ? undefined
      : `started ${utcTime(r.startedAtMs)} UTC${r.endedAtMs ? `, ended ${utcTime(r.endedAtMs)} UTC` : ''}${ms === undefined ? '' : `, ${humanDuration(ms)}`}`,
  );
  row('cost', r.costUsd === undefined ? undefined : usd(r.costUsd));
  if (view.replica?.lastChatMessage)
    row(
      'last sent',
      `${view.replica.lastChatMessage.text.split('\n')[0]} (${view.replica.lastChatMessage.timestamp})`,
    );
  if (view.lastAgentMessage)
    lines.push('', "agent's last message:", ...view.lastAgentMessage.split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}

export const item = command({
  name: 'item',
  summary: "one item: phase, replica, turns, PRs, error, timings, the agent's last message",
  help: `Usage: replica-fleet campaign item ID KEY [--json]

Shows one item as its campaign records it (state, run, repository, replica id, turns, PRs, error,
timings, cost), where its PR stands on the code host when the campaign follows it (state, checks with
the failing ones named, review, mergeability; when it opened, went green, was approved and merged),
and, while it runs, its job's live phase. With REPLICAS_API_URL / REPLICAS_API_KEY set
and the replica still there (running, or kept after a failure), also the workspace itself: its
status, the last message sent to it, and the agent's last answer in full from its history. Without
them, or once the replica is deleted, the agent's last answer as the record kept it.

Example:
  replica-fleet campaign item lint-2026-11 acme__api`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const key = required(positionals, 1, 'KEY');
    return withCampaigns((client) =>
      withOptionalReplicas(async (replicas) => {
        const view = await inspectItem(client, replicas, id, key);
        if (values.json) printJson(view);
        else console.log(itemText(view));
        return EXIT.ok;
      }),
    );
  },
});
