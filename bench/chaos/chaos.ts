import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { applyCampaign } from '../../src/campaign-client/apply';
import { campaignRecords } from '../../src/campaign-client/reads';
import { untilAccepted } from '../../src/campaign-client/until-accepted';
import { TASK_QUEUES, type CampaignProgress, type ItemRecord } from '../../src/contracts';
import { ReplicasClient } from '../../src/replicas';
import {
  DEFAULT_GITHUB_TOKEN,
  DEFAULT_SIM_API_KEY,
  applyFlags,
  startSimulator,
  type SimConfigInput,
  type SimStats,
  type Simulator,
} from '../../src/simulator';
import { retryFailedUpdate } from '../../src/workflows/campaign/messages';
import { percentile } from '../percentile';
import { drivePhase, type Drive, type ExecutedKill } from './drive';
import { prepareFleet, type FleetGitHub } from './fleet';
import { measure, MEASURES, type Measures } from './measures';
import { PR_MEASURES } from './pr-measures';
import { runPullRequestPhase, type PrPhaseOptions, type PrPhaseReport } from './pr-phase';
import type { Stall } from './progress-trace';
import { retryOutcome, type RetryOutcome } from './retry-summary';
import {
  describeDisruption,
  planDisruptions,
  planRetryDisruptions,
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
  /** Kills during the first pass. */
  kills: KillCounts;
  /** Kills during the retry phase (`retry-failed` after the first pass), planned over the retried items. */
  retryKills: KillCounts;
  /** The run (both phases) stops and fails once this passes. */
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
  /** The pull-request phase after the others (its own campaign on the GitHub stand-in); none skips it. */
  prs?: Omit<PrPhaseOptions, 'seed' | 'simFlags' | 'concurrency' | 'itemsPerShard'>;
  log?: (line: string) => void;
}

export type { ExecutedKill } from './drive';

