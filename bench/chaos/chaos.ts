import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { applyCampaign } from '../../src/campaign/apply';
import { campaignProgress, campaignRecords } from '../../src/campaign/reads';
import {
  TASK_QUEUES,
  type CampaignItem,
  type CampaignProgress,
  type CampaignSpec,
  type ItemRecord,
} from '../../src/contracts';
import { ReplicasClient } from '../../src/replicas';
import {
  DEFAULT_SIM_API_KEY,
  startSimulator,
  type SimConfigInput,
  type SimStats,
  type Simulator,
} from '../../src/simulator';
import { freePort } from '../harness';
import { measure, MEASURES, type Measures } from './measures';
import { cliService, devServerService, type Service } from './processes';
import { finishedCount, ProgressTrace, type Stall } from './progress-trace';
import {
  describeDisruption,
  planDisruptions,
  type Disruption,
  type KillCounts,
  type Target,
} from './schedule';

export interface ChaosOptions {
  items: number;
  concurrency: number;
  itemsPerShard: number;
  seed: number;
  kills: KillCounts;
  /** The run stops and fails once this passes. */
  deadlineMs: number;
  /** The longest stretch without progress a passing run may have. */
  maxStallMs: number;
  /** How to run `replica-fleet`, e.g. `[process.execPath, 'dist/src/cli/main.js']`. */
  cli: string[];
  /** A prebuilt workflow bundle; without one the run bundles the workflows once for every worker start. */
  workflowBundlePath?: string;
  log?: (line: string) => void;
}

export interface ExecutedKill extends Disruption {
  /** When the kill happened and how long until the process served again, in ms from the start. */
  atMs: number;
  backAfterMs: number;
  error?: string;
}

export interface ChaosReport {
  seed: number;
  items: number;
  concurrency: number;
  followUps: number;
  passed: boolean;
  /** Why the run did not pass, one line each. */
  problems: string[];
  campaignState: string;
  counts?: CampaignProgress['counts'];
  measures?: Measures;
  longestStall: Stall;
  wallMs: number;
  itemsPerSecond: number;
  apiCallsPerItem: number;
  planned: Disruption[];
  kills: ExecutedKill[];
  unexpectedExits: Record<Target, number>;
  injected: Pick<SimStats, 'faults' | 'webhooks' | 'wakes' | 'replicasCreated'>;
  /** Logs of the processes; kept when the run did not pass. */
  logDir?: string;
}

const FOLLOW_UPS = ['Now add a regression test for {{item.key}}.'];
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

const NO_FAULTS: SimConfigInput = {
  faults: {
    serverErrorRate: 0,
    rateLimitRate: 0,
    dropResponseRate: 0,
    webhookDropRate: 0,
    webhookDuplicateRate: 0,
    webhookReorderRate: 0,
  },
};

function chaosSpec(sim: Simulator, options: ChaosOptions): CampaignSpec {
  const items: CampaignItem[] = Array.from({ length: options.items }, (_, i) => {
    const repository = REPOSITORIES[i % REPOSITORIES.length] as string;
    return {
      key: `item-${String(i + 1).padStart(4, '0')}`,
      repository,
      environmentId: sim.environmentFor(repository),
    };
  });
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

/** Environment of the CLI processes: this one's, minus any replica-fleet or Temporal settings of the shell. */
function baseEnv(temporalAddress: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TEMPORAL_|REPLICA_FLEET_|REPLICAS_|LOG_)/.test(name)),
  );
  return { ...env, TEMPORAL_ADDRESS: temporalAddress, LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
}

async function workflowBundle(dir: string, log: (line: string) => void): Promise<string> {
  const file = path.join(dir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'src', 'workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: log, error: log },
  });
  writeFileSync(file, code);
  return file;
}

/** Kills one process, leaves it down for the planned time, and starts it again on the same port. */
async function disrupt(service: Service, planned: Disruption, startedMs: number): Promise<ExecutedKill> {
  const at = Date.now();
  try {
    await service.kill();
    await delay(planned.downMs);
    await service.start();
    return { ...planned, atMs: at - startedMs, backAfterMs: Date.now() - at };
  } catch (error) {
    return { ...planned, atMs: at - startedMs, backAfterMs: Date.now() - at, error: String(error) };
  }
}

