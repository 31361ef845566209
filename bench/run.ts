import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { campaignScenario } from './scenarios/campaign';
import { fixLoopScenario } from './scenarios/fix-loop';
import { dashboardScenario } from './scenarios/dashboard';
import { ingressLatency } from './scenarios/ingress';
import { pollingCost, webhookHappyPath, type Figures } from './scenarios/jobs';
import { naiveScenario } from './scenarios/naive';
import { trackingScenario } from './scenarios/tracking';

/**
 * `npm run bench` runs the standard set (one job's costs, the ingress, a 10,000-item campaign at
 * concurrency 500 and the naive alternative on the same simulator) and saves bench/results/latest.json;
 * `npm run bench -- scale` runs 50,000 items into bench/results/scale.json;
 * `npm run bench -- campaign N C` runs one campaign of N items at concurrency C;
 * `npm run bench -- tracking N` follows the PRs of N items (10,000 by default) into bench/results/tracking-N.json;
 * `npm run bench -- fix-loop N` runs N items (300 by default) on the simulator with `fixes: campaign`, then
 * `off`, same seed and knobs, into bench/results/fix-loop-N.json.
 * `npm run bench -- dashboard` measures the dashboard on a 10,000-item campaign into bench/results/dashboard.json.
 */
const sets: Record<string, (args: string[]) => [string, () => Promise<Figures>][]> = {
  standard: () => [
    ['polling-cost', pollingCost],
    ['webhook-happy-path', webhookHappyPath],
    ['ingress-1000', () => ingressLatency(1000)],
    ['campaign-10000x500', () => campaignScenario(10_000, 500)],
    ['naive-10000x500', () => naiveScenario(10_000, 500)],
  ],
  scale: () => [['campaign-50000x500', () => campaignScenario(50_000, 500)]],
  campaign: ([n = '1000', c = '100']) => [
    [`campaign-${n}x${c}`, () => campaignScenario(Number(n), Number(c))],
  ],
  naive: ([n = '1000', c = '100']) => [[`naive-${n}x${c}`, () => naiveScenario(Number(n), Number(c))]],
  tracking: ([n = '10000']) => [[`tracking-${n}`, () => trackingScenario(Number(n))]],
  'fix-loop': ([n = '300']) => [[`fix-loop-${n}`, () => fixLoopScenario(Number(n))]],
  dashboard: () => [['dashboard-10000', dashboardScenario]],
};

async function main(argv: string[]): Promise<void> {
  const [name = 'standard', ...args] = argv;
  const set = sets[name];
  if (!set) throw new Error(`unknown benchmark set "${name}": one of ${Object.keys(sets).join(', ')}`);
  const results: Record<string, Figures> = {};
  for (const [scenario, run] of set(args)) {
    process.stdout.write(`bench ${scenario} … `);
    results[scenario] = await run();
    console.log(JSON.stringify(results[scenario]));
  }
  // `tracking` and `fix-loop` without N run their default and are saved under it like an explicit one.
  const named =
    name === 'tracking' && args.length === 0
      ? ['10000']
      : name === 'fix-loop' && args.length === 0
        ? ['300']
        : args;
  const file =
    name === 'standard' ? 'latest.json' : `${name}${named.length ? `-${named.join('x')}` : ''}.json`;
  const out = path.join(__dirname, '..', '..', 'bench', 'results', file);
  mkdirSync(path.dirname(out), { recursive: true });
  const machine = {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
  console.log(`figures saved to ${path.relative(process.cwd(), out)}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
