import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import {
  LIMITS,
  groupByShard,
  type ApplySummary,
  type CampaignHeader,
  type CampaignItem,
  type CampaignSpec,
} from '../contracts';
import type { campaignWorkflow } from '../workflows/campaign/workflow';
import {
  applyItemsUpdate,
  applyUpdate,
  finishApplyUpdate,
  type OrderedItem,
} from '../workflows/campaign/messages';
import type { CampaignOrigin } from './list';
import { untilAccepted } from './until-accepted';

export interface ApplyOptions {
  campaignId: string;
  /** Workflow task queue the campaign runs on. */
  taskQueue: string;
  /** Re-run failed and timed-out items the spec names. */
  retryFailed?: boolean;
  /** Cancel (with cleanup) items the spec no longer names. */
  prune?: boolean;
  /** `add-items`: only new keys are added; existing ones are left exactly as they are. */
  addOnly?: boolean;
  /** Chunks sent at once. */
  parallelism?: number;
  /** Called as chunks are delivered. */
  onProgress?: (delivered: number, total: number) => void;
  /** Recorded on a campaign this apply creates (its memo), for `campaign list`. */
  origin?: CampaignOrigin;
}

export interface ApplyOutcome {
  created: boolean;
  /** The job settings changed: they apply to every item not started yet. */
  settingsChanged: boolean;
  shardCount: number;
  summary: ApplySummary;
}

/** `+12 new, 340 kept, 3 retried, 2 updated, 0 pruned`. */
export function describeApply(outcome: ApplyOutcome): string {
  const s = outcome.summary;
  const counts = `+${s.added} new, ${s.kept} kept, ${s.retried} retried, ${s.updated} updated, ${s.pruned} pruned`;
  return `${outcome.created ? 'created' : 'applied'}: ${counts}${outcome.settingsChanged ? '; new settings apply to items not started yet' : ''}`;
}

function headerOf(spec: CampaignSpec, apiTaskQueue: string | undefined): CampaignHeader {
  const { items: _items, ...header } = spec;
  return { ...header, ...(apiTaskQueue && { apiTaskQueue }) };
}

/**
 * Creates the campaign or reconciles it by item key (update-with-start, so both are one call), then
 * delivers the items in chunks, each to the shard its key routes to, and ends the apply. Applying the
 * same spec twice changes nothing: every key is found where it was.
 */
export async function applyCampaign(
  client: Client,
  spec: CampaignSpec,
  options: ApplyOptions & { apiTaskQueue?: string },
): Promise<ApplyOutcome> {
  const header = headerOf(spec, options.apiTaskQueue);
  const items = spec.items ?? [];
  // One operation per attempt: a with-start operation is used once.
  const start = () =>
    new WithStartWorkflowOperation<typeof campaignWorkflow>('campaignWorkflow', {
      workflowId: options.campaignId,
      taskQueue: options.taskQueue,
      args: [{ header }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      ...(options.origin && { memo: { origin: options.origin } }),
      staticSummary: `${spec.name ?? options.campaignId}: ${spec.targets ? `targets ${spec.targets.repositories}` : `${items.length} items`}`,
    });
  const handle = client.workflow.getHandle<typeof campaignWorkflow>(options.campaignId);
  const request = { total: items.length, retryFailed: options.retryFailed, addOnly: options.addOnly };
  // Adding items never creates a campaign: it goes to the running one, or fails naming the id.
  const ticket = await untilAccepted(() =>
    options.addOnly
      ? handle.executeUpdate(applyUpdate, { args: [request] })
      : client.workflow.executeUpdateWithStart(applyUpdate, {
          args: [{ ...request, header }],
          startWorkflowOperation: start(),
        }),
  );
  const summary: ApplySummary = ticket.summary ?? { added: 0, kept: 0, retried: 0, pruned: 0, updated: 0 };
  const chunks = chunkByShard(items, ticket.ordinalBase, ticket.shardCount);
  let delivered = 0;
  const send = async (chunk: { shard: number; items: OrderedItem[] }) => {
    const done = await untilAccepted(() =>
      handle.executeUpdate(applyItemsUpdate, {
        args: [
          { applyId: ticket.applyId, ...chunk, retryFailed: options.retryFailed, addOnly: options.addOnly },
        ],
      }),
    );
    for (const key of Object.keys(summary) as (keyof ApplySummary)[]) summary[key] += done[key];
    delivered += chunk.items.length;
    options.onProgress?.(delivered, items.length);
  };
  const queue = [...chunks];
  const lanes = Array.from({ length: Math.max(1, options.parallelism ?? 4) }, async () => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) await send(chunk);
  });
  await Promise.all(lanes);
  const { pruned } = await untilAccepted(() =>
    handle.executeUpdate(finishApplyUpdate, { args: [{ applyId: ticket.applyId, prune: options.prune }] }),
  );
  summary.pruned += pruned;
  return {
    created: ticket.created,
    settingsChanged: ticket.settingsChanged,
    shardCount: ticket.shardCount,
    summary,
  };
}

/** Items with their ordinals, grouped by shard, in chunks no larger than one update may carry. */
export function chunkByShard(
  items: CampaignItem[],
  ordinalBase: number,
  shardCount: number,
): { shard: number; items: OrderedItem[] }[] {
  const byShard = groupByShard(
    items.map((item, i): OrderedItem => ({ ...item, ordinal: ordinalBase + i })),
    shardCount,
  );
  const chunks: { shard: number; items: OrderedItem[] }[] = [];
  for (const [shard, list] of [...byShard].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < list.length; i += LIMITS.maxItemsPerUpdate) {
      chunks.push({ shard, items: list.slice(i, i + LIMITS.maxItemsPerUpdate) });
    }
  }
  return chunks;
}