/** Retries a read of Temporal until it answers or the deadline passes (a restart may be under way). */
async function readWithRetries<T>(what: string, deadlineMs: number, read: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadlineMs) throw new Error(`${what}: ${String(error)}`);
      await delay(1_000);
    }
  }
}

async function liveReplicas(sim: Simulator): Promise<{ id: string; name: string }[]> {
  const client = new ReplicasClient({ baseUrl: sim.url, apiKey: DEFAULT_SIM_API_KEY });
  try {
    const live: { id: string; name: string }[] = [];
    for await (const replica of client.iterateReplicas()) live.push({ id: replica.id, name: replica.name });
    return live;
  } finally {
    await client.close();
  }
}

/**
 * One chaos run: a campaign against the simulator with every fault knob on, while the worker, the
 * webhook ingress and the Temporal dev server are SIGKILLed on a seeded schedule and started again.
 * The simulator lives in this process, so its record of what really happened survives every kill.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-chaos-'));
  const sim = await startSimulator({ config: chaosSimConfig(options.seed) });
  const ports = { temporal: await freePort(), ui: await freePort(), ingress: await freePort() };
  const address = `127.0.0.1:${ports.temporal}`;
  const secret = randomBytes(32).toString('hex');
  const env = baseEnv(address);
  const services: Record<Target, Service> = {
    temporal: devServerService(
      { dataDir: path.join(dir, 'temporal'), port: ports.temporal, uiPort: ports.ui, namespace: 'default' },
      log,
    ),
    ingress: cliService({
      name: 'ingress',
      command: [...options.cli, 'webhooks', '--port', String(ports.ingress)],
      env: { ...env, REPLICA_FLEET_WEBHOOK_SECRET: secret },
      readyMessage: 'ingress listening',
      logPath: path.join(dir, 'ingress.log'),
      log,
    }),
    worker: cliService({
      name: 'worker',
      command: [...options.cli, 'worker'],
      env: {
        ...env,
        REPLICAS_API_URL: sim.url,
        REPLICAS_API_KEY: DEFAULT_SIM_API_KEY,
        REPLICA_FLEET_PUBLIC_WEBHOOK_URL: `http://127.0.0.1:${ports.ingress}`,
        REPLICA_FLEET_WEBHOOK_SECRET: secret,
        REPLICA_FLEET_WORKFLOW_BUNDLE: options.workflowBundlePath ?? (await workflowBundle(dir, log)),
        REPLICAS_API_RATE_PER_SECOND: '200',
        REPLICA_FLEET_METRICS_PORT: '0',
      },
      readyMessage: 'workers running',
      logPath: path.join(dir, 'worker.log'),
      log,
    }),
  };
  const planned = planDisruptions(options.seed, options.kills);
  const problems: string[] = [];
  let passed = false;
  let connection: Connection | undefined;
  try {
    await services.temporal.start();
    await services.ingress.start();
    await services.worker.start();
    connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const campaignId = `chaos-${options.seed}`;
    const spec = chaosSpec(sim, options);
    log(
      `chaos: seed ${options.seed}, ${options.items} items, concurrency ${options.concurrency}; logs in ${dir}`,
    );
    for (const d of planned) log(`chaos: plan: ${describeDisruption(d)}`);

    const startedMs = Date.now();
    const deadline = startedMs + options.deadlineMs;
    await applyCampaign(client, spec, {
      campaignId,
      taskQueue: TASK_QUEUES.workflows,
      apiTaskQueue: TASK_QUEUES.api,
    });
    const trace = new ProgressTrace(options.items, startedMs);
    const kills: ExecutedKill[] = [];
    let disrupting: Promise<void> | undefined;
    let next = 0;
    let progress: CampaignProgress | undefined;
    let lastLogged = 0;
    while (Date.now() < deadline) {
      // A read that cannot be answered (Temporal or the worker down) is a gap in the trace, not an error.
      const read = await connection
        .withDeadline(Date.now() + 5_000, () => campaignProgress(client, campaignId))
        .catch(() => undefined);
      if (read) {
        progress = read;
        trace.record(finishedCount(read));
        if (read.state !== 'running') break;
      }
      const due = planned[next];
      if (!disrupting && due && trace.finished >= due.atFinished * options.items) {
        next += 1;
        log(`chaos: ${describeDisruption(due)} (now ${trace.finished} finished)`);
        disrupting = disrupt(services[due.target], due, startedMs).then((kill) => {
          kills.push(kill);
          log(
            `chaos: ${kill.target} back after ${(kill.backAfterMs / 1000).toFixed(1)} s${kill.error ? `: ${kill.error}` : ''}`,
          );
          disrupting = undefined;
        });
      }
      if (Date.now() - lastLogged >= 10_000) {
        lastLogged = Date.now();
        log(
          `chaos: ${Math.round((Date.now() - startedMs) / 1000)} s: ${trace.finished}/${options.items} finished`,
        );
      }
      await delay(1_000);
    }
    const wallMs = Date.now() - startedMs;
    await disrupting;

    const records: ItemRecord[] = [];
    const readDeadline = Date.now() + 120_000;
    if (progress?.state === 'finished') {
      await readWithRetries('reading the records', readDeadline, async () => {
        records.length = 0;
        for await (const record of campaignRecords(client, campaignId)) records.push(record);
      });
    } else {
      problems.push(
        `the campaign did not finish within ${options.deadlineMs / 1000} s (${trace.finished}/${options.items} finished, state ${progress?.state ?? 'unknown'})`,
      );
    }
    // The run is over: the listing of what is left must not fail on an injected fault.
    sim.configure(NO_FAULTS);
    const stats = sim.stats();
    const measures =
      records.length > 0
        ? measure({
            campaignId,
            itemKeys: (spec.items ?? []).map((item) => item.key),
            followUps: FOLLOW_UPS.length,
            records,
            stats,
            liveReplicas: await liveReplicas(sim),
          })
        : undefined;
    for (const name of MEASURES) {
      const count = measures?.counts[name] ?? 0;
      if (count > 0) problems.push(`${name}: ${count} (${measures?.examples[name].join('; ')})`);
    }
    const longestStall = trace.longestStall();
    if (longestStall.ms > options.maxStallMs)
      problems.push(
        `longest time without progress ${(longestStall.ms / 1000).toFixed(1)} s > ${options.maxStallMs / 1000} s`,
      );
    for (const kill of kills)
      if (kill.error) problems.push(`${kill.target} did not come back: ${kill.error}`);
    if (kills.length < planned.length)
      problems.push(`only ${kills.length} of ${planned.length} planned kills ran`);
    const requests = Object.values(stats.requests).reduce(
      (sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0),
      0,
    );
    passed = problems.length === 0;
    return {
      seed: options.seed,
      items: options.items,
      concurrency: options.concurrency,
      followUps: FOLLOW_UPS.length,
      passed,
      problems,
      campaignState: progress?.state ?? 'unknown',
      counts: progress?.counts,
      measures,
      longestStall,
      wallMs,
      itemsPerSecond: Math.round((trace.finished / wallMs) * 1000 * 100) / 100,
      apiCallsPerItem: Math.round((requests / options.items) * 10) / 10,
      planned,
      kills,
      unexpectedExits: {
        worker: services.worker.unexpectedExits,
        ingress: services.ingress.unexpectedExits,
        temporal: services.temporal.unexpectedExits,
      },
      injected: {
        faults: stats.faults,
        webhooks: stats.webhooks,
        wakes: stats.wakes,
        replicasCreated: stats.replicasCreated,
      },
      ...(!passed && { logDir: dir }),
    };
  } finally {
    await connection?.close();
    for (const name of ['worker', 'ingress', 'temporal'] as const) {
      await services[name].stop().catch((error: unknown) => log(`chaos: stopping ${name}: ${String(error)}`));
    }
    await sim.close();
    if (passed) rmSync(dir, { recursive: true, force: true });
    else log(`chaos: logs kept in ${dir}`);
  }
}
