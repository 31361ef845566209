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
  'secondPrs',
  'spendDecreased',
] as const;
export type Measure = (typeof MEASURES)[number];

/** What the run leaves: the campaign's records and the simulator's ground truth. */
export interface RunEvidence {
  campaignId: string;
  itemKeys: string[];
  followUps: number;
  /** The records once the campaign finished. */
  records: ItemRecord[];
  /**
   * The records as earlier phases left them (the first pass, before a retry), so that each run of an
   * item is known with the replica it used: a run is a key and an attempt.
   */
  earlierRecords?: ItemRecord[];
  stats: Pick<SimStats, 'createdReplicas' | 'turnsByReplica' | 'duplicateNames'>;
  /** Replicas that exist once the campaign has finished. */
  liveReplicas: { id: string; name: string }[];
  /** The spend every read of the campaign's progress showed, in the order read, over every phase. */
  spendSamples?: number[];
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
    /** Replicas that ran more turns than the first message plus the follow-ups, per run that used them. */
    duplicateTurns: number;
    /** Records beyond the first for one item key. */
    duplicateRecords: number;
  };
  /** Lost PRs by how the item of the replica that opened them ended (`unrecorded`: an item without a record). */
  lostPrsByItemState: Record<string, number>;
  prsOpened: number;
  /** The most distinct PRs the replicas of one item opened (one change per item: at most 1). */
  mostPrsOfAnItem: number;
  /** Runs that failed with the platform's own error (expected: the simulator injects errors). */
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

/**
 * The replica a run creates, named as the job workflow names it: after the item, and a re-run
 * (attempt n > 1) that needs a new workspace after `key#n`.
 */
export function runReplicaName(campaignId: string, key: string, attempt: number): string {
  return replicaName(campaignId, attempt > 1 ? `${key}#${attempt}` : key);
}

/** The item each replica name belongs to, over every attempt of it. */
function itemsByReplicaName(evidence: RunEvidence): Map<string, string> {
  const attempts = new Map(evidence.itemKeys.map((key) => [key, 1]));
  for (const record of evidence.records)
    attempts.set(record.key, Math.max(attempts.get(record.key) ?? 1, record.attempt));
  const items = new Map<string, string>();
  for (const [key, attempt] of attempts)
    for (let n = 1; n <= attempt; n += 1) items.set(runReplicaName(evidence.campaignId, key, n), key);
  return items;
}

/** Every run (a key and an attempt) as the last phase that saw it left it: earlier phases first. */
function runsOf(evidence: RunEvidence): ItemRecord[] {
  const runs = new Map<string, ItemRecord>();
  for (const record of [...(evidence.earlierRecords ?? []), ...evidence.records])
    runs.set(`${record.key}@${record.attempt}`, record);
  return [...runs.values()];
}

