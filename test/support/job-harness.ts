import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { applyCampaign, type ApplyOptions } from '../../src/campaign-client/apply';
import { campaignProgress, campaignRecords } from '../../src/campaign-client/reads';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  CampaignIdAttribute,
  RepositoryAttribute,
  endedJob,
  type CampaignItem,
  type CampaignProgress,
  type CampaignSpec,
  type ItemRecord,
  type ReplicaJobInput,
  type ReplicaJobResult,
} from '../../src/contracts';
import type { SimConfigInput } from '../../src/simulator';
import { startLocalStack } from '../../src/stack/local-stack';
import type { campaignWorkflow } from '../../src/workflows/campaign/workflow';
import type { replicaJobWorkflow } from '../../src/workflows/replica-job/workflow';
import { fastConfig } from './simulator';
import { eventually } from './eventually';
import { connectToDevServer, uniqueTaskQueue } from './temporal';

export interface JobHarnessOptions {
  webhooks: boolean;
  sim?: SimConfigInput;
  /** Start the in-process workers at once (default); `false` leaves that to `startWorkers()`. */
  workers?: boolean;
}

/**
 * The production wiring of the local stack on a real Temporal server, with test conveniences: job
 * inputs on this harness's queues, simulator settings per test, and API call counts.
 */
