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
  /** Items one apply update carries: well under 1 MB of payload. */
  maxItemsPerUpdate: 1000,
  maxResultsPage: 500,
  maxErrorLength: 300,
  /** A campaign's shards hold at most this many items in all. */
  maxShards: 128,
} as const;

/** How a campaign spreads its items over shard workflows. */
export const SHARD_LIMITS = {
  /** Items per shard a new campaign is sized for. */
  targetItems: 1000,
  /** Items one shard may hold: ~300 bytes of record each keeps its state under 1 MB. */
  maxItems: 2500,
  /** History events after which a shard drains its running items and continues as new. */
  historyEvents: 8000,
  /** At most one progress report per shard this often while items finish (one at once when idle). */
  reportEveryMs: 2000,
  /** Running items that have not reported for this long are looked up in Temporal. */
  reconcileAfterMs: 10 * 60_000,
  /** An item whose job id an earlier run holds is looked up again this often until that job ends. */
  recheckTakenMs: 5_000,
  /**
   * A PR is read this long after its job ends, with those of the jobs ending meanwhile: a campaign
   * ending 17 items a second would otherwise spend a GraphQL request on each.
   */
  jobEndReadDelayMs: 3_000,
} as const;

/**
 * How often each shard reports while items end: every shard reports to one campaign, so the interval
 * grows with their number and the campaign takes at most about 10 reports a second.
 */
export function reportEveryMsFor(shardCount: number): number {
  return Math.max(SHARD_LIMITS.reportEveryMs, shardCount * 100);
}

/** How many shards a campaign created with `items` items gets (fixed for its life). */
export function shardCountFor(items: number, itemsPerShard: number = SHARD_LIMITS.targetItems): number {
  return Math.min(LIMITS.maxShards, Math.max(1, Math.ceil(items / itemsPerShard)));
}

/** What a replica job does when its input leaves a setting out. */
export const JOB_DEFAULTS = {
  turnTimeoutMs: 2 * 60 * 60 * 1000,
  jobTimeoutMs: 24 * 60 * 60 * 1000,
  pollIntervalMs: 30_000,
  /** Longest gap between looks while webhooks are expected. */
  webhookSafetyPollMs: 5 * 60 * 1000,
  /** First look after a turn starts, and the pace of looks while a wake is under way. */
  lookAfterMs: 20_000,
  maxWakeAttempts: 3,
  /** A long poll on a worker that died is retried once this passes without a heartbeat (it beats every 5 s). */
  pollHeartbeatTimeoutMs: 30_000,
  /** A Replicas API call on a worker that died is retried once this passes without a heartbeat. */
  apiHeartbeatTimeoutMs: 15_000,
  cleanup: 'delete-on-success',
} as const;

export const CAMPAIGN_DEFAULTS = {
  concurrency: 10,
  /** Expected run time of one item, for budget projections. */
  estimatedMinutesPerItem: 30,
  /** How long a finished campaign stays open (retry, add, apply) before it closes itself. */
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  /** Item events a campaign keeps for live views. */
  recentEvents: 20,
} as const;
