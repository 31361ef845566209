import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createHealthActivities } from './activities/health';
import { createActivities, createLocalActivities } from './activities';
import { CodeHostError, createGitHubCodeHost } from './code-host';
import { codeHostConfigured, loadCodeHostConfig } from './config/code-host-config';
import { loadLoggingConfig } from './config/logging-config';
import { ConfigError } from './config/parse-env';
import { loadReplicasConfig } from './config/replicas-config';
import { loadWorkerConfig, type WorkerConfig } from './config/worker-config';
import { FLEET_METRICS } from './contracts/metrics';
import { codeHostWritesQueue, type CodeHost } from './contracts';
import { countApiRequests } from './observability/api-metrics';
import { configureLogging, logger, muteLogMessage } from './observability/logger';
import { createOpsServer, type Readiness } from './observability/ops-server';
import { secretsFromEnv } from './observability/redaction';
import { freeLoopbackAddress, installRuntime } from './observability/runtime';
import { ReplicasClient } from './replicas';
import { callbackTargets } from './webhooks/callback-targets';
import { connectClient, connectWorker, temporalAnswers } from './temporal/connection';
import { searchAttributesAtStart } from './temporal/search-attributes';

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

/** What the SDK logs (at WARN) when a worker that registers no workflows starts. */
export const NO_WORKFLOWS_WARNING = 'No workflows registered, not polling for workflow tasks';

