/**
 * Worker memory per waiting job: `npm run bench:memory`. Each scenario runs in a fresh process (RSS
 * never shrinks back): a private dev server, the local stack with a turn that never ends, N replica
 * jobs started directly, and, once every job waits on its turn, this process's RSS and heap over a
 * baseline taken after the workers started. The worker runs in this process; the dev server does not.
 * Loopback only; bounded in jobs and time. Figures go to bench/results/worker-memory.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configureLogging } from '../src/observability/logger';
import { freeLoopbackAddress, installRuntime } from '../src/observability/runtime';
import { startEmbeddedTemporal } from '../src/stack/embedded-temporal';
import { startLocalStack } from '../src/stack/local-stack';
import { jobStateQuery } from '../src/workflows/replica-job/messages';
import { startBenchJob } from './harness';

interface Scenario {
  jobs: number;
  /** REPLICA_FLEET_MAX_CACHED_WORKFLOWS; undefined leaves the SDK's heap-based default. */
  maxCachedWorkflows?: number;
}

const SCENARIOS: Scenario[] = [
  { jobs: 1000 },
  { jobs: 2000 },
  { jobs: 1000, maxCachedWorkflows: 200 },
  { jobs: 2000, maxCachedWorkflows: 200 },
];
const SCENARIO_TIMEOUT_MS = 10 * 60_000;
const START_BATCH = 50;
const QUERY_BATCH = 25;
const MiB = 1024 * 1024;

const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

function settledMemory(): NodeJS.MemoryUsage {
  // --expose-gc (set by the orchestrator): collect twice so what remains is what the jobs hold.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage();
}

async function within<T>(deadline: number, what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The SDK's own count of cached workflows, read from its exporter. */
async function stickyCacheSize(exporterUrl: string): Promise<number> {
  const text = await (await fetch(exporterUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith('temporal_sticky_cache_size{'));
  return Number(line?.split(' ').pop() ?? NaN);
}

async function runScenario(scenario: Scenario): Promise<Record<string, number | string>> {
  const deadline = Date.now() + SCENARIO_TIMEOUT_MS;
  configureLogging({ level: 'warn' });
  const exporter = await freeLoopbackAddress();
  installRuntime({ level: 'warn', prometheusAddress: exporter });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-bench-memory-'));
  const portOf = async () => Number((await freeLoopbackAddress()).split(':')[1]);
  const [port, uiPort] = [await portOf(), await portOf()];
  const temporal = await startEmbeddedTemporal({ dataDir, port, uiPort, namespace: 'default' });
  const stack = await startLocalStack({
    temporal,
    // A turn that outlasts the bench: every job stays waiting on it.
    sim: { config: { timings: { provisionMs: 50, turnMs: 24 * 60 * 60_000 } } },
    workerEnv:
      scenario.maxCachedWorkflows === undefined
        ? {}
        : { REPLICA_FLEET_MAX_CACHED_WORKFLOWS: String(scenario.maxCachedWorkflows) },
  });
  try {
    const bench = {
      client: temporal.client,
      config: stack.config,
      environmentFor: (name: string) => stack.sim.environmentFor(name),
    };
    const baseline = settledMemory();
    const started = performance.now();
    const handles = [];
    for (let i = 0; i < scenario.jobs; i += START_BATCH) {
      const keys = Array.from({ length: Math.min(START_BATCH, scenario.jobs - i) }, (_, j) => `job-${i + j}`);
      handles.push(...(await Promise.all(keys.map((key) => startBenchJob(bench, key)))));
    }
    await within(deadline, 'every replica to be created', async () =>
      stack.sim.stats().replicasCreated >= scenario.jobs ? true : undefined,
    );
    // Created is not yet waiting: ask each job, again for those not there yet.
    let pending = handles;
    await within(deadline, 'every job to wait on its turn', async () => {
      const still = [];
      for (let i = 0; i < pending.length; i += QUERY_BATCH) {
        const batch = pending.slice(i, i + QUERY_BATCH);
        const phases = await Promise.all(batch.map((h) => h.query(jobStateQuery).then((s) => s.phase)));
        still.push(...batch.filter((_, j) => phases[j] !== 'waiting_turn'));
      }
      pending = still;
      return pending.length === 0 ? true : undefined;
    });
    const allWaitingMs = performance.now() - started;
    const loaded = settledMemory();
    const per1000 = (bytes: number) => mib((bytes / scenario.jobs) * 1000);
    return {
      jobs: scenario.jobs,
      maxCachedWorkflows: scenario.maxCachedWorkflows ?? 'SDK default',
      cachedWorkflows: await stickyCacheSize(`http://${exporter}/metrics`),
      baselineRssMiB: mib(baseline.rss),
      rssMiB: mib(loaded.rss),
      rssPer1000JobsMiB: per1000(loaded.rss - baseline.rss),
      heapUsedPer1000JobsMiB: per1000(loaded.heapUsed - baseline.heapUsed),
      secondsUntilAllWaiting: Math.round(allWaitingMs / 100) / 10,
    };
  } finally {
    await stack.close();
    await temporal.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs each scenario in a child process of its own and saves the figures. */
async function orchestrate(): Promise<void> {
  const results = [];
  for (const scenario of SCENARIOS) {
    process.stdout.write(`bench worker-memory ${JSON.stringify(scenario)} … `);
    const child = spawn(
      process.execPath,
      ['--expose-gc', __filename, '--scenario', JSON.stringify(scenario)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`scenario ${JSON.stringify(scenario)} exited with ${code}`);
    const figures = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    console.log(JSON.stringify(figures));
    results.push(figures);
  }
  const machine = {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    temporalCli: execFileSync(path.join(__dirname, '..', '..', '.tools', 'bin', 'temporal'), ['--version'])
      .toString()
      .trim(),
  };
  const out = path.join(__dirname, '..', '..', 'bench', 'results', 'worker-memory.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
  console.log(`figures saved to ${path.relative(process.cwd(), out)}`);
}

const scenarioArg = process.argv.indexOf('--scenario');
const run =
  scenarioArg > 0
    ? runScenario(JSON.parse(process.argv[scenarioArg + 1] ?? '{}') as Scenario).then((figures) => {
        console.log(JSON.stringify(figures));
      })
    : orchestrate();
run.then(
  // The dev server and workers are closed; anything left (a retry timer) must not hold the figures.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
