import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { applyCampaign } from '../../src/campaign/apply';
import { campaignProgress, campaignRecords } from '../../src/campaign/reads';
import { TASK_QUEUES, type CampaignProgress, type CampaignSpec, type ItemRecord } from '../../src/contracts';
import { ReplicasClient } from '../../src/replicas';
import {
  DEFAULT_SIM_API_KEY,
  applyFlags,
  startSimulator,
  type SimConfigInput,
  type SimStats,
  type Simulator,
} from '../../src/simulator';
import { percentile } from '../percentile';
import { prepareFleet } from './fleet';
import { measure, MEASURES, type Measures } from './measures';
import type { Service } from './processes';
import { finishedCount, ProgressTrace, type Stall } from './progress-trace';
import {
  describeDisruption,
  planDisruptions,
  type Disruption,
  type KillCounts,
  type Target,
} from './schedule';
import { chaosSimConfig, chaosSpec, FOLLOW_UPS, NO_FAULTS } from './workload';

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
  /** A prebuilt workflow bundle; without one the workflows are bundled once for every worker start. */
  workflowBundlePath?: string;
  /** Simulator knobs over the chaos defaults (`sim --set` flags, e.g. `faults.dropResponseRate=0.1`). */
  simFlags?: string[];
  /** Keep the processes' logs even when the run passes. */
  keepLogs?: boolean;
  log?: (line: string) => void;
}

export interface ExecutedKill extends Disruption {
  /** When the kill happened (ms from the start) and how long until the process served again. */
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
  /** How long items ran, start to end, in seconds. */
  itemSeconds?: { p50: number; p95: number; max: number };
  planned: Disruption[];
  kills: ExecutedKill[];
  unexpectedExits: Record<Target, number>;
  injected: Pick<SimStats, 'faults' | 'webhooks' | 'wakes' | 'replicasCreated'>;
  /** Logs of the processes, kept when the run did not pass (or when asked to). */
  logDir?: string;
}

/** What happened while the campaign ran. */
interface Drive {
  progress?: CampaignProgress;
  trace: ProgressTrace;
  kills: ExecutedKill[];
  wallMs: number;
}

/** Kills one process, leaves it down for the planned time, and starts it again on the same port. */
async function disrupt(service: Service, planned: Disruption, startedMs: number): Promise<ExecutedKill> {
  const at = Date.now();
  const executed = () => ({ ...planned, atMs: at - startedMs, backAfterMs: Date.now() - at });
  try {
    await service.kill();
    await delay(planned.downMs);
    await service.start();
    return executed();
  } catch (error) {
    return { ...executed(), error: String(error) };
  }
}

/**
 * Applies the campaign and follows it once a second until it finishes or the deadline passes, firing
 * each planned kill once its share of the items has finished (one kill at a time).
 */