export async function createFleetWorkers(
  config: WorkerConfig,
  connection: NativeConnection,
  deps: FleetWorkerDeps = {},
): Promise<FleetWorkers> {
  const health = createHealthActivities();
  const namespace = config.temporal.TEMPORAL_NAMESPACE;
  const { tuning } = config;
  const activityPollers = { type: 'simple-maximum', maximum: tuning.activityPollers } as const;
  const workflowWorker = await Worker.create({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    ...workflowSource(config),
    activities: { ...health, ...deps.localActivities },
    // Unset, the SDK sizes the cache from the heap limit.
    ...(tuning.maxCachedWorkflows !== undefined && { maxCachedWorkflows: tuning.maxCachedWorkflows }),
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.workflowPollers },
    activityTaskPollerBehavior: activityPollers,
  });
  const apiWorker = await Worker.create({
    connection,
    namespace,
    taskQueue: config.apiTaskQueue,
    activities: { ...health, ...deps.apiActivities },
    maxTaskQueueActivitiesPerSecond: config.apiRatePerSecond,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentApiActivities,
    activityTaskPollerBehavior: activityPollers,
  });
  // Bulk actions' writes to GitHub: the server's rate limit on this queue paces every worker together.
  const writesQueue = codeHostWritesQueue(config.apiTaskQueue);
  const writesWorker = await Worker.create({
    connection,
    namespace,
    taskQueue: writesQueue,
    activities: { ...health, ...deps.apiActivities },
    maxTaskQueueActivitiesPerSecond: config.codeHostWritesPerSecond,
    maxConcurrentActivityTaskExecutions: 4,
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
  });
  // The API workers run activities only, by design: the SDK's warning that they have no workflows is noise.
  const unmutes = [config.apiTaskQueue, writesQueue].map((taskQueue) =>
    muteLogMessage(NO_WORKFLOWS_WARNING, { sdkComponent: 'worker', taskQueue }),
  );
  return {
    workflowWorker,
    apiWorker,
    async run() {
      try {
        await Promise.all([workflowWorker.run(), apiWorker.run(), writesWorker.run()]);
      } finally {
        for (const unmute of unmutes) unmute();
      }
    },
    shutdown() {
      for (const worker of [workflowWorker, apiWorker, writesWorker]) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}

/** Memory gauges sampled when Prometheus scrapes: the figure "Scaling out" sizes workers by. */
function sampleProcessMemory(): () => void {
  const meter = Runtime.instance().metricMeter;
  const rss = meter.createGauge(FLEET_METRICS.processResidentMemory.name, 'int', 'By');
  const heap = meter.createGauge(FLEET_METRICS.processHeapUsed.name, 'int', 'By');
  return () => {
    const usage = process.memoryUsage();
    rss.set(usage.rss);
    heap.set(usage.heapUsed);
  };
}

/**
 * With GitHub configured, wrong credentials stop the worker at start as a configuration error naming
 * the variables to fix, instead of failing every pull request of a campaign later.
 */
async function checkCodeHostCredentials(env: NodeJS.ProcessEnv): Promise<CodeHost | undefined> {
  if (!codeHostConfigured(env)) return undefined;
  const host = createGitHubCodeHost(loadCodeHostConfig(env), { log: logger('code-host') });
  try {
    await host.checkAccess();
    return host;
  } catch (error) {
    if (error instanceof CodeHostError && error.kind === 'unauthorized')
      throw new ConfigError(`Invalid GitHub configuration:\n  - ${error.message}`);
    throw error;
  }
}

/**
 * Entry point of `replica-fleet worker`: validates the environment (a `ConfigError` names each bad
 * variable), installs the SDK runtime with our logger and metrics, serves `/metrics`, `/healthz` and
 * `/readyz`, then runs both workers until SIGINT/SIGTERM and drains in-flight tasks.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const logging = loadLoggingConfig(env);
  configureLogging({ ...logging, secrets: secretsFromEnv(env) });
  const log = logger('worker');
  const config = loadWorkerConfig(env);
  const replicas = loadReplicasConfig(env);
  const codeHost = await checkCodeHostCredentials(env);
  const runtime = installRuntime({ level: logging.level, prometheusAddress: await freeLoopbackAddress() });
  if (!runtime.installedHere) {
    log.warn('the SDK runtime was installed before the worker started: SDK metrics are not exported');
  }

  let workers: FleetWorkers | undefined;
  let connection: NativeConnection | undefined;
  const ops = createOpsServer({
    ...config.metrics,
    exporterUrl: runtime.prometheusUrl,
    beforeScrape: runtime.installedHere ? sampleProcessMemory() : undefined,
    async readiness(): Promise<Readiness> {
      if (!workers || !connection) return { ready: false, checks: { workers: 'starting' } };
      const states = [workers.workflowWorker.getState(), workers.apiWorker.getState()];
      const running = states.every((state) => state === 'RUNNING');
      const reachable = await temporalAnswers(connection);
      return {
        ready: running && reachable,
        checks: { workers: states.join(','), temporal: reachable ? 'reachable' : 'unreachable' },
      };
    },
  });
  await ops.listen();
  const stopCounting = countApiRequests(replicas.apiUrl, Runtime.instance().metricMeter);
  const client = new ReplicasClient({ baseUrl: replicas.apiUrl, apiKey: replicas.apiKey });
  let temporal: Client | undefined;
  try {
    connection = await connectWorker(config.temporal);
    await prepareSearchAttributes(connection, config.temporal.TEMPORAL_NAMESPACE);
    // Shards ask Temporal about jobs whose end they did not hear of: a client for those activities.
    temporal = new Client({
      connection: await connectClient(config.temporal),
      namespace: config.temporal.TEMPORAL_NAMESPACE,
    });
    workers = await createFleetWorkers(config, connection, {
      localActivities: createLocalActivities(temporal),
      apiActivities: createActivities({
        client,
        webhookTargetFor: callbackTargets(replicas.webhooks),
        codeHost,
      }),
    });
    log.info('workers running', {
      temporalAddress: config.temporal.TEMPORAL_ADDRESS,
      namespace: config.temporal.TEMPORAL_NAMESPACE,
      taskQueues: [config.taskQueue, config.apiTaskQueue],
      webhooks: replicas.webhooks.publicBaseUrl ? 'on' : 'off (jobs poll)',
      opsUrl: ops.url,
      tuning: config.tuning,
    });
    // The SDK runtime turns SIGINT/SIGTERM into a graceful shutdown of every worker.
    await workers.run();
    log.info('workers stopped');
  } finally {
    stopCounting();
    await ops.close();
    await temporal?.connection.close();
    await connection?.close();
    await client.close();
  }
}

/** Registers the search attributes if the server lets us, else says what to run (see the check). */
async function prepareSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const log = logger('worker');
  const check = await searchAttributesAtStart(connection.operatorService, namespace);
  if (check.kind === 'ready' && check.added.length)
    log.info('registered search attributes', { namespace, attributes: check.added });
  if (check.kind === 'refused')
    log.warn('search attributes missing and this caller may not register them: run this once', {
      namespace,
      attributes: check.missing,
      command: check.command,
    });
  if (check.kind === 'wrong type')
    log.warn('search attributes registered with another type: jobs that set them will fail', {
      namespace,
      attributes: check.attributes,
    });
  if (check.kind === 'unknown')
    log.debug('could not check search attributes', { namespace, error: check.error });
}
