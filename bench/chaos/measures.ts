import { replicaName, type ItemRecord } from '../../src/contracts';
import type { SimStats } from '../../src/simulator';

/** Everything a chaos run is judged on: each must be zero for the run to pass. */
export const MEASURES = [
  'duplicates',
  'lostPrs',
  'lostTurns',
  'leakedReplicas',
  'failedWithoutPlatformMessage',
  'failedByRetryableFault',
  'itemsNotFinished',
] as const;
export type Measure = (typeof MEASURES)[number];

/** What the run leaves: the campaign's records and the simulator's ground truth. */
export interface RunEvidence {
  campaignId: string;
  itemKeys: string[];
  followUps: number;
  records: ItemRecord[];
  stats: Pick<SimStats, 'createdReplicas' | 'turnsByReplica' | 'duplicateNames'>;
  /** Replicas that exist once the campaign has finished. */
  liveReplicas: { id: string; name: string }[];
}

export interface Measures {
  counts: Record<Measure, number>;
  /** A few instances of each non-zero measure, for whoever investigates. */
  examples: Record<Measure, string[]>;
  duplicateKinds: {
    /** Creates while a replica of the same name existed (the simulator's `duplicateNames`; a part of the next). */
    sameNameAlive: number;
    /** Replicas created for a name beyond the first, alive or not. */
    namesCreatedAgain: number;
    /** Replicas that ran more turns than the first message plus the follow-ups. */
    duplicateTurns: number;
    /** Records beyond the first for one item key. */
    duplicateRecords: number;
    /** Items whose PRs came from more than one replica. */
    itemsWithTwoPrSets: number;
  };
  /** Lost PRs by how the item of the replica that opened them ended (`unrecorded`: no record has it). */
  lostPrsByItemState: Record<string, number>;
  prsOpened: number;
  /** Items that failed with the platform's own error (expected: the simulator injects errors). */
  failedWithPlatformMessage: number;
}

/**
 * A failure message that names a fault the job should have retried past: an HTTP 408/429/5xx
 * answer, a network error (a dropped response) or a timeout of a call.
 */
const RETRYABLE_FAULT = /HTTP (408|429|5\d\d)\b|\b(network|timeout|timed out|ECONNRESET|socket hang up)\b/i;
const FAILED = new Set(['failed', 'timed_out']);
const FINISHED = new Set(['succeeded', 'failed', 'timed_out']);
const EXAMPLES = 5;

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export function measure(evidence: RunEvidence): Measures {
  const { records, stats } = evidence;
  const examples = Object.fromEntries(MEASURES.map((m) => [m, [] as string[]])) as Record<Measure, string[]>;
  const counts = Object.fromEntries(MEASURES.map((m) => [m, 0])) as Record<Measure, number>;
  const found = (m: Measure, example: string) => {
    counts[m] += 1;
    if (examples[m].length < EXAMPLES) examples[m].push(example);
  };
  const created = Object.entries(stats.createdReplicas).map(([id, replica]) => ({ id, ...replica }));
  const recordOfReplica = new Map(records.filter((r) => r.replicaId).map((r) => [r.replicaId as string, r]));
  const keyOfName = new Map(evidence.itemKeys.map((key) => [replicaName(evidence.campaignId, key), key]));

  // Duplicates: of replicas, of turns, of records, of PR sets.
  const byName = groupBy(created, (r) => r.name);
  const kinds = {
    sameNameAlive: stats.duplicateNames,
    namesCreatedAgain: 0,
    duplicateTurns: 0,
    duplicateRecords: 0,
    itemsWithTwoPrSets: 0,
  };
  for (const [name, replicas] of byName) {
    for (const extra of replicas.slice(1)) {
      kinds.namesCreatedAgain += 1;
      found('duplicates', `${name} created again as ${extra.id}`);
    }
    if (replicas.filter((r) => r.pullRequests.length > 0).length > 1) {
      kinds.itemsWithTwoPrSets += 1;
      found('duplicates', `${keyOfName.get(name) ?? name} has PRs from ${replicas.length} replicas`);
    }
  }
  const allowedTurns = 1 + evidence.followUps;
  for (const [id, turns] of Object.entries(stats.turnsByReplica)) {
    if (turns <= allowedTurns) continue;
    kinds.duplicateTurns += 1;
    found('duplicates', `replica ${id} ran ${turns} turns (expected at most ${allowedTurns})`);
  }
  for (const [key, same] of groupBy(records, (r) => r.key)) {
    for (let i = 1; i < same.length; i += 1) {
      kinds.duplicateRecords += 1;
      found('duplicates', `${key} has ${same.length} records (${same.map((r) => r.state).join(', ')})`);
    }
  }

  // Lost work: PRs the platform opened that no record shows; follow-ups of succeeded items that never ran.
  const reported = new Set(records.flatMap((r) => r.prs ?? []));
  const lostPrsByItemState: Record<string, number> = {};
  for (const replica of created) {
    for (const url of replica.pullRequests) {
      if (reported.has(url)) continue;
      const state = recordOfReplica.get(replica.id)?.state ?? 'unrecorded';
      lostPrsByItemState[state] = (lostPrsByItemState[state] ?? 0) + 1;
      found('lostPrs', `${url} of ${replica.name} (item ${state})`);
    }
  }
  for (const record of records) {
    if (record.state !== 'succeeded') continue;
    const turns = record.replicaId ? (stats.turnsByReplica[record.replicaId] ?? 0) : 0;
    if (turns < allowedTurns)
      found('lostTurns', `${record.key} succeeded after ${turns} of ${allowedTurns} turns`);
  }

  // Leaks: live replicas no record keeps on purpose (failed items keep theirs as evidence).
  const kept = new Set(records.filter((r) => r.replicaKept && r.replicaId).map((r) => r.replicaId));
  for (const replica of evidence.liveReplicas) {
    if (!kept.has(replica.id)) found('leakedReplicas', `${replica.name} (${replica.id})`);
  }

  // Failures: each must carry the platform's own error, none may be a fault that retries would pass.
  let failedWithPlatformMessage = 0;
  for (const record of records) {
    if (!FAILED.has(record.state)) continue;
    const error = record.error ?? '';
    const platform = record.replicaId ? stats.createdReplicas[record.replicaId]?.error : undefined;
    if (platform && error.includes(platform)) failedWithPlatformMessage += 1;
    else found('failedWithoutPlatformMessage', `${record.key} ${record.state}: ${error || '(no error)'}`);
    if (RETRYABLE_FAULT.test(error)) found('failedByRetryableFault', `${record.key}: ${error}`);
  }

  const recorded = new Map(records.map((r) => [r.key, r]));
  for (const key of evidence.itemKeys) {
    const state = recorded.get(key)?.state;
    if (!state || !FINISHED.has(state)) found('itemsNotFinished', `${key}: ${state ?? 'no record'}`);
  }

  return {
    counts,
    examples,
    duplicateKinds: kinds,
    lostPrsByItemState,
    prsOpened: created.reduce((n, r) => n + r.pullRequests.length, 0),
    failedWithPlatformMessage,
  };
}