/** How many runs used each replica. */
function runsByReplica(runs: ItemRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { replicaId } of runs) if (replicaId) counts.set(replicaId, (counts.get(replicaId) ?? 0) + 1);
  return counts;
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
  const itemOfName = itemsByReplicaName(evidence);
  const itemOf = (replica: { name: string }) => itemOfName.get(replica.name);
  const recorded = new Map(records.map((r) => [r.key, r]));
  const runs = runsOf(evidence);

  // Duplicates: of replicas (one name per run), of turns, of records.
  const kinds = {
    sameNameAlive: stats.duplicateNames,
    namesCreatedAgain: 0,
    duplicateTurns: 0,
    duplicateRecords: 0,
  };
  for (const [name, replicas] of groupBy(created, (r) => r.name)) {
    for (const extra of replicas.slice(1)) {
      kinds.namesCreatedAgain += 1;
      found('duplicates', `${name} created again as ${extra.id}`);
    }
  }
  const turnsPerRun = 1 + evidence.followUps;
  // A re-run that continues on the workspace an earlier run kept sends its turns there too.
  const runsOnReplica = runsByReplica(runs);
  for (const [id, turns] of Object.entries(stats.turnsByReplica)) {
    const allowed = turnsPerRun * Math.max(1, runsOnReplica.get(id) ?? 0);
    if (turns <= allowed) continue;
    kinds.duplicateTurns += 1;
    found('duplicates', `replica ${id} ran ${turns} turns (expected at most ${allowed})`);
  }
  for (const [key, same] of groupBy(records, (r) => r.key)) {
    for (let i = 1; i < same.length; i += 1) {
      kinds.duplicateRecords += 1;
      found('duplicates', `${key} has ${same.length} records (${same.map((r) => r.state).join(', ')})`);
    }
  }

  // One change per item: the replicas of all its runs together opened at most one PR.
  let mostPrsOfAnItem = 0;
  for (const [item, replicas] of groupBy(created, (r) => itemOf(r) ?? r.name)) {
    const prs = new Set(replicas.flatMap((r) => r.pullRequests));
    mostPrsOfAnItem = Math.max(mostPrsOfAnItem, prs.size);
    if (prs.size > 1)
      found(
        'secondPrs',
        `${item} has ${prs.size} PRs from ${replicas.length} replicas: ${[...prs].join(' ')}`,
      );
  }

  // Lost work: PRs the platform opened that no record shows; follow-ups of succeeded items that never ran.
  const reported = new Set(records.flatMap((r) => r.prs ?? []));
  const lostPrsByItemState: Record<string, number> = {};
  for (const replica of created) {
    for (const url of replica.pullRequests) {
      if (reported.has(url)) continue;
      const key = itemOf(replica);
      const state = (key && recorded.get(key)?.state) ?? 'unrecorded';
      lostPrsByItemState[state] = (lostPrsByItemState[state] ?? 0) + 1;
      found('lostPrs', `${url} of ${replica.name} (item ${state})`);
    }
  }
  for (const record of records) {
    if (record.state !== 'succeeded') continue;
    const turns = record.replicaId ? (stats.turnsByReplica[record.replicaId] ?? 0) : 0;
    if (turns < turnsPerRun)
      found('lostTurns', `${record.key} succeeded after ${turns} of ${turnsPerRun} turns`);
  }

  // Leaks: live replicas no record keeps on purpose (failed runs keep theirs as evidence, also after
  // a retry moved on to another workspace: the record's `earlierReplicas`).
  const kept = new Set(
    records.flatMap((r) => [
      ...(r.replicaKept && r.replicaId ? [r.replicaId] : []),
      ...(r.earlierReplicas ?? []),
    ]),
  );
  for (const replica of evidence.liveReplicas) {
    if (!kept.has(replica.id)) found('leakedReplicas', `${replica.name} (${replica.id})`);
  }

  // Failures, of every run (a retried one too): each must carry the platform's own error, none may be
  // a fault that retries would pass.
  let failedWithPlatformMessage = 0;
  for (const run of runs) {
    if (!FAILED.has(run.state)) continue;
    const error = run.error ?? '';
    const platform = run.replicaId ? stats.createdReplicas[run.replicaId]?.error : undefined;
    const which = `${run.key} run ${run.attempt}`;
    if (platform && error.includes(platform)) failedWithPlatformMessage += 1;
    else found('failedWithoutPlatformMessage', `${which} ${run.state}: ${error || '(no error)'}`);
    if (RETRYABLE_FAULT.test(error)) found('failedByRetryableFault', `${which}: ${error}`);
  }

  for (const key of evidence.itemKeys) {
    const state = recorded.get(key)?.state;
    if (!state || !FINISHED.has(state)) found('itemsNotFinished', `${key}: ${state ?? 'no record'}`);
  }

  // Spend counts every run and never goes down: not across reads, not across a retry.
  let highest = Number.NEGATIVE_INFINITY;
  for (const [i, usd] of (evidence.spendSamples ?? []).entries()) {
    if (usd < highest) found('spendDecreased', `read ${i + 1} showed ${usd} USD after ${highest} USD`);
    highest = Math.max(highest, usd);
  }

  return {
    counts,
    examples,
    duplicateKinds: kinds,
    lostPrsByItemState,
    prsOpened: created.reduce((n, r) => n + r.pullRequests.length, 0),
    mostPrsOfAnItem,
    failedWithPlatformMessage,
  };
}
