import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { OVERLAP_POLICIES, createCampaignSchedule, type OverlapPolicy } from '../../campaign/schedules';
import { loadCampaignSpec, loadItems } from '../../campaign/spec';
import { CAMPAIGN_DEFAULTS, LIMITS, type ItemRecord } from '../../contracts';
import { loadWorkerConfig } from '../../config/worker-config';
import type { campaignWorkflow } from '../../workflows/campaign/workflow';
import {
  addItemsUpdate,
  cancelCampaignSignal,
  pauseSignal,
  progressQuery,
  resultsQuery,
  resumeSignal,
  retryFailedUpdate,
  setConcurrencyUpdate,
} from '../../workflows/campaign/messages';
import { EXIT, UsageError, command, group, required, wholeNumber } from '../command';
import { formatProgress, formatRecords } from '../results-table';
import { withTemporalClient } from '../temporal-client';

const CONNECTION = `Connects with TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (and TLS or TEMPORAL_API_KEY settings);
campaigns run on REPLICA_FLEET_TASK_QUEUE and call the API on REPLICA_FLEET_API_TASK_QUEUE.`;

const campaignHandle = (client: Client, id: string) => client.workflow.getHandle<typeof campaignWorkflow>(id);

/** Runs an update; a rejection by the campaign's validator is the user's to fix (exit 1, its words). */
async function update<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    console.error(`rejected: ${error.cause?.message ?? error.message}`);
    return undefined;
  }
}

async function allRecords(client: Client, id: string): Promise<ItemRecord[]> {
  const handle = campaignHandle(client, id);
  const { status } = await handle.describe();
  if (status.name === 'COMPLETED') return (await handle.result()).records;
  const records: ItemRecord[] = [];
  for (let offset = 0; ;) {
    const page = await handle.query(resultsQuery, { offset, limit: LIMITS.maxResultsPage });
    records.push(...page.records);
    offset += page.records.length;
    if (offset >= page.total || page.records.length === 0) return records;
  }
}

const validate = command({
  name: 'validate',
  summary: 'check a campaign spec (YAML or JSON) without starting it',
  help: `Usage: replica-fleet campaign validate FILE

Example:
  replica-fleet campaign validate examples/campaign.yaml`,
  async run({ positionals }) {
    const { spec } = loadCampaignSpec(required(positionals, 0, 'FILE'));
    const count = spec.items ? `${spec.items.length} item(s)` : `targets ${spec.targets?.repositories}`;
    console.log(`valid: ${count}, concurrency ${spec.concurrency ?? CAMPAIGN_DEFAULTS.concurrency}`);
    return EXIT.ok;
  },
});