/** The retry phase: what it re-ran and how, and what the campaign spent before and after it. */
export interface RetryReport extends RetryOutcome {
  spendUsd: { before: number; after: number };
  wallMs: number;
  longestStall: Stall;
  planned: Disruption[];
  kills: ExecutedKill[];
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
  /** The retry phase, once the first pass finished. */
  retry?: RetryReport;
  /** The pull-request phase, once the others finished (unless skipped). */
  prs?: PrPhaseReport;
  unexpectedExits: Record<Target, number>;
  injected: Pick<SimStats, 'faults' | 'webhooks' | 'wakes' | 'replicasCreated'>;
  /** Logs of the processes, kept when the run did not pass (or when asked to). */
  logDir?: string;
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

/** Why a phase fails, if it does: it did not finish, it stalled too long, a kill did not happen. */
function phaseProblems(name: string, options: ChaosOptions, drive: Drive): string[] {
  const problems: string[] = [];
  const { progress, trace } = drive;
  if (progress?.state !== 'finished')
    problems.push(
      `${name}: the campaign did not finish within ${options.deadlineMs / 1000} s (${trace.finished}/${drive.items} finished, state ${progress?.state ?? 'unknown'})`,
    );
  const stall = trace.longestStall();
  if (stall.ms > options.maxStallMs)
    problems.push(
      `${name}: longest time without progress ${(stall.ms / 1000).toFixed(1)} s > ${options.maxStallMs / 1000} s`,
    );
  for (const kill of drive.kills)
    if (kill.error) problems.push(`${name}: ${kill.target} did not come back: ${kill.error}`);
  if (drive.kills.length < drive.planned.length)
    problems.push(`${name}: only ${drive.kills.length} of ${drive.planned.length} planned kills ran`);
  return problems;
}

/** Each measure above zero, one line each. */
function measureProblems<M extends string>(
  names: readonly M[],
  measures?: { counts: Record<M, number>; examples: Record<M, string[]> },
): string[] {
  return names
    .filter((name) => (measures?.counts[name] ?? 0) > 0)
    .map((name) => `${name}: ${measures?.counts[name]} (${measures?.examples[name].join('; ')})`);
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
 * webhook ingress and the Temporal dev server are SIGKILLed on a seeded schedule and started again;
 * then `retry-failed` re-runs what failed, under the same faults and more kills. The simulator lives in
 * this process, so its record of what really happened survives every kill.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-chaos-'));
  const config = applyFlags(chaosSimConfig(options.seed), options.simFlags ?? []) as SimConfigInput;
  const sim = await startSimulator({ config });
  // The worker follows PRs on the simulator's GitHub stand-in, and the ingress takes its deliveries.
  const github: FleetGitHub | undefined = options.prs && {
    GITHUB_API_URL: sim.codeHost.url,
    GITHUB_WEB_URL: 'https://github.com',
    GITHUB_TOKEN: DEFAULT_GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
  };
  const fleet = await prepareFleet({ ...options, dir, simUrl: sim.url, github, log }).catch(
    async (error: unknown) => {
      await sim.close();
      throw error;
    },
  );
  const { temporalAddress, services } = fleet;
  const planned = planDisruptions(options.seed, options.kills);
  // Its own seed, so adding retry kills leaves the first pass's plan as it was.
  const retryPlanned = planRetryDisruptions(options.seed + 1, options.retryKills);
  let passed = false;
  let connection: Connection | undefined;
  try {
    for (const name of ['temporal', 'ingress', 'worker'] as const) await services[name].start();
    connection = await Connection.connect({ address: temporalAddress });
    const client = new Client({ connection, namespace: 'default' });
    const campaignId = `chaos-${options.seed}`;
    const spec = chaosSpec(options, (repository) => sim.environmentFor(repository));
    const itemKeys = (spec.items ?? []).map((item) => item.key);
    log(
      `chaos: seed ${options.seed}, ${options.items} items, concurrency ${options.concurrency}; logs in ${dir}`,
    );
    for (const d of planned) log(`chaos: plan: ${describeDisruption(d)}`);
    for (const d of retryPlanned)
      log(`chaos: plan of the retry phase: ${describeDisruption(d)} of the retried`);

    const deadlineAtMs = Date.now() + options.deadlineMs;
    const spendSamples: number[] = [];
    const phase = { services, deadlineAtMs, spendSamples, log };
    const first = await drivePhase(client, campaignId, {
      ...phase,
      name: 'first pass',
      planned,
      start: async () => {
        await applyCampaign(client, spec, {
          campaignId,
          taskQueue: TASK_QUEUES.workflows,
          apiTaskQueue: TASK_QUEUES.api,
        });
        return itemKeys.length;
      },
    });
    const firstRecords = first.progress?.state === 'finished' ? await readRecords(client, campaignId) : [];
    const turnsBefore = structuredClone(sim.stats().turnsByReplica);
    const retry =
      first.progress?.state === 'finished'
        ? await drivePhase(client, campaignId, {
            ...phase,
            name: 'retry',
            planned: retryPlanned,
            start: async () => {
              const handle = client.workflow.getHandle(campaignId);
              const { requeued } = await untilAccepted(() => handle.executeUpdate(retryFailedUpdate));
              log(`chaos: retry-failed re-queued ${requeued} item(s)`);
              return requeued;
            },
          })
        : undefined;
    const last = retry ?? first;
    const records = last.progress?.state === 'finished' ? await readRecords(client, campaignId) : [];
    sim.configure(NO_FAULTS);
    const stats = sim.stats();
    const measures =
      records.length > 0
        ? measure({
            campaignId,
            itemKeys,
            followUps: FOLLOW_UPS.length,
            records,
            earlierRecords: firstRecords,
            stats,
            liveReplicas: await liveReplicas(sim),
            spendSamples,
          })
        : undefined;
    let prs: PrPhaseReport | undefined;
    if (options.prs && github && last.progress?.state === 'finished') {
      // Its own campaign, under the Replicas faults of the run (turned off above to read what was left).
      sim.configure({ faults: config.faults });
      prs = await runPullRequestPhase(
        {
          client,
          sim,
          services,
          githubUrl: `${fleet.ingressUrl}/github`,
          webhookSecret: github.GITHUB_WEBHOOK_SECRET,
          log,
        },
        {
          ...options.prs,
          seed: options.seed,
          concurrency: options.concurrency,
          itemsPerShard: options.itemsPerShard,
          simFlags: options.simFlags,
        },
      );
    }
    const problems = [
      ...phaseProblems('first pass', options, first),
      ...(retry ? phaseProblems('retry', options, retry) : []),
      ...measureProblems(MEASURES, measures),
      ...(options.prs && !prs
        ? ['pull requests: the phase did not run (the earlier phases did not finish)']
        : []),
      ...(prs ? [...prs.problems, ...measureProblems(PR_MEASURES, prs.measures)] : []),
    ];
    passed = problems.length === 0;
    return {
      seed: options.seed,
      items: options.items,
      concurrency: options.concurrency,
      followUps: FOLLOW_UPS.length,
      passed,
      problems,
      campaignState: last.progress?.state ?? 'unknown',
      counts: last.progress?.counts,
      measures,
      longestStall: first.trace.longestStall(),
      wallMs: first.wallMs,
      itemsPerSecond: Math.round((first.trace.finished / first.wallMs) * 1000 * 100) / 100,
      apiCallsPerItem: Math.round((apiCalls(stats) / options.items) * 10) / 10,
      itemSeconds: itemSeconds(firstRecords),
      planned: first.planned,
      kills: first.kills,
      ...(retry && {
        retry: {
          ...retryOutcome({ campaignId, before: firstRecords, after: records, turnsBefore, stats }),
          spendUsd: { before: first.progress?.spentUsd ?? 0, after: retry.progress?.spentUsd ?? 0 },
          wallMs: retry.wallMs,
          longestStall: retry.trace.longestStall(),
          planned: retry.planned,
          kills: retry.kills,
        },
      }),
      ...(prs && { prs }),
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
