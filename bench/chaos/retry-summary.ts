import type { ItemRecord, ItemState } from '../../src/contracts';
import type { SimStats } from '../../src/simulator';
import { runReplicaName } from './measures';

/** Where retried runs ran: on the workspace the earlier run kept, or on a new one. */
export interface Workspaces {
  kept: number;
  new: number;
}

export interface RetryOutcome {
  /** Items the retry re-ran: those the first pass left failed or timed out. */
  items: number;
  /** Retried items that had a PR, which their re-run was to continue rather than open another. */
  withPr: number;
  /** How the retried items ended. */
  ended: Partial<Record<ItemState, number>>;
  /**
   * By the records (the run's replica is the one the first pass kept, or another) and by the simulator
   * (the kept replica ran more turns; a replica named after the re-run was created): the two must agree.
   */
  workspaces: { byRecords: Workspaces; bySimulator: Workspaces };
}

const RETRYABLE = new Set<ItemState>(['failed', 'timed_out']);

/**
 * What the retry phase did to the items it re-ran, from the records before and after it and the
 * simulator's turns per replica before it and its ground truth after.
 */
export function retryOutcome(evidence: {
  campaignId: string;
  before: ItemRecord[];
  after: ItemRecord[];
  turnsBefore: Record<string, number>;
  stats: Pick<SimStats, 'createdReplicas' | 'turnsByReplica'>;
}): RetryOutcome {
  const { campaignId, stats } = evidence;
  const after = new Map(evidence.after.map((r) => [r.key, r]));
  const createdNames = new Set(Object.values(stats.createdReplicas).map((r) => r.name));
  const retried = evidence.before.filter((r) => RETRYABLE.has(r.state));
  const ended: RetryOutcome['ended'] = {};
  const byRecords: Workspaces = { kept: 0, new: 0 };
  const bySimulator: Workspaces = { kept: 0, new: 0 };
  for (const first of retried) {
    const last = after.get(first.key);
    if (!last) continue;
    ended[last.state] = (ended[last.state] ?? 0) + 1;
    if (last.replicaId) byRecords[last.replicaId === first.replicaId ? 'kept' : 'new'] += 1;
    const earlier = first.replicaId;
    if (earlier && (stats.turnsByReplica[earlier] ?? 0) > (evidence.turnsBefore[earlier] ?? 0))
      bySimulator.kept += 1;
    if (createdNames.has(runReplicaName(campaignId, first.key, last.attempt))) bySimulator.new += 1;
  }
  return {
    items: retried.length,
    withPr: retried.filter((r) => r.pullRequest !== undefined).length,
    ended,
    workspaces: { byRecords, bySimulator },
  };
}
