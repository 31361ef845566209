import {
  CAMPAIGN_DEFAULTS,
  FIX_PROJECTION,
  JOB_DEFAULTS,
  expectedFixTurnsPerPr,
  fixTurnMinutes,
  ratePerMinute,
  type CampaignSpec,
  type ReplicaSize,
} from '../contracts';
import { waveBounds } from '../policy/rollout';

/** One repository a `targets` glob matched, and what an apply would do with it. */
export interface TargetRow {
  repository: string;
  key: string;
  /** `run` on its bound environment, `create_environment` from the template first, or `skip`. */
  action: 'run' | 'create_environment' | 'skip';
  environmentId?: string;
  reason?: string;
}

export interface TargetPreview {
  pattern: string;
  templateEnvironmentId?: string;
  repositories: TargetRow[];
  /** Replicas API calls the preview made (all reads). */
  apiCalls: number;
}

export interface Range {
  min: number;
  max: number;
}

/** What a campaign would do, computed before anything starts; `--json` prints this object. */
export interface CampaignPlan {
  name?: string;
  items: { total: number; run: number; skipped: number; environmentsToCreate: number };
  targets?: TargetPreview;
  turnsPerItem: number;
  concurrency: number;
  startsPerMinute?: number;
  waves?: { wave: number; items: number; approval: boolean }[];
  minutesPerItem: Range & { estimated: boolean };
  durationMinutes: Range;
  spend: {
    size: ReplicaSize | 'unspecified';
    ratePerMinuteUsd: number;
    /** Items × estimated minutes × rate: what the budget guard projects. */
    projectedUsd: number;
    rangeUsd: Range;
    /** Every item running until its job timeout: the most the campaign can cost (one run each). */
    ceilingUsd: number;
    /**
     * A `retry-failed` round re-runs the failed share (each retry is a whole run, paid again): at the
     * failure threshold when the spec sets one, else `RETRY_FAILURE_PERCENT`.
     */
    retry: { failurePercent: number; roundUsd: number; projectedWithRetryUsd: number };
    budgetUsd?: number;
    /** Items the budget covers at the estimate; the campaign stops starting items past it. */
    itemsWithinBudget?: number;
    /** With `pullRequests.fixes: campaign`: the follow-up turns the campaign sends on PRs not mergeable. */
    fixTurns?: FixTurnProjection;
    /** Items and the expected fix turns: what the campaign is likely to cost in all. */
    projectedWithFixTurnsUsd?: number;
  };
  apiCalls: { webhooks?: Range; polling: Range; minimumSeconds: number; ratePerSecond: number };
  assumptions: string[];
}

/** What the fix loop is expected to add: every item assumed to open a PR, each needing fixes by chance. */
export interface FixTurnProjection {
  /** `pullRequests.maxFixTurns`: no PR gets more. */
  maxPerPr: number;
  /** The assumed chance that a head commit needs another turn (`FIX_PROJECTION.needPercent`). */
  needPercent: number;
  /** `expectedFixTurnsPerPr(maxPerPr, needPercent / 100)`, rounded to two decimals. */
  expectedPerPr: number;
  /** Fix turns over the campaign at that rate, rounded up. */
  expectedTurns: number;
  /** One turn of an item's estimate. */
  minutesPerTurn: number;
  perTurnUsd: number;
  projectedUsd: number;
  /** Every PR using all its fix turns. */
  maxUsd: number;
}

/** The share of items a plan assumes fail and are retried once, when the spec sets no failure threshold. */
export const RETRY_FAILURE_PERCENT = 10;

/** Default range of one item's run when the spec gives no estimate: typical agent tasks. */
export const DEFAULT_MINUTES_PER_ITEM: Range = { min: 10, max: 60 };

const round2 = (n: number) => Math.round(n * 100) / 100;

function retryRound(spec: CampaignSpec, run: number, perItemUsd: number): CampaignPlan['spend']['retry'] {
  const failurePercent = spec.failureThreshold?.percent ?? RETRY_FAILURE_PERCENT;
  const roundUsd = round2(Math.ceil((run * failurePercent) / 100) * perItemUsd);
  return { failurePercent, roundUsd, projectedWithRetryUsd: round2(run * perItemUsd + roundUsd) };
}

