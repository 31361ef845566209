import path from 'node:path';
import {
  OVERLAP_POLICIES,
  createCampaignSchedule,
  describeCampaignSchedule,
  listCampaignSchedules,
  onSchedule,
  scheduleSpecProblem,
  type CampaignScheduleView,
  type OverlapPolicy,
} from '../../campaign-client/schedules';
import { loadCampaignSpec, specWhereApplied } from '../../campaign-client/spec';
import { loadWorkerConfig } from '../../config/worker-config';
import { EXIT, UsageError, command, group, oneOf, required } from '../command';
import { humanDuration, utcTime } from '../format/units';
import { printJson } from '../terminal';
import { withCampaigns } from './campaign-shared';

const create = command({
  name: 'create',
  summary: 'start a campaign from FILE on a cron or interval',
  help: `Usage: replica-fleet campaign schedule create FILE --id ID (--cron EXPR... | --every 24h) [--overlap skip] [--catchup 1h]

Each run is a campaign of its own, with id <ID>-run-<time>. The spec, the cron expressions and the
intervals are checked before Temporal is contacted (exit 2 naming the problem). Cron: 5 fields
(minute hour day-of-month month day-of-week), or @daily-style shorthands, optionally CRON_TZ=Zone first.

Overlap policies: ${OVERLAP_POLICIES.join(', ')} (default skip).

Example:
  replica-fleet campaign schedule create nightly.yaml --id nightly --cron "0 2 * * *"`,
  options: {
    id: { type: 'string' },
    cron: { type: 'string', multiple: true },
    every: { type: 'string' },
    overlap: { type: 'string' },
    catchup: { type: 'string' },
  },
  run: ({ values, positionals }) => {
    const file = required(positionals, 0, 'FILE');
    if (!values.id) throw new UsageError('missing --id');
    const overlap = oneOf<OverlapPolicy>(values.overlap, OVERLAP_POLICIES, '--overlap') ?? 'skip';
    const timing = { cron: values.cron, every: values.every, catchupWindow: values.catchup };
    const problem = scheduleSpecProblem(timing);
    if (problem) throw new UsageError(problem);
    const spec = specWhereApplied(loadCampaignSpec(file).spec, process.env, file);
    const config = loadWorkerConfig();
    const scheduleId = values.id;
    return withCampaigns(async (client) => {
      await createCampaignSchedule(client, {
        scheduleId,
        spec: { ...spec, apiTaskQueue: config.apiTaskQueue },
        taskQueue: config.taskQueue,
        ...timing,
        overlap,
        specFile: path.resolve(file),
      });
      console.log(`schedule ${scheduleId} created`);
      return EXIT.ok;
    });
  },
});

const when = (s: CampaignScheduleView) =>
  [...(s.cron ?? []).map((c) => `cron "${c}"`), ...(s.every ? [`every ${s.every}`] : [])].join(', ') ||
  'calendar';

const list = command({
  name: 'list',
  summary: 'schedules that start campaigns: timing, paused, next run',
  help: `Usage: replica-fleet campaign schedule list [--json]

Example:
  replica-fleet campaign schedule list`,
  options: { json: { type: 'boolean' } },
  run: ({ values }) =>
    withCampaigns(async (client) => {
      const schedules = await listCampaignSchedules(client);
      if (values.json) printJson(schedules);
      else if (!schedules.length) console.log('no campaign schedules');
      else
        for (const s of schedules) {
          const next = s.nextRuns[0] ? `next ${utcTime(Date.parse(s.nextRuns[0]))} UTC` : 'no next run';
          console.log(
            `${s.scheduleId}  ${s.paused ? 'paused' : 'active'}  ${when(s)}  ${next}${s.specFile ? `  ${s.specFile}` : ''}`,
          );
        }
      return EXIT.ok;
    }),
});

const describe = command({
  name: 'describe',
  summary: 'one schedule: timing, policies, next and recent runs',
  help: `Usage: replica-fleet campaign schedule describe ID [--json]

Example:
  replica-fleet campaign schedule describe nightly`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    return withCampaigns(async (client) => {
      const d = await describeCampaignSchedule(client, id);
      if (values.json) {
        printJson(d);
        return EXIT.ok;
      }
      const row = (label: string, text: string) => console.log(`${label.padEnd(10)} ${text}`);
      row('schedule', `${d.scheduleId}${d.name ? ` (${d.name})` : ''}`);
      row('state', d.paused ? `paused${d.note ? `: ${d.note}` : ''}` : 'active');
      row('when', when(d));
      row('spec', d.specFile ?? '-');
      row('overlap', d.overlap);
      row('catch-up', humanDuration(d.catchupWindowMs));
      row('runs', `${d.runsTaken} taken, ${d.runsSkippedForOverlap} skipped (a run was still going)`);
      row(
        'next',
        d.nextRuns
          .slice(0, 3)
          .map((t) => `${utcTime(Date.parse(t))} UTC`)
          .join(', ') || '-',
      );
      for (const run of d.recentRuns)
        row('recent', `${utcTime(Date.parse(run.scheduledAt))} UTC  ${run.campaignId}`);
      return EXIT.ok;
    });
  },
});

function action(name: 'trigger' | 'delete' | 'pause' | 'unpause', summary: string, done: string) {
  return command({
    name,
    summary,
    help: `Usage: replica-fleet campaign schedule ${name} ID

Example:
  replica-fleet campaign schedule ${name} nightly`,
    run: ({ positionals }) => {
      const id = required(positionals, 0, 'ID');
      return withCampaigns(async (client) => {
        await onSchedule(client, id, async (handle) => {
          if (name === 'pause' || name === 'unpause')
            await handle[name](`${name}d with 'replica-fleet campaign schedule ${name}'`);
          else await handle[name]();
        });
        console.log(`schedule ${id} ${done}`);
        return EXIT.ok;
      });
    },
  });
}

export const schedule = group(
  'schedule',
  'recurring campaigns (Temporal Schedules)',
  'Usage: replica-fleet campaign schedule <subcommand>',
  [
    create,
    list,
    describe,
    action('trigger', 'start a run now', 'triggered'),
    action('pause', 'stop starting runs (running campaigns continue)', 'paused'),
    action('unpause', 'start runs again on its timing', 'unpaused'),
    action('delete', 'delete the schedule (running campaigns continue)', 'deleted'),
  ],
);
