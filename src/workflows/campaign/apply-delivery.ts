import {
  LIMITS,
  addApplySummary,
  emptyApplySummary,
  groupByShard,
  type ApplySummary,
  type ApplyTicket,
  type CampaignActivities,
  type CampaignTargets,
  type ResolvedTargets,
} from '../../contracts';
import type { CampaignBook } from '../../policy/campaign-book';
import type { ApplyChunk, OrderedItem } from './messages';
import type { ShardMessaging } from './shard-messaging';

/** Targets resolved per activity call: one page of repositories. */
const TARGETS_PAGE = 200;

/**
 * How an apply's items reach their shards: chunks sent by the CLI, items the campaign has itself (a
 * schedule's run), and targets it resolves page by page. Each chunk is one command to one shard.
 */
export class ApplyDelivery {
  constructor(
    private readonly api: CampaignActivities,
    private readonly shards: ShardMessaging,
    private readonly book: CampaignBook,
  ) {}

  /** The first page of a targets spec: it also tells how many items there are. */
  firstPage(targets: CampaignTargets): Promise<ResolvedTargets> {
    return this.api.resolveTargets({ targets, offset: 0, limit: TARGETS_PAGE });
  }

  /** Sends one chunk to its shard, with each item's wave, and returns what the shard did. */
  async chunk(chunk: ApplyChunk): Promise<ApplySummary> {
    const ack = await this.shards.command(chunk.shard, {
      kind: 'items',
      applyId: chunk.applyId,
      items: this.book.route(chunk.items),
      retryFailed: chunk.retryFailed ?? false,
      addOnly: chunk.addOnly ?? false,
    });
    const { requeued: _requeued, ...summary } = ack.summary;
    return summary;
  }

  /** Routes items to their shards, one command per chunk of a shard, and adds up what each did. */
  async items(items: OrderedItem[], applyId: number, retryFailed: boolean): Promise<ApplySummary> {
    const byShard = groupByShard(items, this.book.shardCount);
    const summary = emptyApplySummary();
    for (const [shard, chunk] of byShard) {
      for (let i = 0; i < chunk.length; i += LIMITS.maxItemsPerUpdate) {
        const done = await this.chunk({
          applyId,
          shard,
          items: chunk.slice(i, i + LIMITS.maxItemsPerUpdate),
          retryFailed,
        });
        addApplySummary(summary, done);
      }
    }
    return summary;
  }

  /** Delivers a targets spec page by page, from its first page on. */
  async targets(
    targets: CampaignTargets,
    first: ResolvedTargets,
    ticket: ApplyTicket,
    retryFailed: boolean,
  ): Promise<ApplySummary> {
    const summary = emptyApplySummary();
    let page = first;
    for (let offset = 0; ;) {
      const items = page.items.map((item, i) => ({ ...item, ordinal: ticket.ordinalBase + offset + i }));
      addApplySummary(summary, await this.items(items, ticket.applyId, retryFailed));
      offset += TARGETS_PAGE;
      if (offset >= page.total || page.items.length === 0) return summary;
      page = await this.api.resolveTargets({ targets, offset, limit: TARGETS_PAGE });
    }
  }
}
