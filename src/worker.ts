import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createHealthActivities } from './activities/health';
import { createActivities, createLocalActivities } from './activities';
import { loadReplicasConfig } from './config/replicas-config';
import { loadWorkerConfig, type WorkerConfig } from './config/worker-config';
import { ReplicasClient } from './replicas';
import { callbackTargets } from './webhooks/callback-targets';
import { connectClient, connectWorker } from './temporal/connection';

export interface FleetWorkerDeps {
  /** Activities that run beside the workflows (no Replicas API calls). */
  localActivities?: object;
  /** Activities that call the Replicas API; their queue is rate-limited server-side. */
  apiActivities?: object;
}

export interface FleetWorkers {
  workflowWorker: Worker;
  apiWorker: Worker;
  /** Resolves when both workers have stopped (after `shutdown()` or a shutdown signal). */
  run(): Promise<void>;
  shutdown(): void;
}

function workflowSource(config: WorkerConfig): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  if (config.workflowBundlePath) return { workflowBundle: { codePath: config.workflowBundlePath } };
  // Resolves to index.ts under ts tooling and to index.js in dist/: the bundler picks the extension.
  return { workflowsPath: path.join(__dirname, 'workflows') };
}

export async function createFleetWorkers(
  config: WorkerConfig,
  connection: NativeConnection,
  deps: FleetWorkerDeps = {},
): Promise<FleetWorkers> {
  const health = createHealthActivities();
  const namespace = config.temporal.TEMPORAL_NAMESPACE;
  const workflowWorker = await Worker.create({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    ...workflowSource(config),
    activities: { ...health, ...deps.localActivities },
  });
  const apiWorker = await Worker.create({
    connection,
    namespace,
    taskQueue: config.apiTaskQueue,
    activities: { ...health, ...deps.apiActivities },
    maxTaskQueueActivitiesPerSecond: config.apiRatePerSecond,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentApiActivities,
  });
  return {
    workflowWorker,
    apiWorker,
    async run() {
      await Promise.all([workflowWorker.run(), apiWorker.run()]);
    },
    shutdown() {
      for (const worker of [workflowWorker, apiWorker]) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}

/** Entry point of `replica-fleet worker`: runs until SIGINT/SIGTERM, then drains in-flight tasks. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadWorkerConfig(env);
  const replicas = loadReplicasConfig(env);
  const client = new ReplicasClient({ baseUrl: replicas.apiUrl, apiKey: replicas.apiKey });
  const connection = await connectWorker(config.temporal);
  // Shards ask Temporal about jobs whose end they did not hear of: a client for those activities.
  const temporal = new Client({
    connection: await connectClient(config.temporal),
    namespace: config.temporal.TEMPORAL_NAMESPACE,
  });
  try {
    const workers = await createFleetWorkers(config, connection, {
      localActivities: createLocalActivities(temporal),
      apiActivities: createActivities({ client, webhookTargetFor: callbackTargets(replicas.webhooks) }),
    });
    console.log(
      `replica-fleet worker: ${config.temporal.TEMPORAL_ADDRESS} namespace=${config.temporal.TEMPORAL_NAMESPACE} ` +
        `queues=${config.taskQueue},${config.apiTaskQueue}`,
    );
    // The SDK runtime turns SIGINT/SIGTERM into a graceful shutdown of every worker.
    await workers.run();
  } finally {
    await temporal.connection.close();
    await connection.close();
    await client.close();
  }
}