async function driveCampaign(
  client: Client,
  campaignId: string,
  spec: CampaignSpec,
  options: ChaosOptions & {
    planned: Disruption[];
    services: Record<Target, Service>;
    log: (line: string) => void;
  },
): Promise<Drive> {
  const { planned, services, log, items } = options;
  const startedMs = Date.now();
  await applyCampaign(client, spec, {
    campaignId,
    taskQueue: TASK_QUEUES.workflows,
    apiTaskQueue: TASK_QUEUES.api,
  });
  const trace = new ProgressTrace(items, startedMs);
  const kills: ExecutedKill[] = [];
  let disrupting: Promise<void> | undefined;
  let next = 0;
  let progress: CampaignProgress | undefined;
  let loggedAt = 0;
  while (Date.now() < startedMs + options.deadlineMs) {
    // A read nobody can answer (Temporal or the worker down) is a gap in the trace, not an error.
    const read = await client.connection
      .withDeadline(Date.now() + 5_000, () => campaignProgress(client, campaignId))
      .catch(() => undefined);
    if (read) {
      progress = read;
      trace.record(finishedCount(read));
      if (read.state !== 'running') break;
    }
    const due = planned[next];
    if (!disrupting && due && trace.finished >= due.atFinished * items) {
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
    if (Date.now() - loggedAt >= 10_000) {
      loggedAt = Date.now();
      log(`chaos: ${Math.round((loggedAt - startedMs) / 1000)} s: ${trace.finished}/${items} finished`);
    }
    await delay(1_000);
  }
  const wallMs = Date.now() - startedMs;
  await disrupting;
  return { progress, trace, kills, wallMs };
}

/** Every record of the campaign, read again from the start if a read fails midway. */
async function readRecords(client: Client, campaignId: string): Promise<ItemRecord[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const records: ItemRecord[] = [];
      for await (const record of campaignRecords(client, campaignId)) records.push(record);
      return records;
    } catch (error) {
      if (Date.now() > deadline) throw error;
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

/** Why the run fails, if it does: each measure above zero, a long stall, a kill that did not happen. */
function problemsOf(
  options: ChaosOptions,
  drive: Drive,
  planned: Disruption[],
  measures?: Measures,
): string[] {
  const problems: string[] = [];
  const { progress, trace } = drive;
  if (progress?.state !== 'finished')
    problems.push(
      `the campaign did not finish within ${options.deadlineMs / 1000} s (${trace.finished}/${options.items} finished, state ${progress?.state ?? 'unknown'})`,
    );
  for (const name of MEASURES) {
    const count = measures?.counts[name] ?? 0;
    if (count > 0) problems.push(`${name}: ${count} (${measures?.examples[name].join('; ')})`);
  }
  const stall = trace.longestStall();
  if (stall.ms > options.maxStallMs)
    problems.push(
      `longest time without progress ${(stall.ms / 1000).toFixed(1)} s > ${options.maxStallMs / 1000} s`,
    );
  for (const kill of drive.kills)
    if (kill.error) problems.push(`${kill.target} did not come back: ${kill.error}`);
  if (drive.kills.length < planned.length)
    problems.push(`only ${drive.kills.length} of ${planned.length} planned kills ran`);
  return problems;
}

function itemSeconds(records: ItemRecord[]): ChaosReport['itemSeconds'] {
  const durations = records
    .filter((r) => r.startedAtMs !== undefined && r.endedAtMs !== undefined)
    .map((r) => ((r.endedAtMs as number) - (r.startedAtMs as number)) / 1000)
    .sort((a, b) => a - b);
  if (durations.length === 0) return undefined;
  return { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95), max: percentile(durations, 1) };
}

function apiCalls(stats: SimStats): number {
  return Object.values(stats.requests).reduce(
    (sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0),
    0,
  );
}

/**
 * One chaos run: a campaign against the simulator with every fault knob on, while the worker, the
 * webhook ingress and the Temporal dev server are SIGKILLed on a seeded schedule and started again.
 * The simulator lives in this process, so its record of what really happened survives every kill.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-chaos-'));
  const config = applyFlags(chaosSimConfig(options.seed), options.simFlags ?? []) as SimConfigInput;
  const sim = await startSimulator({ config });
  const { temporalAddress, services } = await prepareFleet({ ...options, dir, simUrl: sim.url, log }).catch(
    async (error: unknown) => {
      await sim.close();
      throw error;
    },
  );
  const planned = planDisruptions(options.seed, options.kills);
  let passed = false;
  let connection: Connection | undefined;
  try {
    for (const name of ['temporal', 'ingress', 'worker'] as const) await services[name].start();
    connection = await Connection.connect({ address: temporalAddress });
    const client = new Client({ connection, namespace: 'default' });
    const campaignId = `chaos-${options.seed}`;
    const spec = chaosSpec(options, (repository) => sim.environmentFor(repository));
    log(
      `chaos: seed ${options.seed}, ${options.items} items, concurrency ${options.concurrency}; logs in ${dir}`,
    );
    for (const d of planned) log(`chaos: plan: ${describeDisruption(d)}`);

    const drive = await driveCampaign(client, campaignId, spec, { ...options, planned, services, log });
    const records = drive.progress?.state === 'finished' ? await readRecords(client, campaignId) : [];
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
    const problems = problemsOf(options, drive, planned, measures);
    passed = problems.length === 0;
    return {
      seed: options.seed,
      items: options.items,
      concurrency: options.concurrency,
      followUps: FOLLOW_UPS.length,
      passed,
      problems,
      campaignState: drive.progress?.state ?? 'unknown',
      counts: drive.progress?.counts,
      measures,
      longestStall: drive.trace.longestStall(),
      wallMs: drive.wallMs,
      itemsPerSecond: Math.round((drive.trace.finished / drive.wallMs) * 1000 * 100) / 100,
      apiCallsPerItem: Math.round((apiCalls(stats) / options.items) * 10) / 10,
      itemSeconds: itemSeconds(records),
      planned,
      kills: drive.kills,
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
      ...((!passed || options.keepLogs) && { logDir: dir }),
    };
  } finally {
    await connection?.close();
    for (const name of ['worker', 'ingress', 'temporal'] as const) {
      await services[name].stop().catch((error: unknown) => log(`chaos: stopping ${name}: ${String(error)}`));
    }
    await sim.close();
    if (passed && !options.keepLogs) rmSync(dir, { recursive: true, force: true });
    else log(`chaos: logs kept in ${dir}`);
  }
}
