import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { OVERLAP_POLICIES, createCampaignSchedule, type OverlapPolicy } from '../campaign/schedules';
import { CampaignSpecError, loadCampaignSpec } from '../campaign/spec';
import { loadTemporalConfig } from '../config/temporal-config';
import { loadWorkerConfig } from '../config/worker-config';
import { connectClient } from '../temporal/connection';
import {
  addItemsUpdate,
  cancelCampaignSignal,
  pauseSignal,
  progressQuery,
  resultsQuery,
  resumeSignal,
  retryFailedUpdate,
  setConcurrencyUpdate,
} from '../workflows/campaign/messages';
import type { CampaignItem, CampaignResult, ItemRecord } from '../workflows/campaign/types';
import { formatProgress, formatRecords } from './results-table';

export const campaignHelp = `replica-fleet campaign <subcommand> [options]

  validate FILE                   check a campaign spec (YAML or JSON) without starting it
  start FILE [--id ID] [--wait]   start a campaign (id: the spec's id, else campaign-<time>)
  status ID                       progress: counts, PRs, estimated cost, why nothing starts
  results ID [--json]             every item: state, run, PRs, time, cost, error
  pause ID | resume ID            stop / restart new starts (running items continue)
  cancel ID                       cancel running items (their replicas are cleaned up) and the rest
  set-concurrency ID N            change how many items run at once (1-500)
  retry-failed ID                 re-run failed and timed-out items on fresh replicas
  add-items ID FILE               add items (YAML/JSON list of {key, environment, repository?, vars?})
  schedule create FILE --id ID (--cron EXPR... | --every 24h) [--overlap skip] [--catchup 1h]
  schedule trigger ID | schedule delete ID

Connects with TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (and TLS or TEMPORAL_API_KEY settings);
campaigns run on REPLICA_FLEET_TASK_QUEUE (default replica-fleet).`;

type Sub = (client: Client, args: string[], flags: Flags) => Promise<number>;
interface Flags {
  id?: string;
  wait?: boolean;
  json?: boolean;
  cron?: string[];
  every?: string;
  overlap?: string;
  catchup?: string;
}

const need = (value: string | undefined, what: string): string => {
  if (!value) throw new UsageError(`missing ${what}\n\n${campaignHelp}`);
  return value;
};

class UsageError extends Error {}

async function allRecords(client: Client, id: string): Promise<ItemRecord[]> {
  const handle = client.workflow.getHandle(id);
  const { status } = await handle.describe();
  if (status.name === 'COMPLETED') return ((await handle.result()) as CampaignResult).records;
  const records: ItemRecord[] = [];
  for (let offset = 0; ;) {
    const page = await handle.query(resultsQuery, { offset, limit: 500 });
    records.push(...page.records);
    offset += page.records.length;
    if (offset >= page.total || page.records.length === 0) return records;
  }
}

