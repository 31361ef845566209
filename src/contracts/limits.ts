/** Task queues the workers poll unless configured otherwise. */
export const TASK_QUEUES = {
  /** Workflows (and the health check's local activity). */
  workflows: 'replica-fleet',
  /** Replicas API activities, rate-limited server-side across every worker. */
  api: 'replica-fleet-api',
} as const;

/** Limits that keep every payload far below Temporal's 2 MB and every history bounded. */
export const LIMITS = {
  maxConcurrency: 500,
  maxItems: 5000,
  maxResultsPage: 500,
  maxErrorLength: 300,
} as const;

/** What a replica job does when its input leaves a setting out. */
export const JOB_DEFAULTS = {
  turnTimeoutMs: 2 * 60 * 60 * 1000,
  jobTimeoutMs: 24 * 60 * 60 * 1000,
  pollIntervalMs: 30_000,
  webhookSafetyPollMs: 10 * 60 * 1000,
  maxWakeAttempts: 3,
  pollHeartbeatTimeoutMs: 2 * 60 * 1000,
} as const;

export const CAMPAIGN_DEFAULTS = {
  concurrency: 10,
  /** Expected run time of one item, for budget projections. */
  estimatedMinutesPerItem: 30,
} as const;
