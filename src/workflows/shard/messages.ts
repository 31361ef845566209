import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ItemRecord, ItemState, ResultsPage, ShardCommand, ShardGrant } from '../../contracts';

/** What the shard may start; sent by its campaign whenever it changes. */
export const shardGrantSignal = defineSignal<[ShardGrant]>('grant');
/** Items of an apply, retries, prunes, cancel, close: each acknowledged to the campaign by request id. */
export const shardCommandSignal = defineSignal<[ShardCommand]>('command');

export const recordsQuery = defineQuery<
  ResultsPage,
  [{ offset?: number; limit?: number; state?: ItemState }?]
>('records');
export const itemQuery = defineQuery<ItemRecord | null, [string]>('item');
/** The targets (`targetOf`) of items not finished yet: what another campaign must not also work on. */
export const activeTargetsQuery = defineQuery<string[]>('activeTargets');
