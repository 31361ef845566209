import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  getExternalWorkflowHandle,
  log,
  startChild,
} from '@temporalio/workflow';
import {
  CampaignIdAttribute,
  RepositoryAttribute,
  endedJob,
  jobWorkflowId,
  type ReplicaJobInput,
  type ReplicaJobResult,
  type ShardJobSettings,
  type TrackedChange,
} from '../../contracts';
import {
  beginFixTurn,
  causeOf,
  fixMessage,
  fixTurnsSent,
  fixVerdict,
  type FixVerdict,
} from '../../policy/fix-turns';
import type { BookEntry, ItemBook } from '../../policy/item-book';
import { replicaJobWorkflow } from '../replica-job/workflow';

/** What running fix turns needs of its shard. */
export interface FixRunsShard {
  readonly campaignId: string;
  readonly book: ItemBook;
  readonly settings: ShardJobSettings;
  /** With a budget: the fix turns this shard may have sent in all (absent: no cap but `maxFixTurns`). */
  readonly fixTurnsUpTo: number | undefined;
  /** A fix turn's job ended: the book takes its cost and turns, and the PR is read again. */
  fixEnded(key: string, number: number, ended: { result?: ReplicaJobResult; error?: string }): void;
  markChanged(reportNow?: boolean): void;
}

/** The workflow id of an item's Nth fix turn: unique, so Temporal itself refuses a second start. */
export function fixJobWorkflowId(campaignId: string, itemKey: string, number: number): string {
  return `${jobWorkflowId(campaignId, itemKey)}/fix-${number}`;
}

/**
 * The campaign's fix loop in a shard (`pullRequests.fixes: campaign`): for each followed PR that is
 * not mergeable, one follow-up turn to its agent on the kept workspace, per cause and head (or
 * review), up to `maxFixTurns`. Each turn is recorded on the item before its job starts, so replay
 * and continue-as-new neither lose nor repeat it; the rules live in `src/policy/fix-turns.ts`.
 */
export class FixRuns {
  private running = 0;
  /** Workflow ids of the fix turns under way, for a cancel. */
  private readonly underWay = new Set<string>();
  /** The campaign was cancelled: no fix turn starts any more (carried across continue-as-new). */
  stopped: boolean;
  private waiting = 0;

  constructor(
    private readonly shard: FixRunsShard,
    stopped = false,
  ) {
    this.stopped = stopped;
  }

  /** The campaign was cancelled: the turns under way are cancelled (each cleans up) and none starts. */
  cancel(): void {
    this.stopped = true;
    for (const id of this.underWay)
      getExternalWorkflowHandle(id)
        .cancel()
        .catch((error: unknown) =>
          log.warn('could not cancel a fix turn', { workflowId: id, error: String(error) }),
        );
  }

  get inFlight(): number {
    return this.running;
  }

  /** PRs whose fix turn is due but waits for the campaign to grant one within its budget. */
  get waitingForBudget(): number {
    return this.waiting;
  }

  /** Sends what is due, and notes on each PR the loop gave up on why it did. */
  consider(): void {
    const settings = this.shard.settings.fixes;
    if (!settings || settings.fixes !== 'campaign' || this.stopped) return;
    const cap = this.shard.fixTurnsUpTo;
    let sent = cap === undefined ? 0 : fixTurnsSent(this.shard.book.all().map((entry) => entry.change));
    this.waiting = 0;
    for (const entry of this.shard.book.openChanges()) {
      const change = entry.change as TrackedChange;
      const verdict = fixVerdict(
        change,
        settings,
        { kept: Boolean(entry.replicaKept && entry.replicaId) },
        { spent: cap !== undefined && sent >= cap },
      );
      if (verdict.kind === 'send') {
        this.start(entry, change, verdict);
        sent += 1;
        continue;
      }
      if (verdict.kind === 'stop' && verdict.waitsForBudget) this.waiting += 1;
      if (verdict.kind === 'stop' && change.stopReason !== verdict.reason) {
        change.stopReason = verdict.reason;
        this.shard.markChanged(true);
      } else if (verdict.kind === 'none' && change.stopReason && !causeOf(change)) {
        // Mergeable again (fixed by hand, or a re-run went green): nothing stands in the way now.
        delete change.stopReason;
        this.shard.markChanged(true);
      }
    }
  }

  private start(
    entry: BookEntry,
    change: TrackedChange,
    verdict: Extract<FixVerdict, { kind: 'send' }>,
  ): void {
    const settings = this.shard.settings;
    const fixes = settings.fixes as NonNullable<ShardJobSettings['fixes']>;
    const turn = beginFixTurn(change, verdict, Date.now());
    this.running += 1;
    this.shard.markChanged(true);
    const input: ReplicaJobInput = {
      ...settings.job,
      campaignId: this.shard.campaignId,
      itemKey: entry.key,
      attempt: entry.attempt,
      repository: entry.repository,
      environmentId: entry.environmentId,
      message: fixMessage(change, verdict.cause, fixes, { ...(entry.branch && { branch: entry.branch }) }),
      followUps: undefined,
      apiTaskQueue: settings.apiTaskQueue,
      // The workspace stays with its PR; `after-merge` deletes it once the PR settles.
      cleanup: 'keep',
      continueChange: {
        pullRequest: change.url,
        ...(entry.branch && { branch: entry.branch }),
        ...(entry.replicaId && { replicaId: entry.replicaId }),
      },
      fixTurn: turn.number,
    };
    void this.run(entry.key, turn.number, input);
  }

  private async run(key: string, number: number, input: ReplicaJobInput): Promise<void> {
    let ended: { result?: ReplicaJobResult; error?: string };
    const workflowId = fixJobWorkflowId(this.shard.campaignId, key, number);
    this.underWay.add(workflowId);
    try {
      const child = await startChild(replicaJobWorkflow, {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: CampaignIdAttribute, value: this.shard.campaignId },
          ...(input.repository ? [{ key: RepositoryAttribute, value: input.repository }] : []),
        ],
        staticSummary: `${input.repository ?? key}: fix turn ${number}`,
      });
      ended = { result: await child.result() };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        // Started by an earlier run of this shard: it was sent, and is not sent again.
        ended = {};
      } else {
        const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
        const { result, error: message } = endedJob(cause);
        ended = { ...(result && { result }), error: result?.error ?? message ?? 'the fix turn failed' };
      }
    }
    this.running -= 1;
    this.underWay.delete(workflowId);
    this.shard.fixEnded(key, number, ended);
  }
}
