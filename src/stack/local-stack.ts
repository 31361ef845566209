import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { createActivities, createLocalActivities } from '../activities';
import { loadWorkerConfig, type WorkerConfig } from '../config/worker-config';
import { ReplicasClient, type TransportOptions } from '../replicas';
import { DEFAULT_SIM_API_KEY, startSimulator, type SimConfigInput, type Simulator } from '../simulator';
import { callbackTargets } from '../webhooks/callback-targets';
import { createIngressServer, type IngressServer } from '../webhooks/ingress-server';
import { createFleetWorkers, type FleetWorkers } from '../worker';

/** A Temporal server the stack runs on: the embedded dev server, or a test environment. */
export interface StackTemporal {
  client: Client;
  nativeConnection: NativeConnection;
}

export interface LocalStackOptions {
  temporal: StackTemporal;
  sim?: { port?: number; config?: SimConfigInput };
  /** Run the webhook ingress the simulator calls back (default true); without it every job polls. */
  webhooks?: boolean;
  webhookPort?: number;
  /** Worker settings as environment variables (queues, rates, bundle), over loopback defaults. */
  workerEnv?: NodeJS.ProcessEnv;
  /** How often a long poll heartbeats; tests shorten it. */
  heartbeatEveryMs?: number;
  /** Start the workers at once (default); `false` leaves that to `startWorkers()`. */
  startWorkers?: boolean;
  /** Sees every answer of the simulator's client (contract tests record them). */
  onResponse?: TransportOptions['onResponse'];
}

export interface LocalStack {
  sim: Simulator;
  /** A Replicas client of the simulator, the one the activities use. */
  replicas: ReplicasClient;
  ingress?: IngressServer;
  masterSecret: string;
  config: WorkerConfig;
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one composition root of a local deployment: the Replicas simulator, the webhook ingress it calls
 * back, and both workers running the production activities against the simulator. `replica-fleet dev`,
 * the benchmarks and the tests all assemble their stack here.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { client, nativeConnection } = options.temporal;
  const sim = await startSimulator({ port: options.sim?.port ?? 0, config: options.sim?.config });
  const replicas = new ReplicasClient({
    baseUrl: sim.url,
    apiKey: DEFAULT_SIM_API_KEY,
    onResponse: options.onResponse,
  });
  const masterSecret = randomBytes(32).toString('hex');
  let ingress: IngressServer | undefined;
  if (options.webhooks ?? true) {
    ingress = createIngressServer({ client, masterSecret, port: options.webhookPort ?? 0 });
    await ingress.listen();
  }
  const config = loadWorkerConfig({
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    REPLICAS_API_RATE_PER_SECOND: '1000',
    REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: '500',
    ...options.workerEnv,
  });
  const activities = createActivities({
    client: replicas,
    webhookTargetFor: callbackTargets(ingress ? { publicBaseUrl: ingress.url, masterSecret } : {}),
    heartbeatEveryMs: options.heartbeatEveryMs,
  });
  let workers: FleetWorkers | undefined;
  let running: Promise<void> | undefined;
  const stack: LocalStack = {
    sim,
    replicas,
    ingress,
    masterSecret,
    config,
    async startWorkers() {
      workers = await createFleetWorkers(config, nativeConnection, {
        localActivities: createLocalActivities(client),
        apiActivities: activities,
      });
      running = workers.run();
    },
    async stopWorkers() {
      workers?.shutdown();
      await running;
      workers = undefined;
    },
    async close() {
      await stack.stopWorkers();
      await ingress?.close();
      await replicas.close();
      await sim.close();
    },
  };
  if (options.startWorkers ?? true) await stack.startWorkers();
  return stack;
}
