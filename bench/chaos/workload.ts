import type { CampaignItem, CampaignSpec } from '../../src/contracts';
import type { SimConfigInput } from '../../src/simulator';

/** Each item's one follow-up: the simulator must run exactly 1 + this many turns per replica. */
export const FOLLOW_UPS = ['Now add a regression test for {{item.key}}.'];

/** The simulator's seeded repositories that have an environment bound to them. */
const REPOSITORIES = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs'];

/** The fault knobs of the issue: 5% 5xx, 2% 429, 2% dropped answers, webhooks misbehaving, sleeps, errors. */
export function chaosSimConfig(seed: number): SimConfigInput {
  return {
    seed,
    // Turns of a few seconds; webhook redeliveries (1 s doubling, 8 tries) outlast an ingress restart.
    timings: { provisionMs: 500, turnMs: 2_000, wakeMs: 500 },
    behaviour: { prProbability: 0.9, errorRate: 0.02, sleepMidTurnRate: 0.05 },
    faults: {
      serverErrorRate: 0.05,
      rateLimitRate: 0.02,
      retryAfterSeconds: 1,
      dropResponseRate: 0.02,
      webhookDropRate: 0.05,
      webhookDuplicateRate: 0.05,
      webhookReorderRate: 0.05,
    },
  };
}

/** Once the run is over, reading what it left must not trip on an injected fault. */
export const NO_FAULTS: SimConfigInput = {
  faults: {
    serverErrorRate: 0,
    rateLimitRate: 0,
    dropResponseRate: 0,
    webhookDropRate: 0,
    webhookDuplicateRate: 0,
    webhookReorderRate: 0,
  },
};

export interface WorkloadOptions {
  items: number;
  concurrency: number;
  itemsPerShard: number;
  seed: number;
}

/** `count` items keyed `<prefix>-0001`…, spread over the repositories. */
export function chaosItems(
  count: number,
  prefix: string,
  environmentFor: (repository: string) => string,
): CampaignItem[] {
  return Array.from({ length: count }, (_, i) => {
    const repository = REPOSITORIES[i % REPOSITORIES.length] as string;
    return {
      key: `${prefix}-${String(i + 1).padStart(4, '0')}`,
      repository,
      environmentId: environmentFor(repository),
    };
  });
}

/** The campaign: items spread over the repositories, one follow-up each. */
export function chaosSpec(
  options: WorkloadOptions,
  environmentFor: (repository: string) => string,
): CampaignSpec {
  const items = chaosItems(options.items, 'item', environmentFor);
  return {
    name: `chaos (seed ${options.seed})`,
    job: {
      message: 'Upgrade the linter in {{repository}} ({{item.key}}).',
      followUps: FOLLOW_UPS,
      // Turns last seconds here, so looks come sooner than the production defaults.
      lookAfterMs: 5_000,
      webhookSafetyPollMs: 20_000,
    },
    items,
    concurrency: options.concurrency,
    itemsPerShard: options.itemsPerShard,
  };
}