export async function startJobHarness(env: TestWorkflowEnvironment, options: JobHarnessOptions) {
  const taskQueue = uniqueTaskQueue('jobs');
  const apiTaskQueue = uniqueTaskQueue('jobs-api');
  const stack = await startLocalStack({
    temporal: env,
    sim: { config: fastConfig(options.sim) },
    webhooks: options.webhooks,
    workerEnv: {
      TEMPORAL_ADDRESS: env.address,
      REPLICA_FLEET_TASK_QUEUE: taskQueue,
      REPLICA_FLEET_API_TASK_QUEUE: apiTaskQueue,
      // Bulk actions paced at ten writes a second instead of GitHub's 500 an hour: tests wait less.
      GITHUB_WRITES_PER_HOUR: '36000',
      REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    },
    heartbeatEveryMs: 50,
    startWorkers: options.workers ?? true,
  });
  const { sim } = stack;
  let counter = 0;
  const baseline = structuredClone(sim.config);

  /** Requests to the simulator's Replicas API, by endpoint. */
  const calls = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [endpoint, byStatus] of Object.entries(sim.stats().requests)) {
      out[endpoint] = Object.values(byStatus).reduce((a, b) => a + b, 0);
    }
    return out;
  };

  /** Job input with fast polling, on this harness's queues; override anything per test. */
  const input = (overrides: Partial<ReplicaJobInput> = {}): ReplicaJobInput => {
    counter += 1;
    return {
      campaignId: `camp-${taskQueue}`,
      itemKey: `item-${counter}`,
      repository: 'acme/api',
      environmentId: sim.environmentFor('acme/api'),
      message: 'upgrade the linter',
      webhooks: options.webhooks,
      pollIntervalMs: 100,
      webhookSafetyPollMs: options.webhooks ? 60_000 : 100,
      lookAfterMs: 1000,
      apiTaskQueue,
      ...overrides,
    };
  };

  /** Starts a job the way a shard does: search attributes set at start. */
  const start = (jobInput: ReplicaJobInput) =>
    env.client.workflow.start<typeof replicaJobWorkflow>('replicaJobWorkflow', {
      taskQueue,
      workflowId: `${jobInput.campaignId}/${jobInput.itemKey}`,
      args: [jobInput],
      typedSearchAttributes: [
        { key: CampaignIdAttribute, value: jobInput.campaignId },
        ...(jobInput.repository ? [{ key: RepositoryAttribute, value: jobInput.repository }] : []),
      ],
    });

  /**
   * How a job ended, whichever way: its result when it succeeded, the result it failed with (failed or
   * timed out), or `cancelled`.
   */
  const outcome = async (
    handle: WorkflowHandle<typeof replicaJobWorkflow>,
  ): Promise<ReplicaJobResult | 'cancelled'> => {
    try {
      return await handle.result();
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      const ended = endedJob(error.cause);
      if (ended.state === 'cancelled') return 'cancelled';
      if (!ended.result) throw error;
      return ended.result;
    }
  };

  return {
    sim,
    /** The simulator's Replicas client, the one the activities use. */
    client: stack.replicas,
    ingress: stack.ingress,
    masterSecret: stack.masterSecret,
    /** GITHUB_API_URL, GITHUB_TOKEN, GITHUB_WEBHOOK_SECRET of the stack's code host. */
    githubEnv: stack.githubEnv,
    environmentFor: (repository: string) => sim.environmentFor(repository),
    startWorkers: () => stack.startWorkers(),
    taskQueue,
    apiTaskQueue,
    input,
    start,
    outcome,
    /** Runs a job to its end and returns its result (also when it failed or timed out). */
    async run(jobInput: ReplicaJobInput): Promise<ReplicaJobResult> {
      const ended = await outcome(await start(jobInput));
      if (ended === 'cancelled') throw new Error('the job was cancelled');
      return ended;
    },
    /** Applies a spec on this harness's queues (creating the campaign, or reconciling it). */
    async apply(
      spec: CampaignSpec,
      options: Partial<Pick<ApplyOptions, 'retryFailed' | 'prune' | 'addOnly'>> & { id?: string } = {},
    ) {
      const campaignId = options.id ?? uniqueTaskQueue('campaign');
      // PR counts reach `campaign status` within a second here, not the 30 s a real campaign waits.
      if (spec.tracking) spec = { ...spec, tracking: { reportMs: 1_000, ...spec.tracking } };
      const outcome = await applyCampaign(env.client, spec, {
        ...options,
        campaignId,
        taskQueue,
        apiTaskQueue,
      });
      return {
        campaignId,
        outcome,
        handle: env.client.workflow.getHandle<typeof campaignWorkflow>(campaignId),
      };
    },
    progress: (campaignId: string) => campaignProgress(env.client, campaignId),
    /** Waits until the campaign's progress satisfies `done` (by default: nothing runs or can start). */
    async settle(
      campaignId: string,
      done: (p: CampaignProgress) => boolean = (p) => p.state !== 'running',
      timeoutMs = 60_000,
    ): Promise<CampaignProgress> {
      let last: CampaignProgress | undefined;
      await eventually(
        async () => done((last = await campaignProgress(env.client, campaignId))),
        timeoutMs,
        () => last,
        200,
      );
      return last as CampaignProgress;
    },
    async records(campaignId: string): Promise<ItemRecord[]> {
      const records: ItemRecord[] = [];
      for await (const record of campaignRecords(env.client, campaignId)) records.push(record);
      return records;
    },
    /** `n` inline campaign items on one repository's environment. */
    items(n: number, repository = 'acme/api'): CampaignItem[] {
      return Array.from({ length: n }, (_, i) => ({
        key: `item-${String(i).padStart(4, '0')}`,
        environmentId: sim.environmentFor(repository),
        repository,
      }));
    },
    /** Runs `fn` under changed simulator settings, then restores the harness's own. */
    async withSim<T>(changes: SimConfigInput, fn: () => Promise<T>): Promise<T> {
      sim.configure(changes);
      try {
        return await fn();
      } finally {
        sim.configure(baseline);
      }
    },
    /** Simulator requests made while `fn` runs, by endpoint. */
    async callsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
      const before = calls();
      await fn();
      const out: Record<string, number> = {};
      for (const [key, value] of Object.entries(calls())) {
        const d = value - (before[key] ?? 0);
        if (d) out[key] = d;
      }
      return out;
    },
    /** Starts peak tracking afresh; returns the replicas alive now (the baseline of the peak). */
    resetPeak(): number {
      const stats = sim.stats();
      stats.peakLiveReplicas = stats.liveReplicas;
      return stats.liveReplicas;
    },
    calls,
    close: () => stack.close(),
  };
}

export type JobHarness = Awaited<ReturnType<typeof startJobHarness>>;

/**
 * Gives a test file one harness: a Temporal server (the suite's dev server unless another is given),
 * the simulator, the ingress when asked for, and both workers; all stopped after the file.
 */
export function useJobHarness(
  options: JobHarnessOptions,
  server: () => Promise<TestWorkflowEnvironment> = connectToDevServer,
): { env: TestWorkflowEnvironment; h: JobHarness } {
  const context = {} as { env: TestWorkflowEnvironment; h: JobHarness };
  beforeAll(async () => {
    context.env = await server();
    context.h = await startJobHarness(context.env, options);
  });
  afterAll(async () => {
    await context.h?.close();
    await context.env?.teardown();
  });
  return context;
}
