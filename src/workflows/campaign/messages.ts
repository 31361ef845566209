import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApplySummary,
  ApplyTicket,
  CampaignHeader,
  CampaignItem,
  CampaignProgress,
  KeptReplica,
  ShardAck,
  ShardReport,
} from '../../contracts';
import type { CampaignCarry } from '../../policy/campaign-book';

export interface CampaignInput {
  header: CampaignHeader;
  /** Started without the CLI (a schedule): the campaign applies its spec itself, items or targets. */
  selfApply?: boolean;
  initialItems?: CampaignItem[];
  carry?: CampaignCarry;
}

/** What a closed campaign returns: its last progress, and what a later apply reopens it from. */
export interface CampaignResult {
  progress: CampaignProgress;
  carry: CampaignCarry;
}

/** An item of an apply chunk: its ordinal is `ticket.ordinalBase` plus its index in the spec. */
export type OrderedItem = CampaignItem & { ordinal: number };

export interface ApplyRequest {
  header?: CampaignHeader;
  total: number;
  retryFailed?: boolean;
  addOnly?: boolean;
}

export interface ApplyChunk {
  applyId: number;
  shard: number;
  items: OrderedItem[];
  retryFailed?: boolean;
  addOnly?: boolean;
}

export interface FinishApplyRequest {
  applyId: number;
  prune?: boolean;
}

/**
 * Opens an apply (creating the campaign when it does not exist, through update-with-start): takes the
 * spec without its items (absent: keep the current one) and the number of items that follow.
 */
export const applyUpdate = defineUpdate<
  ApplyTicket & { settingsChanged: boolean; summary?: ApplySummary },
  [ApplyRequest]
>('apply');
/** One chunk of an apply's items, all of one shard (`shardOf(key, ticket.shardCount)`). */
export const applyItemsUpdate = defineUpdate<ApplySummary, [ApplyChunk]>('applyItems');
/** Ends an apply; with `prune`, items the apply did not name are cancelled (with cleanup). */
export const finishApplyUpdate = defineUpdate<{ pruned: number }, [FinishApplyRequest]>('finishApply');

/** Kept replicas `campaign cleanup` deleted (or found gone): their records stop naming them as kept. */
export const releaseReplicasUpdate = defineUpdate<{ released: number }, [KeptReplica[]]>('releaseReplicas');
export const retryFailedUpdate = defineUpdate<{ requeued: number }>('retryFailed');
export const setConcurrencyUpdate = defineUpdate<{ concurrency: number }, [number]>('setConcurrency');
export const pauseUpdate = defineUpdate<CampaignProgress>('pause');
/** Starts new items again: lifts a pause and a failure-threshold or budget stop. */
export const resumeUpdate = defineUpdate<CampaignProgress>('resume');
export const cancelUpdate = defineUpdate<CampaignProgress>('cancel');
/** Opens the next rollout wave. */
export const approveUpdate = defineUpdate<CampaignProgress>('approve');
/** Cancels the rest of a staged rollout (running items clean up). */
export const rejectUpdate = defineUpdate<CampaignProgress>('reject');
/** Ends the campaign; its records stay readable in its shards' results. */
export const closeUpdate = defineUpdate<CampaignProgress>('close');

export const progressQuery = defineQuery<CampaignProgress>('progress');
/** The spec the campaign runs by, without its items: `add-items` checks new items against its templates. */
export const headerQuery = defineQuery<CampaignHeader>('header');
export const shardsQuery = defineQuery<{
  shardCount: number;
  shards: { index: number; workflowId: string }[];
}>('shards');

/** From shards: their counts (at most every couple of seconds while items end). */
export const shardReportSignal = defineSignal<[ShardReport]>('shardReport');
/** From shards: a command done. */
export const shardAckSignal = defineSignal<[ShardAck]>('shardAck');