function fixTurnProjection(
  spec: CampaignSpec,
  run: number,
  minutesPerItem: number,
  rate: number,
): FixTurnProjection {
  const maxPerPr = spec.fixes?.maxFixTurns ?? 0;
  const needPercent = FIX_PROJECTION.needPercent;
  const perPr = expectedFixTurnsPerPr(maxPerPr, needPercent / 100);
  const minutesPerTurn = fixTurnMinutes(minutesPerItem, spec.job.followUps?.length ?? 0);
  const perTurnUsd = minutesPerTurn * rate;
  return {
    maxPerPr,
    needPercent,
    expectedPerPr: round2(perPr),
    expectedTurns: Math.ceil(run * perPr - 1e-9),
    minutesPerTurn,
    perTurnUsd: Math.round(perTurnUsd * 1e4) / 1e4,
    projectedUsd: round2(run * perPr * perTurnUsd),
    maxUsd: round2(run * maxPerPr * perTurnUsd),
  };
}

/**
 * The figures of a campaign before it runs: items, pacing, a duration range, projected and maximum
 * spend against the budget, and Replicas API calls, with every assumption spelled out.
 */
export function planCampaign(
  spec: CampaignSpec,
  options: { targets?: TargetPreview; apiRatePerSecond?: number } = {},
): CampaignPlan {
  const rows = options.targets?.repositories;
  const total = rows ? rows.length : (spec.items?.length ?? 0);
  const skipped = rows ? rows.filter((r) => r.action === 'skip').length : 0;
  const run = total - skipped;
  const environmentsToCreate = rows ? rows.filter((r) => r.action === 'create_environment').length : 0;
  const turns = 1 + (spec.job.followUps?.length ?? 0);
  const concurrency = Math.max(1, Math.min(spec.concurrency ?? CAMPAIGN_DEFAULTS.concurrency, run || 1));
  const assumptions: string[] = [];

  const jobTimeoutMinutes = (spec.job.jobTimeoutMs ?? JOB_DEFAULTS.jobTimeoutMs) / 60_000;
  const estimate = spec.estimatedMinutesPerItem;
  const perItem: Range = estimate
    ? { min: estimate / 2, max: Math.min(jobTimeoutMinutes, estimate * 1.5) }
    : { ...DEFAULT_MINUTES_PER_ITEM, max: Math.min(jobTimeoutMinutes, DEFAULT_MINUTES_PER_ITEM.max) };
  assumptions.push(
    estimate
      ? `an item runs ${perItem.min}-${perItem.max} min (half to one and a half times estimatedMinutesPerItem, ${estimate})`
      : `an item runs ${perItem.min}-${perItem.max} min (no estimatedMinutesPerItem in the spec; set it to sharpen the plan)`,
  );

  const batches = Math.ceil(run / concurrency);
  const duration: Range = { min: batches * perItem.min, max: batches * perItem.max };
  if (spec.startsPerMinute && run > 0) {
    const starting = (run - 1) / spec.startsPerMinute;
    duration.min = Math.max(duration.min, starting + perItem.min);
    duration.max = Math.max(duration.max, starting + perItem.max);
    assumptions.push(
      `starts are paced at ${spec.startsPerMinute}/min: starting every item takes ${Math.ceil(starting * 60)} s`,
    );
  }

  const bounds = waveBounds(spec.rollout, run);
  const waves =
    bounds.length > 1
      ? bounds.map((bound, i) => ({
          wave: i,
          items: Math.min(bound, run) - (i === 0 ? 0 : (bounds[i - 1] ?? 0)),
          approval: i > 0 && Boolean(spec.rollout?.approval),
        }))
      : undefined;
  if (waves && spec.rollout?.approval)
    assumptions.push('each wave after the first waits for `campaign approve`: add the time that takes');

  const rate = ratePerMinute(spec.job.size);
  const expected = estimate ?? CAMPAIGN_DEFAULTS.estimatedMinutesPerItem;
  const spend: CampaignPlan['spend'] = {
    size: spec.job.size ?? 'unspecified',
    ratePerMinuteUsd: rate,
    projectedUsd: round2(run * expected * rate),
    rangeUsd: { min: round2(run * perItem.min * rate), max: round2(run * perItem.max * rate) },
    ceilingUsd: round2(run * jobTimeoutMinutes * rate),
    retry: retryRound(spec, run, expected * rate),
  };
  if (spec.budgetUsd !== undefined) {
    spend.budgetUsd = spec.budgetUsd;
    spend.itemsWithinBudget = Math.min(run, Math.floor(spec.budgetUsd / (expected * rate)));
  }
  if (spec.fixes?.fixes === 'campaign' && spec.tracking !== false) {
    spend.fixTurns = fixTurnProjection(spec, run, expected, rate);
    spend.projectedWithFixTurnsUsd = round2(spend.projectedUsd + spend.fixTurns.projectedUsd);
    const f = spend.fixTurns;
    assumptions.push(
      `fix turns: every item opens a PR and each head commit needs another turn with a ${f.needPercent}% chance (failing checks, changes requested, a conflict), so ${f.expectedPerPr} per PR (at most ${f.maxPerPr}, pullRequests.maxFixTurns), each one turn of the estimate (${round2(f.minutesPerTurn)} min); the budget covers them too: none starts past it`,
    );
  }
  assumptions.push(
    `a retry-failed round re-runs ${spend.retry.failurePercent}% of the items (${spec.failureThreshold ? "the spec's failure threshold" : 'assumed; a failure threshold in the spec sets it'}), each a whole run paid again`,
  );
  assumptions.push(
    `spend: $${rate}/min per workspace (${spec.job.size ?? 'no size given'}), projected at ${expected} min per item${estimate ? '' : ' (the default estimate)'}; the ceiling is every item running its whole job timeout (${jobTimeoutMinutes / 60} h)`,
  );

  // Happy path per item: create, the first look, delete; one send per follow-up and one look after
  // it; items that end without a PR read the chat history once for the agent's last answer.
  const minutesRange = (r: Range) => ({ min: r.min * 60, max: r.max * 60 });
  const seconds = minutesRange(perItem);
  const safetyPoll = (spec.job.webhookSafetyPollMs ?? JOB_DEFAULTS.webhookSafetyPollMs) / 1000;
  const pollEvery = (spec.job.pollIntervalMs ?? JOB_DEFAULTS.pollIntervalMs) / 1000;
  const base = 3 + 2 * (turns - 1);
  const perItemCalls = (everySeconds: number): Range => ({
    min: base + Math.floor(seconds.min / everySeconds),
    max: base + 1 + Math.ceil(seconds.max / everySeconds),
  });
  const targetCalls = options.targets ? 2 + environmentsToCreate : 0;
  const times = (r: Range): Range => ({ min: run * r.min + targetCalls, max: run * r.max + targetCalls });
  const webhooks = spec.job.webhooks === false ? undefined : times(perItemCalls(safetyPoll));
  const polling = times(perItemCalls(pollEvery));
  const ratePerSecond = options.apiRatePerSecond ?? 10;
  assumptions.push(
    `API calls per item: create, a first look, delete, a send and a look per follow-up, a history read when no PR comes out; plus a look every ${safetyPoll}s with webhooks (safety net) or every ${pollEvery}s when polling`,
  );
  assumptions.push(
    `the fleet makes at most ${ratePerSecond} Replicas API calls per second (REPLICAS_API_RATE_PER_SECOND)`,
  );
  const minimumSeconds = Math.ceil((webhooks ?? polling).min / ratePerSecond);
  duration.min = Math.max(duration.min, minimumSeconds / 60);
  // The API floor can pass the item-based maximum (no item to run, only the targets lookups).
  duration.max = Math.max(duration.max, duration.min);

  return {
    ...(spec.name && { name: spec.name }),
    items: { total, run, skipped, environmentsToCreate },
    ...(options.targets && { targets: options.targets }),
    turnsPerItem: turns,
    concurrency,
    ...(spec.startsPerMinute && { startsPerMinute: spec.startsPerMinute }),
    ...(waves && { waves }),
    minutesPerItem: { ...perItem, estimated: Boolean(estimate) },
    durationMinutes: { min: round2(duration.min), max: round2(duration.max) },
    spend,
    apiCalls: { ...(webhooks && { webhooks }), polling, minimumSeconds, ratePerSecond },
    assumptions,
  };
}