const subcommands: Record<string, Sub> = {
  async start(client, [file], flags) {
    const { id, spec } = loadCampaignSpec(need(file, 'FILE'));
    const workflowId = flags.id ?? id ?? `campaign-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const handle = await client.workflow.start('campaignWorkflow', {
      taskQueue: loadWorkerConfig().taskQueue,
      workflowId,
      args: [{ spec }],
    });
    console.log(`started campaign ${handle.workflowId}`);
    if (!flags.wait) return 0;
    const result = (await handle.result()) as CampaignResult;
    console.log(`${formatProgress(result.summary)}\n\n${formatRecords(result.records)}`);
    return result.summary.failed + result.summary.timedOut > 0 ? 1 : 0;
  },
  async status(client, [id]) {
    console.log(formatProgress(await client.workflow.getHandle(need(id, 'ID')).query(progressQuery)));
    return 0;
  },
  async results(client, [id], flags) {
    const records = await allRecords(client, need(id, 'ID'));
    console.log(flags.json ? JSON.stringify(records, null, 2) : formatRecords(records));
    return 0;
  },
  async pause(client, [id]) {
    await client.workflow.getHandle(need(id, 'ID')).signal(pauseSignal);
    console.log('paused: no new items start; running ones continue');
    return 0;
  },
  async resume(client, [id]) {
    await client.workflow.getHandle(need(id, 'ID')).signal(resumeSignal);
    console.log('resumed');
    return 0;
  },
  async cancel(client, [id]) {
    await client.workflow.getHandle(need(id, 'ID')).signal(cancelCampaignSignal);
    console.log('cancelling: running items clean up their replicas; the rest are marked cancelled');
    return 0;
  },
  async 'set-concurrency'(client, [id, n]) {
    const result = await client.workflow
      .getHandle(need(id, 'ID'))
      .executeUpdate(setConcurrencyUpdate, { args: [Number(need(n, 'N'))] });
    console.log(`concurrency is now ${result.concurrency}`);
    return 0;
  },
  async 'retry-failed'(client, [id]) {
    const result = await client.workflow.getHandle(need(id, 'ID')).executeUpdate(retryFailedUpdate);
    console.log(`re-queued ${result.requeued} item(s)`);
    return 0;
  },
  async 'add-items'(client, [id, file]) {
    const items = (
      parseYaml(readFileSync(need(file, 'FILE'), 'utf8')) as {
        key: string;
        environment: string;
        repository?: string;
        vars?: Record<string, string>;
      }[]
    ).map((item): CampaignItem => ({
      key: item.key,
      environmentId: item.environment,
      repository: item.repository,
      vars: item.vars,
    }));
    const result = await client.workflow
      .getHandle(need(id, 'ID'))
      .executeUpdate(addItemsUpdate, { args: [items] });
    console.log(`added ${result.added}; the campaign now has ${result.total} item(s)`);
    return 0;
  },
  async schedule(client, [action, arg], flags) {
    const id = need(action === 'create' ? flags.id : arg, action === 'create' ? '--id' : 'ID');
    if (action === 'create') {
      const overlap = (flags.overlap ?? 'skip') as OverlapPolicy;
      if (!OVERLAP_POLICIES.includes(overlap))
        throw new UsageError(`--overlap must be one of ${OVERLAP_POLICIES.join(', ')}`);
      const { spec } = loadCampaignSpec(need(arg, 'FILE'));
      await createCampaignSchedule(client, {
        scheduleId: id,
        spec,
        taskQueue: loadWorkerConfig().taskQueue,
        cron: flags.cron,
        every: flags.every,
        overlap,
        catchupWindow: flags.catchup,
      });
      console.log(`schedule ${id} created`);
    } else if (action === 'trigger') {
      await client.schedule.getHandle(id).trigger();
      console.log(`schedule ${id} triggered`);
    } else if (action === 'delete') {
      await client.schedule.getHandle(id).delete();
      console.log(`schedule ${id} deleted`);
    } else {
      throw new UsageError(`unknown schedule action "${action ?? ''}": use create, trigger or delete`);
    }
    return 0;
  },
};

/** `replica-fleet campaign …`: start, watch and steer campaigns. */
export async function runCampaignCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      cron: { type: 'string', multiple: true },
      every: { type: 'string' },
      overlap: { type: 'string' },
      catchup: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [name, ...args] = positionals;
  if (values.help || !name) {
    console.log(campaignHelp);
    return values.help ? 0 : 2;
  }
  try {
    if (name === 'validate') {
      const { spec } = loadCampaignSpec(need(args[0], 'FILE'));
      const count = spec.items ? `${spec.items.length} item(s)` : `targets ${spec.targets?.repositories}`;
      console.log(`valid: ${count}, concurrency ${spec.concurrency ?? 10}`);
      return 0;
    }
    const sub = subcommands[name];
    if (!sub) throw new UsageError(`unknown subcommand "${name}"\n\n${campaignHelp}`);
    const connection = await connectClient(loadTemporalConfig());
    try {
      const client = new Client({ connection, namespace: loadTemporalConfig().TEMPORAL_NAMESPACE });
      return await sub(client, args, values);
    } finally {
      await connection.close();
    }
  } catch (error) {
    if (error instanceof CampaignSpecError || error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof WorkflowUpdateFailedError) {
      console.error(`rejected: ${error.cause?.message ?? error.message}`);
      return 1;
    }
    throw error;
  }
}
