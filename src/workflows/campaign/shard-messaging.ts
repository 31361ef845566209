import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  log,
  startChild,
} from '@temporalio/workflow';
import {
  CampaignIdAttribute,
  groupByShard,
  shardWorkflowId,
  type KeptReplica,
  type ShardAck,
  type ShardCommand,
} from '../../contracts';
import type { CampaignBook } from '../../policy/campaign-book';
import { shardCommandSignal, shardGrantSignal } from '../shard/messages';
import { shardWorkflow } from '../shard/workflow';

/** A shard command as the campaign composes it: the request id is added on sending. */
export type ShardCommandBody = DistributiveOmit<ShardCommand, 'requestId'>;

/**
 * The campaign's side of talking to its shards: starts each shard workflow once, sends commands and
 * waits for their acknowledgements (matched by request id), and sends grants. The campaign's
 * `shardAckSignal` handler hands each acknowledgement to `acknowledge`.
 */
export class ShardMessaging {
  /** Acknowledgements that arrived, by request id, until their command takes them. */
  private readonly acks = new Map<string, ShardAck>();
  private readonly starting = new Map<number, Promise<void>>();
  private requestSeq = 0;

  /** `run` tells request ids of this run from those of runs before a continue-as-new. */
  constructor(
    private readonly campaignId: string,
    private readonly book: CampaignBook,
    private readonly run: number,
  ) {}

  acknowledge(ack: ShardAck): void {
    this.acks.set(ack.requestId, ack);
  }

  /** Sends a command to one shard (starting it first if need be) and waits for its acknowledgement. */
  async command(index: number, command: ShardCommandBody): Promise<ShardAck> {
    await this.ensureStarted(index);
    const requestId = `${this.run}.${(this.requestSeq += 1)}`;
    await getExternalWorkflowHandle(shardWorkflowId(this.campaignId, index)).signal(shardCommandSignal, {
      ...command,
      requestId,
    } as ShardCommand);
    await condition(() => this.acks.has(requestId));
    const ack = this.acks.get(requestId) as ShardAck;
    this.acks.delete(requestId);
    return ack;
  }

  /** The same command to every started shard, in parallel. */
  broadcast(command: ShardCommandBody): Promise<ShardAck[]> {
    return Promise.all(this.book.startedShards().map((index) => this.command(index, command)));
  }

  /** Tells the started shards which of their kept replicas were released; how many they updated. */
  async release(replicas: KeptReplica[]): Promise<{ released: number }> {
    const byShard = groupByShard(replicas, this.book.shardCount);
    const acks = await Promise.all(
      [...byShard]
        .filter(([index]) => this.book.isShardStarted(index))
        .map(([index, chunk]) => this.command(index, { kind: 'released', replicas: chunk })),
    );
    return { released: acks.reduce((n, ack) => n + ack.summary.updated, 0) };
  }

  /** Grants cap each shard's fix turns within the budget (FIX_TURNS_WITHIN_BUDGET; set by the workflow). */
  fixTurnsWithinBudget = false;

  /** Sends each shard its changed grant; a shard that is gone is not worth failing over. */
  sendGrants(): void {
    for (const { index, grant } of this.book.nextGrants({
      fixTurnsWithinBudget: this.fixTurnsWithinBudget,
    })) {
      getExternalWorkflowHandle(shardWorkflowId(this.campaignId, index))
        .signal(shardGrantSignal, grant)
        .catch((error: unknown) => log.warn('could not grant shard', { shard: index, error: String(error) }));
    }
  }

  private ensureStarted(index: number): Promise<void> {
    if (!this.book.needsShardStart(index)) return Promise.resolve();
    let starting = this.starting.get(index);
    if (!starting) {
      starting = (async () => {
        try {
          await startChild(shardWorkflow, {
            workflowId: shardWorkflowId(this.campaignId, index),
            args: [{ campaignId: this.campaignId, index, settings: this.book.shardSettings() }],
            // Shards outlive this run: continue-as-new must not take them down; they signal by id.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            typedSearchAttributes: [{ key: CampaignIdAttribute, value: this.campaignId }],
            staticSummary: `shard ${index} of campaign ${this.campaignId}`,
          });
        } catch (error) {
          // Already running (an earlier run of this campaign started it): it is the same shard.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
        this.book.markShardStarted(index);
      })();
      this.starting.set(index, starting);
    }
    return starting;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
