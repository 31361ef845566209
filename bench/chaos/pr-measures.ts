import type { ItemRecord, TrackedChange } from '../../src/contracts';
import type { CodeHostPullRequestState, HostMerge, MergeRequestRecord } from '../../src/simulator';

/** What the pull-request phase is judged on: each must be zero for the run to pass. */
export const PR_MEASURES = [
  'fixTurnsRepeated',
  'mergedNotGreenApproved',
  'mergeRequestsRepeated',
  'forgedAccepted',
  'itemsStuck',
] as const;
export type PrMeasure = (typeof PR_MEASURES)[number];

/** A forged or unsigned delivery sent to the ingress, and its answer (`unreachable`: it was down). */
export interface ForgedSend {
  kind: 'unsigned' | 'wrong-secret' | 'tampered';
  status: number | 'unreachable';
}

/** What the phase leaves: the campaign's records, and GitHub's and Replicas' record of what happened. */
export interface PrEvidence {
  records: ItemRecord[];
  /** The item whose replica opened each PR, by URL (from the Replicas simulator). */
  itemOfPr: Map<string, string>;
  /** Turns each replica ran (Replicas simulator). */
  turnsByReplica: Record<string, number>;
  /** Turns a job sends before any fix turn: the instruction and its follow-ups. */
  turnsPerJob: number;
  /** Every PR on the code host as it stands now; those of other campaigns are left out here. */
  pullRequests: CodeHostPullRequestState[];
  merges: HostMerge[];
  mergeRequests: Record<string, MergeRequestRecord[]>;
  forged: ForgedSend[];
  /** Text only forged deliveries carry: a record holding it took a forgery in. */
  forgedMarker: string;
  checkedAtMs: number;
  /** How long after its last change a PR's record may still disagree: one sweep, and the read itself. */
  allowedLagMs: number;
}

export interface PrMeasures {
  counts: Record<PrMeasure, number>;
  /** A few instances of each non-zero measure, for whoever investigates. */
  examples: Record<PrMeasure, string[]>;
  prs: { opened: number; open: number; merged: number; closed: number };
  fixTurns: { recorded: number; byCause: Record<string, number>; failed: number };
  mergeRequests: number;
  /** PRs compared with their item's record, and those that changed too recently to be judged. */
  judged: number;
  notSettled: number;
  forged: { sent: number; refused: number; unreachable: number };
}

const EXAMPLES = 5;
const LIFECYCLE: Record<CodeHostPullRequestState['state'], TrackedChange['lifecycle']> = {
  OPEN: 'open',
  MERGED: 'merged',
  CLOSED: 'closed',
};
const CHECKS: Record<string, TrackedChange['checks']> = {
  SUCCESS: 'passing',
  FAILURE: 'failing',
  PENDING: 'pending',
};
const REVIEW: Record<string, TrackedChange['review']> = {
  APPROVED: 'approved',
  CHANGES_REQUESTED: 'changes-requested',
  REVIEW_REQUIRED: 'review-required',
};

/** How the record's view of a PR differs from the code host's, field by field; empty when they agree. */
export function disagreement(change: TrackedChange | undefined, truth: CodeHostPullRequestState): string[] {
  if (!change) return ['the item follows no such PR'];
  const differs: string[] = [];
  const lifecycle = LIFECYCLE[truth.state];
  if (change.lifecycle !== lifecycle) differs.push(`state ${change.lifecycle}, GitHub ${lifecycle}`);
  // A settled PR no longer moves: its state is all that matters of it.
  if (lifecycle !== 'open') return differs;
  if (change.headSha !== truth.headSha)
    differs.push(`head ${change.headSha.slice(0, 7)}, GitHub ${truth.headSha.slice(0, 7)}`);
  const checks = CHECKS[truth.checks];
  if (change.checks !== checks) differs.push(`checks ${change.checks}, GitHub ${checks}`);
  const review = REVIEW[truth.reviewDecision];
  if (change.review !== review) differs.push(`review ${change.review}, GitHub ${review}`);
  return differs;
}

/**
 * The five counts of the pull-request phase: fix turns sent twice (more turns on a workspace than its
 * job and recorded fix turns account for, or two recorded turns for one cause and ref), merges of PRs
 * that were not green and approved at the merged head, merge requests repeated after a PR merged,
 * forged deliveries the ingress took, and PRs whose item still disagreed with GitHub more than one
 * sweep after their last change.
 */
