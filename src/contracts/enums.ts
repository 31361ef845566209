/**
 * The closed sets of values our inputs, records and specs use, as `as const` tuples: zod schemas are
 * built from them (`z.enum(CODING_AGENTS)`) and types derived from them, so a value is added in one place.
 * The Replicas client keeps the API's own lists; the activities hand ours to it, so the compiler
 * checks that every value here is one the API accepts.
 */
export const CODING_AGENTS = ['claude', 'codex', 'cursor', 'opencode'] as const;
export type CodingAgent = (typeof CODING_AGENTS)[number];

export const THINKING_LEVELS = ['low', 'medium', 'high', 'max'] as const;
export type ThinkingLevel = (typeof THINKING_LEVELS)[number];

export const REPLICA_SIZES = ['small', 'large'] as const;
export type ReplicaSize = (typeof REPLICA_SIZES)[number];

export const LIFECYCLE_POLICIES = ['default', 'delete_when_done', 'delete_after_inactivity'] as const;
export type LifecyclePolicy = (typeof LIFECYCLE_POLICIES)[number];

/**
 * What a job does with its replica when it ends: `delete-on-success` (default) keeps failed ones as
 * evidence, `delete` always deletes, `keep` leaves every replica for humans, `after-merge` keeps it
 * for the campaign to delete once the item's PR is merged or closed.
 */
export const CLEANUP_POLICIES = ['delete-on-success', 'delete', 'keep', 'after-merge'] as const;
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];

/** How a job ended. */
export const JOB_STATES = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_PHASES = [
  'creating',
  'waiting_turn',
  'sending_follow_up',
  'waking',
  'collecting',
  'cleaning_up',
  'done',
] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

/** Where one campaign item stands: not started, running, one of the job's end states, or skipped. */
export const ITEM_STATES = ['pending', 'running', ...JOB_STATES, 'skipped'] as const;
export type ItemState = (typeof ITEM_STATES)[number];
