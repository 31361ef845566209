import { applyCampaign } from '../../src/campaign-client/apply';
import { campaignProgress, waitForCampaign } from '../../src/campaign-client/reads';
import { jobWorkflowId, shardWorkflowId } from '../../src/contracts';
import { apiCalls, startBenchStack } from '../harness';
import { allRuns, historyCounts } from '../histories';
import { percentile } from '../percentile';
import { cpuMeter, peakRssMiB, round } from '../process-usage';
import type { Figures } from './jobs';

/** Simulator timings for throughput runs: turns near-instant, as the measurements use. */
export const FAST_TURNS = { timings: { provisionMs: 20, turnMs: 200 }, behaviour: { prProbability: 1 } };

/** Jobs whose histories are read for actions and events per item: a sample is enough, they are alike. */
const JOB_SAMPLE = 200;

/**
 * A campaign of `items` one-turn items at `concurrency`, applied and run end to end on a private dev
 * server, with the worker in its own process: throughput, CPU seconds per process and per item,
 * Temporal actions and history events per item (jobs, shards and the campaign, from histories),
 * Replicas API calls per item, worker peak RSS, how long a status read takes while it runs, and the
 * duplicates and PRs the simulator saw.
 */
export async function campaignScenario(items: number, concurrency: number): Promise<Figures> {
  const stack = await startBenchStack(FAST_TURNS, { workerProcess: true });
  try {
    const environments = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs'].map((r) => [
      r,
      stack.environmentFor(r),
    ]);
    const spec = {
      job: { message: 'rename the logger in {{repository}}' },
      items: Array.from({ length: items }, (_, i) => {
        const [repository, environmentId] = environments[i % environments.length] as [string, string];
        return { key: `item-${i}`, environmentId, repository };
      }),
      concurrency,
    };
    const campaignId = `bench-${items}x${concurrency}`;
    const cpu = cpuMeter(stack.pids);
    const started = performance.now();
    await applyCampaign(stack.client, spec, {
      campaignId,
      taskQueue: stack.config.taskQueue,
      apiTaskQueue: stack.config.apiTaskQueue,
    });
    const applied = performance.now();
    const status = statusSampler(() => campaignProgress(stack.client, campaignId));
    const progress = await waitForCampaign(stack.client, campaignId, undefined, 500).finally(status.stop);
    const wallMs = performance.now() - started;
    const cpuSeconds = cpu.stop();
    const totalCpu = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
    const stats = stack.simulator.stats();
    const peakRss = stack.pids.worker ? peakRssMiB(stack.pids.worker) : 0;

    // Per item: a sample of jobs, plus every run of every shard and of the campaign, spread over all items.
    const sample = Array.from({ length: Math.min(JOB_SAMPLE, items) }, (_, i) =>
      Math.floor((i * items) / Math.min(JOB_SAMPLE, items)),
    );
    const jobs = await Promise.all(
      sample.map((i) => historyCounts(stack.client, jobWorkflowId(campaignId, `item-${i}`))),
    );
    const perJob = (key: 'events' | 'actions' | 'workflowTasks') =>
      jobs.reduce((n, j) => n + j[key], 0) / jobs.length;
    const owners = [
      campaignId,
      ...Array.from({ length: progress.shards }, (_, i) => shardWorkflowId(campaignId, i)),
    ];
    const overhead = { events: 0, actions: 0, runs: 0 };
    for (const id of owners) {
      const runs = await allRuns(stack.client, id);
      overhead.events += runs.events;
      overhead.actions += runs.actions;
      overhead.runs += runs.runs;
    }
    return {
      items,
      concurrency,
      succeeded: progress.counts.succeeded,
      shards: progress.shards,
      shardAndCampaignRuns: overhead.runs,
      wallSeconds: round(wallMs / 1000),
      applySeconds: round((applied - started) / 1000),
      itemsPerSecond: round((items / wallMs) * 1000),
      cpuSecondsByProcess: JSON.stringify(cpuSeconds),
      cpuMsPerItem: round((totalCpu * 1000) / items),
      apiCallsPerItem: round(apiCalls(stack) / items, 2),
      actionsPerJob: round(perJob('actions'), 2),
      actionsPerItem: round(perJob('actions') + overhead.actions / items, 2),
      historyEventsPerJob: round(perJob('events'), 1),
      historyEventsPerItem: round(perJob('events') + overhead.events / items, 1),
      workflowTasksPerJob: round(perJob('workflowTasks'), 1),
      workerPeakRssMiB: peakRss,
      ...(await status.figures()),
      peakLiveReplicas: stats.peakLiveReplicas,
      duplicateNames: stats.duplicateNames,
      prsOpened: progress.prsOpened,
    };
  } finally {
    await stack.close();
  }
}

/** How often `status` is read while the campaign runs, as a user watching it would. */
const STATUS_EVERY_MS = 2000;

/**
 * Reads the campaign's status every couple of seconds while it runs and times each read (what
 * `campaign status` waits for, without the CLI's start-up): median, p95 and slowest, and reads that failed.
 */
function statusSampler(read: () => Promise<unknown>) {
  const latencies: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await read();
        latencies.push(performance.now() - started);
      } catch {
        failed += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, STATUS_EVERY_MS));
    }
  })();
  return {
    stop: () => {
      running = false;
    },
    async figures() {
      await loop;
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        statusReads: sorted.length,
        statusP50Ms: percentile(sorted, 0.5),
        statusP95Ms: percentile(sorted, 0.95),
        statusMaxMs: percentile(sorted, 1),
        statusReadsFailed: failed,
      };
    },
  };
}