export function measurePullRequests(evidence: PrEvidence): PrMeasures {
  const counts = Object.fromEntries(PR_MEASURES.map((m) => [m, 0])) as Record<PrMeasure, number>;
  const examples = Object.fromEntries(PR_MEASURES.map((m) => [m, [] as string[]])) as Record<
    PrMeasure,
    string[]
  >;
  const found = (m: PrMeasure, example: string) => {
    counts[m] += 1;
    if (examples[m].length < EXAMPLES) examples[m].push(example);
  };
  const records = new Map(evidence.records.map((r) => [r.key, r]));
  const ours = evidence.pullRequests.filter((pr) => evidence.itemOfPr.has(pr.url));
  const ourUrls = new Set(ours.map((pr) => pr.url));

  // 1. Fix turns: the agent's workspace ran no more turns than the job and the recorded fix turns.
  const fixTurns = { recorded: 0, byCause: {} as Record<string, number>, failed: 0 };
  for (const record of evidence.records) {
    const turns = record.change?.fixTurns ?? [];
    fixTurns.recorded += turns.length;
    for (const turn of turns) {
      fixTurns.byCause[turn.cause] = (fixTurns.byCause[turn.cause] ?? 0) + 1;
      if (turn.state === 'failed') fixTurns.failed += 1;
    }
    if (record.replicaId) {
      const ran = evidence.turnsByReplica[record.replicaId] ?? 0;
      const allowed = evidence.turnsPerJob + turns.length;
      if (ran > allowed)
        found(
          'fixTurnsRepeated',
          `${record.key}: its workspace ran ${ran} turns, ${allowed} recorded (${turns.length} fix turns)`,
        );
    }
    const seen = new Set<string>();
    for (const turn of turns) {
      const identity = `${turn.cause} ${turn.ref}`;
      if (seen.has(identity))
        found(
          'fixTurnsRepeated',
          `${record.key}: fix turn ${turn.number} repeats ${turn.cause} on ${turn.ref}`,
        );
      seen.add(identity);
    }
  }

  // 2. Merges: green and approved at the head that was merged.
  for (const merge of evidence.merges) {
    if (!ourUrls.has(merge.pullRequest)) continue;
    if (merge.checks !== 'SUCCESS' || merge.review !== 'APPROVED')
      found(
        'mergedNotGreenApproved',
        `${merge.pullRequest} merged at ${merge.headSha.slice(0, 7)} with checks ${merge.checks}, review ${merge.review}`,
      );
  }

  // 3. Merge requests: none once one succeeded.
  let mergeRequests = 0;
  for (const [url, requests] of Object.entries(evidence.mergeRequests)) {
    if (!ourUrls.has(url)) continue;
    mergeRequests += requests.length;
    const first = requests.findIndex((r) => r.status === 200);
    if (first < 0) continue;
    const after = requests.slice(first + 1);
    if (after.length > 0)
      found(
        'mergeRequestsRepeated',
        `${url}: ${after.length} merge request(s) after it merged (${after.map((r) => r.status).join(', ')})`,
      );
  }

  // 4. Forgeries: refused at the door, and nothing of them on any record.
  const forged = { sent: evidence.forged.length, refused: 0, unreachable: 0 };
  for (const send of evidence.forged) {
    if (send.status === 'unreachable') forged.unreachable += 1;
    else if (send.status >= 200 && send.status < 300)
      found('forgedAccepted', `a ${send.kind} delivery was answered ${send.status}`);
    else forged.refused += 1;
  }
  for (const record of evidence.records)
    if (JSON.stringify(record).includes(evidence.forgedMarker))
      found('forgedAccepted', `${record.key} holds what a forged delivery said`);

  // 5. Stuck: a record that still disagrees with GitHub a sweep after the PR last changed.
  let judged = 0;
  let notSettled = 0;
  for (const truth of ours) {
    if (evidence.checkedAtMs - truth.changedAtMs <= evidence.allowedLagMs) {
      notSettled += 1;
      continue;
    }
    judged += 1;
    const key = evidence.itemOfPr.get(truth.url) as string;
    const record = records.get(key);
    const change = record?.change?.url === truth.url ? record.change : undefined;
    const differs = disagreement(change, truth);
    if (differs.length > 0)
      found(
        'itemsStuck',
        `${key} (${truth.url}) ${Math.round((evidence.checkedAtMs - truth.changedAtMs) / 1000)} s after its last change: ${differs.join('; ')}`,
      );
  }

  return {
    counts,
    examples,
    prs: {
      opened: ours.length,
      open: ours.filter((pr) => pr.state === 'OPEN').length,
      merged: ours.filter((pr) => pr.state === 'MERGED').length,
      closed: ours.filter((pr) => pr.state === 'CLOSED').length,
    },
    fixTurns,
    mergeRequests,
    judged,
    notSettled,
    forged,
  };
}
