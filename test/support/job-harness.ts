import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { createActivities } from '../../src/activities';
import { loadWorkerConfig } from '../../src/config/worker-config';
import type { ReplicaJobInput, ReplicaJobResult } from '../../src/workflows/replica-job/types';
import { createIngressServer, type IngressServer } from '../../src/webhooks/ingress-server';
import { createFleetWorkers, type FleetWorkers } from '../../src/worker';
import { startSimWithClient } from './simulator';
import { connectToDevServer, uniqueTaskQueue } from './temporal';
import type { SimConfigInput } from '../../src/simulator/sim-config';
import type { CampaignItem, CampaignSpec } from '../../src/workflows/campaign/types';

export const MASTER_SECRET = 'test-master-secret-0123456789abcdef0123456789';

export interface JobHarnessOptions {
  webhooks: boolean;
  sim?: SimConfigInput;
  /** Start the in-process workers at once (default); `false` leaves that to `startWorkers()`. */
  workers?: boolean;
}

/**
 * Production wiring on a real Temporal server: both fleet workers, the API activities talking to the
 * simulator, and (optionally) the webhook ingress the simulator calls back.
 */
export async function startJobHarness(env: TestWorkflowEnvironment, options: JobHarnessOptions) {
  const h = await startSimWithClient({ config: options.sim });
  let ingress: IngressServer | undefined;
  if (options.webhooks) {
    ingress = createIngressServer({ client: env.client, masterSecret: MASTER_SECRET, port: 0 });
    await ingress.listen();
  }
  const taskQueue = uniqueTaskQueue('jobs');
  const apiTaskQueue = uniqueTaskQueue('jobs-api');
  const config = loadWorkerConfig({
    TEMPORAL_ADDRESS: env.address,
    REPLICA_FLEET_TASK_QUEUE: taskQueue,
    REPLICA_FLEET_API_TASK_QUEUE: apiTaskQueue,
    REPLICAS_API_RATE_PER_SECOND: '1000',
    REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
  });
  const webhookSettings = ingress ? { publicBaseUrl: ingress.url, masterSecret: MASTER_SECRET } : {};
  let workers: FleetWorkers | undefined;
  let running: Promise<void> | undefined;
  const startWorkers = async () => {
    workers = await createFleetWorkers(config, env.nativeConnection, {
      apiActivities: createActivities({
        client: h.client,
        config: { webhooks: webhookSettings, heartbeatEveryMs: 50 },
      }),
    });
    running = workers.run();
  };
  if (options.workers ?? true) await startWorkers();
  let counter = 0;
  const baseline = structuredClone(h.sim.config);

  /** Job input with fast polling, on this harness's queues; override anything per test. */
  const input = (overrides: Partial<ReplicaJobInput> = {}): ReplicaJobInput => {
    counter += 1;
    return {
      campaignId: `camp-${taskQueue}`,
      itemKey: `item-${counter}`,
      repository: 'acme/api',
      environmentId: h.environmentFor('acme/api'),
      message: 'upgrade the linter',
      webhooks: options.webhooks,
      pollIntervalMs: 100,
      webhookSafetyPollMs: options.webhooks ? 60_000 : 100,
      apiTaskQueue,
      ...overrides,
    };
  };

  return {
    ...h,
    ingress,
    startWorkers,
    taskQueue,
    apiTaskQueue,
    input,
    start(jobInput: ReplicaJobInput) {
      return env.client.workflow.start('replicaJobWorkflow', {
        taskQueue,
        workflowId: `${jobInput.campaignId}/${jobInput.itemKey}`,
        args: [jobInput],
      });
    },
    async run(jobInput: ReplicaJobInput): Promise<ReplicaJobResult> {
      const handle = await this.start(jobInput);
      return (await handle.result()) as ReplicaJobResult;
    },
    /** Starts a campaign on this harness's queues. */
    startCampaign(spec: CampaignSpec, workflowId = uniqueTaskQueue('campaign')) {
      return env.client.workflow.start('campaignWorkflow', {
        taskQueue,
        workflowId,
        args: [{ spec: { ...spec, apiTaskQueue } }],
      });
    },
    /** `n` inline campaign items on one repository's environment. */
    items(n: number, repository = 'acme/api'): CampaignItem[] {
      return Array.from({ length: n }, (_, i) => ({
        key: `item-${String(i).padStart(4, '0')}`,
        environmentId: h.environmentFor(repository),
        repository,
      }));
    },
    /** Runs `fn` under changed simulator settings, then restores the harness's own. */
    async withSim<T>(changes: SimConfigInput, fn: () => Promise<T>): Promise<T> {
      h.sim.configure(changes);
      try {
        return await fn();
      } finally {
        h.sim.configure(baseline);
      }
    },
    /** Simulator requests made while `fn` runs, by endpoint. */
    async callsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
      const before = this.calls();
      await fn();
      const out: Record<string, number> = {};
      for (const [key, value] of Object.entries(this.calls())) {
        const d = value - (before[key] ?? 0);
        if (d) out[key] = d;
      }
      return out;
    },
    /** Starts peak tracking afresh; returns the replicas alive now (the baseline of the peak). */
    resetPeak(): number {
      const stats = h.sim.stats();
      stats.peakLiveReplicas = stats.liveReplicas;
      return stats.liveReplicas;
    },
    /** Requests to the simulator's Replicas API, by endpoint. */
    calls(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const [endpoint, byStatus] of Object.entries(h.sim.stats().requests)) {
        out[endpoint] = Object.values(byStatus).reduce((a, b) => a + b, 0);
      }
      return out;
    },
    async close() {
      workers?.shutdown();
      await running;
      await ingress?.close();
      await h.close();
    },
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