const start = command({
  name: 'start',
  summary: "start a campaign (id: the spec's id, else campaign-<time>)",
  help: `Usage: replica-fleet campaign start FILE [--id ID] [--wait]

Validates the spec, then starts the campaign on REPLICA_FLEET_TASK_QUEUE. With --wait, prints every
item when it ends and exits 1 if any item failed or timed out.
${CONNECTION}

Example:
  replica-fleet campaign start examples/campaign.yaml --id lint-2026-11 --wait`,
  options: { id: { type: 'string' }, wait: { type: 'boolean' } },
  async run({ values, positionals }) {
    const { id, spec } = loadCampaignSpec(required(positionals, 0, 'FILE'));
    const config = loadWorkerConfig();
    const workflowId = values.id ?? id ?? `campaign-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    return withTemporalClient(async (client) => {
      const handle = await client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
        taskQueue: config.taskQueue,
        workflowId,
        args: [{ spec: { ...spec, apiTaskQueue: config.apiTaskQueue } }],
      });
      console.log(`started campaign ${handle.workflowId}`);
      if (!values.wait) return EXIT.ok;
      const result = await handle.result();
      console.log(`${formatProgress(result.summary)}\n\n${formatRecords(result.records)}`);
      return result.summary.failed + result.summary.timedOut > 0 ? EXIT.failed : EXIT.ok;
    });
  },
});

const status = command({
  name: 'status',
  summary: 'progress: counts, PRs, estimated cost, why nothing starts',
  help: `Usage: replica-fleet campaign status ID

Example:
  replica-fleet campaign status lint-2026-11`,
  run: ({ positionals }) =>
    withTemporalClient(async (client) => {
      console.log(
        formatProgress(await campaignHandle(client, required(positionals, 0, 'ID')).query(progressQuery)),
      );
      return EXIT.ok;
    }),
});

const results = command({
  name: 'results',
  summary: 'every item: state, run, PRs, time, cost, error',
  help: `Usage: replica-fleet campaign results ID [--json]

Example:
  replica-fleet campaign results lint-2026-11 --json`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) =>
    withTemporalClient(async (client) => {
      const records = await allRecords(client, required(positionals, 0, 'ID'));
      console.log(values.json ? JSON.stringify(records, null, 2) : formatRecords(records));
      return EXIT.ok;
    }),
});

/** A control that only needs the campaign id: pause, resume, cancel, retry-failed. */
function control(
  name: string,
  summary: string,
  act: (client: Client, id: string) => Promise<string | undefined>,
) {
  return command({
    name,
    summary,
    help: `Usage: replica-fleet campaign ${name} ID

Example:
  replica-fleet campaign ${name} lint-2026-11`,
    run: ({ positionals }) =>
      withTemporalClient(async (client) => {
        const said = await act(client, required(positionals, 0, 'ID'));
        if (said === undefined) return EXIT.failed;
        console.log(said);
        return EXIT.ok;
      }),
  });
}

const pause = control('pause', 'stop new starts (running items continue)', async (client, id) => {
  await campaignHandle(client, id).signal(pauseSignal);
  return 'paused: no new items start; running ones continue';
});
const resume = control('resume', 'start new items again', async (client, id) => {
  await campaignHandle(client, id).signal(resumeSignal);
  return 'resumed';
});
const cancel = control(
  'cancel',
  'cancel running items (their replicas are cleaned up) and the rest',
  async (client, id) => {
    await campaignHandle(client, id).signal(cancelCampaignSignal);
    return 'cancelling: running items clean up their replicas; the rest are marked cancelled';
  },
);
const retryFailed = control(
  'retry-failed',
  're-run failed and timed-out items on fresh replicas',
  async (client, id) => {
    const result = await update(() => campaignHandle(client, id).executeUpdate(retryFailedUpdate));
    return result && `re-queued ${result.requeued} item(s)`;
  },
);

const setConcurrency = command({
  name: 'set-concurrency',
  summary: `change how many items run at once (1-${LIMITS.maxConcurrency})`,
  help: `Usage: replica-fleet campaign set-concurrency ID N

Example:
  replica-fleet campaign set-concurrency lint-2026-11 50`,
  run: ({ positionals }) => {
    const id = required(positionals, 0, 'ID');
    const n = wholeNumber(required(positionals, 1, 'N'), 'N', 1, LIMITS.maxConcurrency);
    return withTemporalClient(async (client) => {
      const result = await update(() =>
        campaignHandle(client, id).executeUpdate(setConcurrencyUpdate, { args: [n] }),
      );
      if (!result) return EXIT.failed;
      console.log(`concurrency is now ${result.concurrency}`);
      return EXIT.ok;
    });
  },
});

const addItems = command({
  name: 'add-items',
  summary: 'add items (YAML/JSON list of {key, environment, repository?, vars?})',
  help: `Usage: replica-fleet campaign add-items ID FILE

The file is validated like the items of a spec before anything is sent.

Example:
  replica-fleet campaign add-items lint-2026-11 more-repos.yaml`,
  run: ({ positionals }) => {
    const id = required(positionals, 0, 'ID');
    const items = loadItems(required(positionals, 1, 'FILE'));
    return withTemporalClient(async (client) => {
      const result = await update(() =>
        campaignHandle(client, id).executeUpdate(addItemsUpdate, { args: [items] }),
      );
      if (!result) return EXIT.failed;
      console.log(`added ${result.added}; the campaign now has ${result.total} item(s)`);
      return EXIT.ok;
    });
  },
});

const scheduleCreate = command({
  name: 'create',
  summary: 'start a campaign from FILE on a cron or interval',
  help: `Usage: replica-fleet campaign schedule create FILE --id ID (--cron EXPR... | --every 24h) [--overlap skip] [--catchup 1h]

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
    const overlap = (values.overlap ?? 'skip') as OverlapPolicy;
    if (!OVERLAP_POLICIES.includes(overlap))
      throw new UsageError(`--overlap must be one of ${OVERLAP_POLICIES.join(', ')}`);
    const { spec } = loadCampaignSpec(file);
    const config = loadWorkerConfig();
    const scheduleId = values.id;
    return withTemporalClient(async (client) => {
      await createCampaignSchedule(client, {
        scheduleId,
        spec: { ...spec, apiTaskQueue: config.apiTaskQueue },
        taskQueue: config.taskQueue,
        cron: values.cron,
        every: values.every,
        overlap,
        catchupWindow: values.catchup,
      });
      console.log(`schedule ${scheduleId} created`);
      return EXIT.ok;
    });
  },
});

function scheduleAction(name: 'trigger' | 'delete', summary: string) {
  return command({
    name,
    summary,
    help: `Usage: replica-fleet campaign schedule ${name} ID

Example:
  replica-fleet campaign schedule ${name} nightly`,
    run: ({ positionals }) => {
      const id = required(positionals, 0, 'ID');
      return withTemporalClient(async (client) => {
        await client.schedule.getHandle(id)[name]();
        console.log(`schedule ${id} ${name === 'trigger' ? 'triggered' : 'deleted'}`);
        return EXIT.ok;
      });
    },
  });
}

const schedule = group(
  'schedule',
  'recurring campaigns (Temporal Schedules)',
  'Usage: replica-fleet campaign schedule <subcommand>',
  [
    scheduleCreate,
    scheduleAction('trigger', 'start a run now'),
    scheduleAction('delete', 'delete the schedule (running campaigns continue)'),
  ],
);

export const campaignCommand = group(
  'campaign',
  'start, watch, steer and schedule campaigns',
  `Usage: replica-fleet campaign <subcommand>

A campaign sends one instruction (plus follow-ups) to a coding agent in one replica per target and
collects the pull requests. ${CONNECTION}`,
  [validate, start, status, results, pause, resume, cancel, setConcurrency, retryFailed, addItems, schedule],
);
