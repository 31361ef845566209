import type { Client } from '@temporalio/client';
import {
  shardOf,
  shardWorkflowId,
  type ActionState,
  type ItemRecord,
  type PullRequestAction,
} from '../contracts';
import { actionRefusal } from '../policy/pull-request-actions';
import type { campaignWorkflow } from '../workflows/campaign/workflow';
import { shardsQuery } from '../workflows/campaign/messages';
import { pullRequestActionSignal } from '../workflows/shard/messages';
import { pullRequestRow } from './pull-requests';
import { campaignRecords } from './reads';

/** Which of the campaign's PRs a bulk action is for: some items, PRs in one state, or all. */
export interface BulkFilter {
  items?: string[];
  state?: string;
}

/** One PR's part in a bulk action, as the command reports it. */
export interface BulkOutcome {
  key: string;
  url: string;
  status: 'would act' | ActionState['status'] | 'skipped';
  detail?: string;
}

export interface BulkPlan {
  /** PRs the guard lets through now (the shard checks again when it acts). */
  act: ItemRecord[];
  skipped: BulkOutcome[];
  /** `--items` keys that are not items of the campaign, or have no PR. */
  unknown: string[];
}

/** A bulk action refused as a whole (a campaign without PRs): exit 1 with the reason. */
export class BulkActionError extends Error {
  override name = 'BulkActionError';
}

/** What a bulk action would do, by the same guard the shard applies (`--dry-run` prints this). */
export async function planBulkAction(
  client: Client,
  campaignId: string,
  action: PullRequestAction,
  filter: BulkFilter,
): Promise<BulkPlan> {
  const wanted = filter.items && new Set(filter.items);
  const plan: BulkPlan = { act: [], skipped: [], unknown: [] };
  const seen = new Set<string>();
  let prs = 0;
  for await (const record of campaignRecords(client, campaignId)) {
    const row = pullRequestRow(record);
    if (!row) continue;
    prs += 1;
    if (wanted && !wanted.has(record.key)) continue;
    seen.add(record.key);
    if (filter.state && row.state !== filter.state) continue;
    const refusal = actionRefusal(record.change, action);
    if (refusal) plan.skipped.push({ key: record.key, url: row.url, status: 'skipped', detail: refusal });
    else plan.act.push(record);
  }
  if (prs === 0) throw new BulkActionError(`campaign ${campaignId} has no pull requests`);
  plan.unknown = (filter.items ?? []).filter((key) => !seen.has(key));
  return plan;
}

/**
 * Sends a bulk action to the shards that hold the PRs the guard lets through, then waits (up to
 * `timeoutMs`) until each has its outcome. The shards act durably, a PR at a time, paced under
 * GitHub's limits; a worker killed half-way resumes and acts on no PR twice.
 */
export async function runBulkAction(
  client: Client,
  campaignId: string,
  action: PullRequestAction,
  filter: BulkFilter,
  options: { wait: boolean; timeoutMs?: number; onProgress?: (done: number, total: number) => void },
): Promise<{ id: string; outcomes: BulkOutcome[]; unknown: string[]; unfinished: number }> {
  const plan = await planBulkAction(client, campaignId, action, filter);
  const id = `${action.kind}-${Date.now().toString(36)}`;
  if (plan.act.length > 0) {
    const { shardCount } = await client.workflow
      .getHandle<typeof campaignWorkflow>(campaignId)
      .query(shardsQuery);
    const byShard = new Map<number, string[]>();
    for (const record of plan.act) {
      const shard = shardOf(record.key, shardCount);
      byShard.set(shard, [...(byShard.get(shard) ?? []), record.key]);
    }
    for (const [shard, keys] of byShard)
      await client.workflow
        .getHandle(shardWorkflowId(campaignId, shard))
        .signal(pullRequestActionSignal, { id, action, keys });
  }
  const asked = new Set(plan.act.map((r) => r.key));
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const outcomes: BulkOutcome[] = [];
    let unfinished = 0;
    for await (const record of campaignRecords(client, campaignId)) {
      if (!asked.has(record.key)) continue;
      const state = record.change?.action?.id === id ? record.change.action : undefined;
      const url = record.change?.url ?? record.pullRequest ?? '';
      if (!state || state.status === 'pending') unfinished += 1;
      outcomes.push({
        key: record.key,
        url,
        status: state?.status ?? 'pending',
        ...(state?.detail && { detail: state.detail }),
      });
    }
    options.onProgress?.(asked.size - unfinished, asked.size);
    if (!options.wait || unfinished === 0 || Date.now() > deadline)
      return { id, outcomes: [...outcomes, ...plan.skipped], unknown: plan.unknown, unfinished };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
