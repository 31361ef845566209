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
