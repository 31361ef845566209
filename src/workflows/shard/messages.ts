import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  ActionRequest,
  ItemRecord,
  PullRequestObservation,
  ItemState,
  ResultsPage,
  ShardCommand,
  ShardGrant,
} from '../../contracts';

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
/** URLs of the PRs this shard follows: the ingress routes GitHub deliveries by them (or their repository). */
export const followedPullRequestsQuery = defineQuery<string[]>('followedPullRequests');

/**
 * `campaign prs --mark-ready`: every open draft PR the shard follows is marked ready for review, a
 * batch at a time apart from reads; the request rides on the items, so it survives continue-as-new.
 */
export const markReadySignal = defineSignal('markPullRequestsReady');

/**
 * A bulk action (`campaign merge`, `close-prs`, `comment`) on these items' PRs: each is guarded, then
 * recorded pending on its item before anything is sent, so a crash neither loses nor repeats it.
 */
export const pullRequestActionSignal = defineSignal<[ActionRequest]>('pullRequestAction');

/**
 * PRs to read now: from the webhook ingress (a GitHub event named them) or `campaign sync` (`all`).
 * Readings replace what the shard knew, so a repeated or late hint costs one read, nothing more.
 */
export const pullRequestHintSignal = defineSignal<[PullRequestHint]>('pullRequestHint');

/**
 * PRs by URL, every PR of some repositories, or every followed one, to read; and what deliveries
 * told, taken at once without a read (news the shard cannot place is read instead).
 */
export interface PullRequestHint {
  urls?: string[];
  repositories?: string[];
  all?: boolean;
  observations?: PullRequestObservation[];
}
