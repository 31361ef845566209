import { withCodeHostDefaults } from '../../src/campaign-client/spec';
import type { CampaignSpec } from '../../src/contracts';
import type { SimConfigInput } from '../../src/simulator';
import { chaosItems } from './workload';

type CodeHostKnobs = NonNullable<SimConfigInput['codeHost']>;

/**
 * GitHub during the pull-request phase: a third of head commits fail CI (so fix turns happen, and some
 * fixes fail again), reviewers approve most green PRs and ask for changes on some, a few heads conflict
 * or fall behind; 5% 502s, 3% secondary limits, deliveries dropped, duplicated and reordered. Nobody
 * merges by hand: every merge is the campaign's bulk merge, so each one is the campaign's to answer for.
 */
export const PR_PHASE_CODE_HOST: CodeHostKnobs = {
  checkFailureRate: 0.35,
  checkFlakyRate: 0,
  checkDurationMs: 1_000,
  reviewApprovalRate: 0.85,
  reviewChangesRequestedRate: 0.1,
  reviewDelayMs: 500,
  mergeRate: 0,
  closeRate: 0,
  draftRate: 0,
  behindRate: 0.03,
  conflictRate: 0.03,
  serverErrorRate: 0.05,
  secondaryLimitRate: 0.03,
  retryAfterSeconds: 1,
  webhookDropRate: 0.05,
  webhookDuplicateRate: 0.05,
  webhookReorderRate: 0.05,
};

/** Once the phase is judged, GitHub is calm again (the simulator's state is kept). */
export const CALM_CODE_HOST: CodeHostKnobs = {
  serverErrorRate: 0,
  secondaryLimitRate: 0,
  webhookDropRate: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
};

export interface PrWorkloadOptions {
  items: number;
  concurrency: number;
  itemsPerShard: number;
  seed: number;
  /** Between two reconcile sweeps: the phase's bound on how long an item may disagree with GitHub. */
  sweepMs: number;
  maxFixTurns: number;
}

/**
 * The pull-request phase's campaign: one instruction per item, its PR followed on the code host with
 * a short sweep, the campaign answering red checks, change requests and conflicts with fix turns on
 * the kept workspace (`pullRequests.fixes: campaign`), as `campaign apply` makes of a spec where GitHub
 * and its webhooks are configured.
 */
export function prChaosSpec(
  options: PrWorkloadOptions,
  environmentFor: (repository: string) => string,
): CampaignSpec {
  return withCodeHostDefaults(
    {
      name: `chaos pull requests (seed ${options.seed})`,
      job: {
        message: 'Replace the deprecated lint rule in {{repository}} ({{item.key}}).',
        lookAfterMs: 5_000,
        webhookSafetyPollMs: 20_000,
      },
      items: chaosItems(options.items, 'pr', environmentFor),
      concurrency: options.concurrency,
      itemsPerShard: options.itemsPerShard,
      // News reaches the counts every few seconds; the sweep is what the stuck measure is held to.
      tracking: { sweepMs: options.sweepMs, maxDays: 1, reportMs: 5_000 },
      fixes: { fixes: 'campaign', maxFixTurns: options.maxFixTurns },
    },
    { webhooks: true },
  );
}
