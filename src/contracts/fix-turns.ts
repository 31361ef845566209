/**
 * The fix loop's vocabulary: who answers a PR that is not mergeable (the campaign, the platform or
 * nobody), why a fix turn is sent, and the record of each turn on the item's change. Plain data: it
 * rides in shard state and workflow history.
 */

/** Why a fix turn is sent. */
export const FIX_CAUSES = ['conflicting', 'checks-failing', 'changes-requested', 'behind'] as const;
export type FixCause = (typeof FIX_CAUSES)[number];

/**
 * Who answers: `campaign` sends the agent a follow-up turn on the same workspace (the platform's own
 * follow-ups off); `platform` leaves it to Replicas' follow-ups (`pr_followups: true`); `off`: nobody.
 */
export const FIXERS = ['campaign', 'platform', 'off'] as const;
export type Fixer = (typeof FIXERS)[number];

/** The spec's `pullRequests` block as shards run it. */
export interface FixSettings {
  fixes: Fixer;
  /** Fix turns per PR, over every cause (0–10, default 3). */
  maxFixTurns: number;
  /** Templates by cause, over the defaults (`{{pr}}`, `{{branch}}`, `{{base}}`, `{{checks}}`, `{{review}}`). */
  messages?: Partial<Record<FixCause, string>>;
}

export const FIX_DEFAULTS = { fixes: 'campaign', maxFixTurns: 3, maxFixTurnsLimit: 10 } as const;

/** One fix turn, recorded before its job starts, so a crash can neither lose nor repeat it. */
export interface FixTurn {
  /** 1, 2, … per PR: the job's workflow id ends `/fix-N`. */
  number: number;
  cause: FixCause;
  /**
   * What this turn answers: the head commit for checks, conflicts and a base that moved on; the
   * review for changes requested (a new head does not dismiss a review). One turn per cause and ref.
   */
  ref: string;
  headSha: string;
  atMs: number;
  state: 'running' | 'sent' | 'failed';
  error?: string;
}

/**
 * What a plan assumes of the fix loop before anything ran: at each head commit a PR needs another
 * turn with this chance (its checks fail, a review asks for changes, or it conflicts). Real figures
 * differ by repository; the plan states it as an assumption.
 */
export const FIX_PROJECTION = { needPercent: 30 } as const;

/**
 * Fix turns a PR is expected to take when each head needs another with chance `needShare` (0–1): the
 * first with that chance, a second only if the first's head needs one too, … up to `maxFixTurns`.
 */
export function expectedFixTurnsPerPr(maxFixTurns: number, needShare: number): number {
  let expected = 0;
  for (let k = 1; k <= maxFixTurns; k += 1) expected += needShare ** k;
  return expected;
}

/**
 * The minutes one fix turn is expected to run: one turn of an item's estimate (the estimate covers
 * the instruction and its follow-ups), on a workspace that already holds the repository.
 */
export function fixTurnMinutes(estimatedMinutesPerItem: number, followUps: number): number {
  return estimatedMinutesPerItem / (1 + followUps);
}
