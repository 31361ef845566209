import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { applyCampaign, describeApply } from '../../campaign/apply';
import {
  campaignProgress,
  campaignRecords,
  missingWorkers,
  UnknownCampaignError,
  waitForCampaign,
} from '../../campaign/reads';
import { OVERLAP_POLICIES, createCampaignSchedule, type OverlapPolicy } from '../../campaign/schedules';
import { loadCampaignSpec, loadItems } from '../../campaign/spec';
import { CAMPAIGN_DEFAULTS, ITEM_STATES, LIMITS, type ItemRecord, type ItemState } from '../../contracts';
import { loadWorkerConfig } from '../../config/worker-config';
import type { campaignWorkflow } from '../../workflows/campaign/workflow';
import {
  approveUpdate,
  cancelUpdate,
  closeUpdate,
  pauseUpdate,
  rejectUpdate,
  resumeUpdate,
  retryFailedUpdate,
  setConcurrencyUpdate,
} from '../../workflows/campaign/messages';
import { EXIT, UsageError, command, group, required, wholeNumber } from '../command';
import { formatProgress, formatRecords } from '../results-table';
import { withTemporalClient } from '../temporal-client';

const CONNECTION = `Connects with TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (and TLS or TEMPORAL_API_KEY settings);
campaigns run on REPLICA_FLEET_TASK_QUEUE and call the API on REPLICA_FLEET_API_TASK_QUEUE.`;

const campaignHandle = (client: Client, id: string) => client.workflow.getHandle<typeof campaignWorkflow>(id);

/**
 * Runs something against a campaign: a refusal by its validator is the user's to fix (exit 1, its
 * words), an unknown id is named plainly (exit 1).
 */
