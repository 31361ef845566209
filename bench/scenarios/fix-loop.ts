import { simulateCampaign, type SimulatedPullRequests } from '../../src/campaign-client/simulate';
import type { CampaignItem, CampaignSpec, Fixer } from '../../src/contracts';
import type { SimConfigInput } from '../../src/simulator';
import type { Figures } from './jobs';

/**
 * The figure: on the simulator with the same seed and knobs, each head commit's checks fail
 * with a 30% chance (so the first CI run fails on 30% of PRs and a fix turn's new head passes 70% of the
 * time), reviewers approve green PRs and maintainers merge approved green ones. Merged share with
 * `fixes: campaign` against `fixes: off`, side by side.
 */
const KNOBS: SimConfigInput = {
  seed: 22,
  behaviour: { prProbability: 1 },
  codeHost: { checkFailureRate: 0.3, reviewApprovalRate: 1, mergeRate: 1 },
};
const MAX_FIX_TURNS = 3;
/** The simulator's repositories with an environment of their own (every fifth has none). */
const REPOSITORIES = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs'];

function spec(fixes: Fixer, items: CampaignItem[]): CampaignSpec {
  return {
    job: { message: 'Upgrade the linter in {{repository}}' },
    items,
    concurrency: 100,
    fixes: { fixes, maxFixTurns: MAX_FIX_TURNS },
  };
}

const figures = (prefix: string, prs: SimulatedPullRequests | undefined, wallMs: number): Figures => ({
  [`${prefix}.prsOpened`]: prs?.opened ?? 0,
  [`${prefix}.merged`]: prs?.merged ?? 0,
  [`${prefix}.mergedShare`]: prs?.mergedShare ?? 0,
  [`${prefix}.fixTurns`]: prs?.fixTurns ?? 0,
  [`${prefix}.fixStopped`]: prs?.fixStopped ?? 0,
  [`${prefix}.wallSeconds`]: Math.round(wallMs / 100) / 10,
});

/** Both runs of `n` items, one after the other, each on a private stack started afresh with the same seed. */
export async function fixLoopScenario(n: number): Promise<Figures> {
  const items = Array.from({ length: n }, (_, i) => ({
    key: `item-${String(i).padStart(4, '0')}`,
    environmentId: '',
    repository: REPOSITORIES[i % REPOSITORIES.length] as string,
  }));
  const runs: Figures = {
    items: n,
    seed: KNOBS.seed ?? 1,
    checkFailureRate: KNOBS.codeHost?.checkFailureRate ?? 0,
    maxFixTurns: MAX_FIX_TURNS,
  };
  for (const fixes of ['campaign', 'off'] as const) {
    process.stderr.write(`\n  fixes: ${fixes} …`);
    const outcome = await simulateCampaign(spec(fixes, items), items, { sim: KNOBS });
    Object.assign(runs, figures(fixes, outcome.pullRequests, outcome.wallMs));
  }
  process.stderr.write('\n');
  return runs;
}
