import { WorkflowNotFoundError, isGrpcDeadlineError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { setTimeout as delay } from 'node:timers/promises';
import type { CampaignHeader, CampaignProgress, ItemRecord, ItemState } from '../contracts';
import { shardWorkflowId } from '../contracts';
import { toRecord } from '../policy/item-book';
import type { CampaignResult, campaignWorkflow } from '../workflows/campaign/workflow';
import { headerQuery, progressQuery, shardsQuery } from '../workflows/campaign/messages';
import { itemQuery, recordsQuery } from '../workflows/shard/messages';
import type { ShardResult, shardWorkflow } from '../workflows/shard/workflow';

/** A campaign id nobody knows: named plainly, with what to do. */
export class UnknownCampaignError extends Error {
  constructor(readonly campaignId: string) {
    super(`no campaign "${campaignId}" in this namespace; 'replica-fleet campaign list' shows the campaigns`);
    this.name = 'UnknownCampaignError';
  }
}

async function closedResult(client: Client, campaignId: string): Promise<CampaignResult | undefined> {
  const handle = client.workflow.getHandle<typeof campaignWorkflow>(campaignId);
  try {
    const { status } = await handle.describe();
    return status.name === 'RUNNING' ? undefined : await handle.result();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new UnknownCampaignError(campaignId);
    throw error;
  }
}

/** The campaign's progress: live from the running workflow, or as it closed. */
export async function campaignProgress(client: Client, campaignId: string): Promise<CampaignProgress> {
  const closed = await closedResult(client, campaignId);
  if (closed) return closed.progress;
  return client.workflow.getHandle<typeof campaignWorkflow>(campaignId).query(progressQuery);
}

/** The spec a campaign runs by (its templates and settings, not its items): live, or as it closed. */
export async function campaignHeader(client: Client, campaignId: string): Promise<CampaignHeader> {
  const closed = await closedResult(client, campaignId);
  if (closed) return closed.carry.header;
  return client.workflow.getHandle<typeof campaignWorkflow>(campaignId).query(headerQuery);
}

/** Shard workflow ids of a campaign, running or closed. */
export async function shardIds(client: Client, campaignId: string): Promise<string[]> {
  const closed = await closedResult(client, campaignId);
  if (closed)
    return closed.carry.shards.filter((s) => s.started).map((s) => shardWorkflowId(campaignId, s.index));
  const { shards } = await client.workflow.getHandle<typeof campaignWorkflow>(campaignId).query(shardsQuery);
  return shards.map((s) => s.workflowId);
}

/** Shards read at once, ahead of the one being handed out: a read waits for the slowest, not the sum. */
const SHARDS_READ_AHEAD = 4;
const RECORDS_PAGE = 500;

/** Every item record of the campaign, shard by shard, page by page (optionally of one state). */
export async function* campaignRecords(
  client: Client,
  campaignId: string,
  state?: ItemState,
): AsyncGenerator<ItemRecord> {
  const ids = await shardIds(client, campaignId);
  const reads: Promise<ItemRecord[]>[] = [];
  const readAhead = (upTo: number) => {
    for (let i = reads.length; i < Math.min(upTo, ids.length); i++) {
      const read = shardRecords(client, ids[i] as string, state);
      // Handed out in order below; a shard read ahead of a failure must not be an unhandled rejection.
      read.catch(() => undefined);
      reads.push(read);
    }
  };
  for (let i = 0; i < ids.length; i++) {
    readAhead(i + SHARDS_READ_AHEAD);
    yield* await (reads[i] as Promise<ItemRecord[]>);
  }
}

/** One shard's records: live by query (its pages at once once the first told the total), or as it closed. */
async function shardRecords(client: Client, id: string, state?: ItemState): Promise<ItemRecord[]> {
  const handle = client.workflow.getHandle<typeof shardWorkflow>(id);
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') {
    const result: ShardResult = await handle.result();
    return result.entries.filter((entry) => !state || entry.state === state).map(toRecord);
  }
  const first = await handle.query(recordsQuery, { offset: 0, limit: RECORDS_PAGE, state });
  const rest = [];
  for (
    let offset = first.records.length;
    first.records.length > 0 && offset < first.total;
    offset += RECORDS_PAGE
  )
    rest.push(handle.query(recordsQuery, { offset, limit: RECORDS_PAGE, state }));
  const pages = [first, ...(await Promise.all(rest))];
  const records = pages.flatMap((page) => page.records);
  // Items added while the pages were read grow the total: the rest are read in turn.
  for (let total = Math.max(...pages.map((page) => page.total)); records.length < total;) {
    const page = await handle.query(recordsQuery, { offset: records.length, limit: RECORDS_PAGE, state });
    if (page.records.length === 0) break;
    records.push(...page.records);
    total = page.total;
  }
  return records;
}

/** One item's record, from the shard its key routes to. */
export async function campaignItem(
  client: Client,
  campaignId: string,
  key: string,
): Promise<ItemRecord | undefined> {
  for (const id of await shardIds(client, campaignId)) {
    const handle = client.workflow.getHandle<typeof shardWorkflow>(id);
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') {
      const record = await handle.query(itemQuery, key);
      if (record) return record;
    } else {
      const entry = (await handle.result()).entries.find((e) => e.key === key);
      if (entry) return toRecord(entry);
    }
  }
  return undefined;
}

/**
 * What keeps a campaign from making progress on this deployment: a task queue no worker polls (a
 * worker started with another REPLICA_FLEET_API_TASK_QUEUE, or none at all).
 */
export async function missingWorkers(
  client: Client,
  queues: { taskQueue: string; apiTaskQueue: string },
): Promise<string[]> {
  const { TaskQueueType } = temporal.api.enums.v1;
  const pollers = async (name: string, type: temporal.api.enums.v1.TaskQueueType) =>
    (
      await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name },
        taskQueueType: type,
      })
    ).pollers?.length ?? 0;
  const problems: string[] = [];
  if ((await pollers(queues.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)) === 0) {
    problems.push(
      `no worker polls task queue "${queues.taskQueue}" for workflows: start one with REPLICA_FLEET_TASK_QUEUE=${queues.taskQueue} replica-fleet worker`,
    );
  }
  if ((await pollers(queues.apiTaskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)) === 0) {
    problems.push(
      `no worker polls task queue "${queues.apiTaskQueue}" for Replicas API calls: items cannot start; run the worker with REPLICA_FLEET_API_TASK_QUEUE=${queues.apiTaskQueue} (and the CLI with the same value)`,
    );
  }
  return problems;
}

/**
 * Polls the campaign's progress (once a second by default) until `done` says so; rejects with the
 * abort reason as soon as `signal` fires (the question in flight, if any, is answered first).
 */
export async function waitForCampaign(
  client: Client,
  campaignId: string,
  done: (progress: CampaignProgress) => boolean = (p) => p.state !== 'running',
  intervalMs = 1000,
  signal?: AbortSignal,
): Promise<CampaignProgress> {
  let unansweredSince: number | undefined;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const progress = await campaignProgress(client, campaignId);
      if (done(progress)) return progress;
      unansweredSince = undefined;
    } catch (error) {
      // A busy campaign (a long workflow task, a continue-as-new) may let one query time out: ask again.
      if (!isGrpcDeadlineError(error)) throw error;
      unansweredSince ??= Date.now();
      if (Date.now() - unansweredSince > QUERY_PATIENCE_MS) throw error;
    }
    await delay(intervalMs, undefined, { signal });
  }
}

/** How long `waitForCampaign` keeps asking a campaign whose queries time out before giving up. */
const QUERY_PATIENCE_MS = 10 * 60_000;
