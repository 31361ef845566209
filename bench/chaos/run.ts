import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/stack/temporal-binary';
import { runChaos } from './chaos';
import { formatReport } from './report';

const HELP = `Usage: npm run chaos -- [options]

A campaign against the simulator with every fault knob on while the worker, the webhook ingress and
the Temporal dev server are killed with SIGKILL on a seeded schedule and started again; once it has
finished, retry-failed re-runs its failures under the same faults and kills of their own. Then a
pull-request phase: a campaign of its own follows its PRs on the GitHub stand-in and answers red checks,
change requests and conflicts with fix turns while GitHub drops, repeats and reorders deliveries and
answers 502s and secondary limits; the worker is killed during fix turns and during a bulk merge, the
ingress once, and forged and unsigned deliveries are sent to the ingress. Prints the measures, saves
them to bench/results/chaos-<items>.json, exits 0 when every measure is zero (1 when one is not, 2 on
a bad option).

Options:
  --items N           items (default 1000)
  --concurrency N     jobs at once (default 100)
  --items-per-shard N (default 250)
  --seed N            replays a run's schedule and faults (default: random, printed)
  --worker-kills N    (default 6)
  --ingress-kills N   (default 1)
  --temporal-kills N  (default 1)
  --retry-worker-kills N    kills during the retry phase (default 2)
  --retry-ingress-kills N   (default 1)
  --retry-temporal-kills N  (default 0)
  --deadline-s N      the run fails if the campaign has not finished both phases by then (default 1800)
  --max-stall-s N     longest time without progress that passes (default 90)
  --no-prs            skip the pull-request phase
  --pr-items N        items of the pull-request phase (default 150)
  --pr-sweep-s N      its reconcile sweep: an item may disagree with GitHub at most this long after its
                      PR last changed (default 20, at least 5)
  --pr-deadline-s N   the phase fails if it has not settled by then (default 600)
  --set KNOB=VALUE    a simulator knob over the chaos defaults, repeatable (see replica-fleet sim --help;
                      codeHost.* knobs win over the pull-request phase's too)
  --keep-logs         keep the processes' logs (they are kept anyway when the run fails)`;

/** A bad option: exit 2 with what to give instead. */
class UsageError extends Error {}

function count(value: string | undefined, name: string, fallback: number, least = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < least)
    throw new UsageError(`--${name} must be a whole number of at least ${least}, got ${value}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      concurrency: { type: 'string' },
      'items-per-shard': { type: 'string' },
      seed: { type: 'string' },
      'worker-kills': { type: 'string' },
      'ingress-kills': { type: 'string' },
      'temporal-kills': { type: 'string' },
      'retry-worker-kills': { type: 'string' },
      'retry-ingress-kills': { type: 'string' },
      'retry-temporal-kills': { type: 'string' },
      'deadline-s': { type: 'string' },
      'max-stall-s': { type: 'string' },
      set: { type: 'string', multiple: true },
      'keep-logs': { type: 'boolean' },
      'no-prs': { type: 'boolean' },
      'pr-items': { type: 'string' },
      'pr-sweep-s': { type: 'string' },
      'pr-deadline-s': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const items = count(values.items, 'items', 1000);
  if (values['no-prs'] && values['pr-items'] !== undefined)
    throw new UsageError('--pr-items sizes the pull-request phase, which --no-prs skips: give one of them');
  const prs = values['no-prs']
    ? undefined
    : {
        items: count(values['pr-items'], 'pr-items', 150, 1),
        sweepMs: count(values['pr-sweep-s'], 'pr-sweep-s', 20, 5) * 1000,
        maxFixTurns: 3,
        kills: { fixTurns: 2, bulkMerge: 1, ingress: 1 },
        deadlineMs: count(values['pr-deadline-s'], 'pr-deadline-s', 600, 1) * 1000,
      };
  const report = await runChaos({
    items,
    concurrency: count(values.concurrency, 'concurrency', 100),
    itemsPerShard: count(values['items-per-shard'], 'items-per-shard', 250),
    seed: count(values.seed, 'seed', Math.floor(Math.random() * 1_000_000)),
    kills: {
      worker: count(values['worker-kills'], 'worker-kills', 6),
      ingress: count(values['ingress-kills'], 'ingress-kills', 1),
      temporal: count(values['temporal-kills'], 'temporal-kills', 1),
    },
    retryKills: {
      worker: count(values['retry-worker-kills'], 'retry-worker-kills', 2),
      ingress: count(values['retry-ingress-kills'], 'retry-ingress-kills', 1),
      temporal: count(values['retry-temporal-kills'], 'retry-temporal-kills', 0),
    },
    deadlineMs: count(values['deadline-s'], 'deadline-s', 1800) * 1000,
    maxStallMs: count(values['max-stall-s'], 'max-stall-s', 90) * 1000,
    simFlags: values.set,
    keepLogs: values['keep-logs'],
    prs,
    cli: [process.execPath, path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js')],
  });
  console.log(`\n${formatReport(report)}`);
  const out = path.join(packageRoot(), 'bench', 'results', `chaos-${items}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, report }, null, 2)}\n`,
  );
  console.log(`figures saved to ${path.relative(process.cwd(), out)}`);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // parseArgs refuses unknown options and missing values with ERR_PARSE_ARGS_* codes.
    const usage =
      error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    console.error(usage ? `${(error as Error).message}\n(npm run chaos -- --help lists the options)` : error);
    process.exitCode = usage ? 2 : 1;
  },
);
