import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { createActivities, createLocalActivities } from '../activities';
import { createGitHubCodeHost, createWebhookVerifier } from '../code-host';
import { loadCodeHostConfig } from '../config/code-host-config';
import { loadWorkerConfig, type WorkerConfig } from '../config/worker-config';
import { ReplicasClient, type TransportOptions } from '../replicas';
import {
  DEFAULT_GITHUB_TOKEN,
  DEFAULT_SIM_API_KEY,
  startSimulator,
  type SimConfigInput,
  type Simulator,
} from '../simulator';
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
  /** `codeHostPort`: where the code-host simulator (the GitHub stand-in) listens; 0 or unset picks one. */
  sim?: { port?: number; config?: SimConfigInput; codeHostPort?: number };
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
  /**
   * How workers reach the code-host simulator, as the environment a worker process reads:
   * GITHUB_API_URL, GITHUB_TOKEN and GITHUB_WEBHOOK_SECRET (its deliveries go to the ingress's /github).
   */
  githubEnv: {
    GITHUB_API_URL: string;
    GITHUB_WEB_URL: string;
    GITHUB_TOKEN: string;
    GITHUB_WEBHOOK_SECRET: string;
  };
  config: WorkerConfig;
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one composition root of a local deployment: the Replicas simulator and its code host (the GitHub
 * stand-in), the webhook ingress they call back, and both workers running the production activities
 * against the simulator. `replica-fleet dev`, the benchmarks and the tests all assemble their stack here.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { client, nativeConnection } = options.temporal;
  const sim = await startSimulator({
    port: options.sim?.port ?? 0,
    config: options.sim?.config,
    codeHost: { port: options.sim?.codeHostPort ?? 0 },
  });
  const replicas = new ReplicasClient({
    baseUrl: sim.url,
    apiKey: DEFAULT_SIM_API_KEY,
    onResponse: options.onResponse,
  });
  const masterSecret = randomBytes(32).toString('hex');
  const githubEnv = {
    GITHUB_API_URL: sim.codeHost.url,
    // The stand-in serves the github.com URLs the simulated agents' PRs carry.
    GITHUB_WEB_URL: 'https://github.com',
    GITHUB_TOKEN: DEFAULT_GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
  };
  const config = loadWorkerConfig({
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    REPLICAS_API_RATE_PER_SECOND: '1000',
    REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: '500',
    ...githubEnv,
    ...options.workerEnv,
  });
  let ingress: IngressServer | undefined;
  if (options.webhooks ?? true) {
    ingress = createIngressServer({
      client,
      masterSecret,
      port: options.webhookPort ?? 0,
      verifyGitHub: createWebhookVerifier(githubEnv.GITHUB_WEBHOOK_SECRET),
      taskQueue: config.taskQueue,
    });
    await ingress.listen();
  }
  if (ingress)
    sim.codeHost.setWebhook({ url: `${ingress.url}/github`, secret: githubEnv.GITHUB_WEBHOOK_SECRET });
  const activities = createActivities({
    client: replicas,
    webhookTargetFor: callbackTargets(ingress ? { publicBaseUrl: ingress.url, masterSecret } : {}),
    heartbeatEveryMs: options.heartbeatEveryMs,
    // The production adapter on the GitHub stand-in: campaigns follow their PRs as they would on GitHub.
    codeHost: createGitHubCodeHost(loadCodeHostConfig(githubEnv)),
  });
  let workers: FleetWorkers | undefined;
  let running: Promise<void> | undefined;
  const stack: LocalStack = {
    sim,
    replicas,
    ingress,
    masterSecret,
    githubEnv,
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