async function onCampaign(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      console.error(`rejected: ${error.cause?.message ?? error.message}`);
      return EXIT.failed;
    }
    if (error instanceof UnknownCampaignError) {
      console.error(error.message);
      return EXIT.failed;
    }
    if (error instanceof Error && error.name === 'WorkflowNotFoundError') {
      console.error(`no running campaign with that id (it may be closed: 'campaign status' still shows it)`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** Warns on stderr when no worker polls the queues this CLI would use: the campaign could not move. */
async function warnAboutWorkers(client: Client): Promise<void> {
  const { taskQueue, apiTaskQueue } = loadWorkerConfig();
  for (const problem of await missingWorkers(client, { taskQueue, apiTaskQueue }))
    console.error(`warning: ${problem}`);
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

function applyCommand(name: 'apply' | 'start', summary: string) {
  return command({
    name,
    summary,
    help: `Usage: replica-fleet campaign ${name} FILE [--id ID] [--retry-failed] [--prune] [--wait]

Creates the campaign, or reconciles an existing one by item key (running, finished, or closed and
applied again): items that succeeded are kept and never re-run, running ones continue, new keys are
added, failed and timed-out ones re-run only with --retry-failed, keys no longer in the spec are left
alone unless --prune (which cancels them, with cleanup). A changed message or setting applies to
items not started yet. Prints what the apply did, e.g. "+12 new, 340 kept, 3 retried, 0 pruned".
With --wait, waits until nothing runs and exits 1 if any item failed or timed out.
${CONNECTION}

Example:
  replica-fleet campaign ${name} examples/campaign.yaml --id lint-2026-11 --retry-failed`,
    options: {
      id: { type: 'string' },
      'retry-failed': { type: 'boolean' },
      prune: { type: 'boolean' },
      wait: { type: 'boolean' },
    },
    async run({ values, positionals }) {
      const { id, spec } = loadCampaignSpec(required(positionals, 0, 'FILE'));
      const config = loadWorkerConfig();
      const campaignId = values.id ?? id ?? `campaign-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      return withTemporalClient((client) =>
        onCampaign(async () => {
          await warnAboutWorkers(client);
          const outcome = await applyCampaign(client, spec, {
            campaignId,
            taskQueue: config.taskQueue,
            apiTaskQueue: config.apiTaskQueue,
            retryFailed: values['retry-failed'],
            prune: values.prune,
            onProgress: (done, total) => process.stderr.write(`\rdelivered ${done}/${total} items`),
          });
          if (spec.items?.length) process.stderr.write('\n');
          console.log(`campaign ${campaignId} ${describeApply(outcome)}`);
          if (!values.wait) return EXIT.ok;
          const progress = await waitForCampaign(client, campaignId);
          const records: ItemRecord[] = [];
          for await (const record of campaignRecords(client, campaignId)) records.push(record);
          console.log(`${formatProgress(progress)}\n\n${formatRecords(records)}`);
          return progress.counts.failed + progress.counts.timed_out > 0 ? EXIT.failed : EXIT.ok;
        }),
      );
    },
  });
}

const status = command({
  name: 'status',
  summary: 'progress: counts, PRs, spend, rollout, why nothing starts',
  help: `Usage: replica-fleet campaign status ID [--json]

Example:
  replica-fleet campaign status lint-2026-11`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) =>
    withTemporalClient((client) =>
      onCampaign(async () => {
        const progress = await campaignProgress(client, required(positionals, 0, 'ID'));
        console.log(values.json ? JSON.stringify(progress, null, 2) : formatProgress(progress));
        if (progress.state === 'running' && !values.json) await warnAboutWorkers(client);
        return EXIT.ok;
      }),
    ),
});

const results = command({
  name: 'results',
  summary: 'every item: state, run, PRs, time, cost, error',
  help: `Usage: replica-fleet campaign results ID [--json] [--state STATE]

States: ${ITEM_STATES.join(', ')}.

Example:
  replica-fleet campaign results lint-2026-11 --state failed`,
  options: { json: { type: 'boolean' }, state: { type: 'string' } },
  run: ({ values, positionals }) => {
    const state = values.state as ItemState | undefined;
    if (state !== undefined && !ITEM_STATES.includes(state))
      throw new UsageError(`--state must be one of ${ITEM_STATES.join(', ')}, got "${state}"`);
    return withTemporalClient((client) =>
      onCampaign(async () => {
        const records: ItemRecord[] = [];
        for await (const record of campaignRecords(client, required(positionals, 0, 'ID'), state))
          records.push(record);
        console.log(values.json ? JSON.stringify(records, null, 2) : formatRecords(records));
        return EXIT.ok;
      }),
    );
  },
});

/** A control that only needs the campaign id; prints the state it leaves the campaign in. */
function control(name: string, summary: string, act: (client: Client, id: string) => Promise<string>) {
  return command({
    name,
    summary,
    help: `Usage: replica-fleet campaign ${name} ID

Example:
  replica-fleet campaign ${name} lint-2026-11`,
    run: ({ positionals }) =>
      withTemporalClient((client) =>
        onCampaign(async () => {
          console.log(await act(client, required(positionals, 0, 'ID')));
          return EXIT.ok;
        }),
      ),
  });
}

const stateAfter = (update: typeof pauseUpdate) => async (client: Client, id: string) =>
  formatProgress(await campaignHandle(client, id).executeUpdate(update));

const pause = control('pause', 'stop new starts (running items continue)', stateAfter(pauseUpdate));
const resume = control(
  'resume',
  'start items again, also after a failure-threshold or budget stop',
  stateAfter(resumeUpdate),
);
const cancel = control(
  'cancel',
  'cancel running items (their replicas are cleaned up) and the rest',
  stateAfter(cancelUpdate),
);
const approve = control('approve', 'open the next wave of a staged rollout', stateAfter(approveUpdate));
const reject = control(
  'reject',
  'stop a staged rollout: cancel the rest, with cleanup',
  stateAfter(rejectUpdate),
);
const close = control(
  'close',
  'end a finished campaign (its results stay readable)',
  stateAfter(closeUpdate),
);
const retryFailed = control(
  'retry-failed',
  're-run failed and timed-out items on fresh replicas',
  async (client, id) => {
    const result = await campaignHandle(client, id).executeUpdate(retryFailedUpdate);
    return `re-queued ${result.requeued} item(s)`;
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
    return withTemporalClient((client) =>
      onCampaign(async () => {
        const result = await campaignHandle(client, id).executeUpdate(setConcurrencyUpdate, { args: [n] });
        console.log(`concurrency is now ${result.concurrency}`);
        return EXIT.ok;
      }),
    );
  },
});

const addItems = command({
  name: 'add-items',
  summary: 'add items (YAML/JSON list of {key, environment, repository?, vars?})',
  help: `Usage: replica-fleet campaign add-items ID FILE

The file is validated like the items of a spec before anything is sent. Keys the campaign already
has are left exactly as they are.

Example:
  replica-fleet campaign add-items lint-2026-11 more-repos.yaml`,
  run: ({ positionals }) => {
    const id = required(positionals, 0, 'ID');
    const items = loadItems(required(positionals, 1, 'FILE'));
    const config = loadWorkerConfig();
    return withTemporalClient((client) =>
      onCampaign(async () => {
        // The header is ignored for add-only applies; the campaign keeps its own settings.
        const outcome = await applyCampaign(
          client,
          { job: { message: '-' }, items },
          {
            campaignId: id,
            taskQueue: config.taskQueue,
            addOnly: true,
          },
        );
        console.log(`campaign ${id} ${describeApply(outcome)}`);
        return EXIT.ok;
      }),
    );
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
  [
    validate,
    applyCommand('apply', 'create a campaign or reconcile it with a spec, by item key'),
    applyCommand('start', 'the same as apply'),
    status,
    results,
    pause,
    resume,
    cancel,
    approve,
    reject,
    close,
    setConcurrency,
    retryFailed,
    addItems,
    schedule,
  ],
);
