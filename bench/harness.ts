import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../src/activities';
import { loadWorkerConfig } from '../src/config/worker-config';
import { startDevServer } from '../src/dev/dev-server';
import { ReplicasClient } from '../src/replicas';
import { DEFAULT_SIM_API_KEY, startSimulator } from '../src/simulator/server';
import type { SimConfigInput } from '../src/simulator/sim-config';
import { installRuntimeLogger } from '../src/temporal/quiet-runtime';
import { createIngressServer } from '../src/webhooks/ingress-server';
import type { ReplicaJobInput } from '../src/workflows/replica-job/types';
import { createFleetWorkers } from '../src/worker';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private dev server, simulator, ingress and both workers on loopback, for one benchmark. */
export async function startBenchStack(sim: SimConfigInput) {
  installRuntimeLogger();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-bench-'));
  const server = await startDevServer({
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
  });
  const connection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const simulator = await startSimulator({ config: sim });
  const masterSecret = randomBytes(32).toString('hex');
  const ingress = createIngressServer({ client, masterSecret });
  await ingress.listen();
  const replicas = new ReplicasClient({ baseUrl: simulator.url, apiKey: DEFAULT_SIM_API_KEY });
  const config = loadWorkerConfig({
    TEMPORAL_ADDRESS: server.address,
    REPLICAS_API_RATE_PER_SECOND: '1000',
    REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: '500',
  });
  const workers = await createFleetWorkers(config, connection, {
    apiActivities: createActivities({
      client: replicas,
      config: { webhooks: { publicBaseUrl: ingress.url, masterSecret } },
    }),
  });
  const running = workers.run();
  const orgs = (await (await fetch(`${simulator.url}/__sim/orgs`)).json()) as {
    organisations: { environments: { id: string; name: string }[] }[];
  };
  const environmentFor = (name: string) =>
    orgs.organisations[0]?.environments.find((e) => e.name === name)?.id ?? '';
  return {
    client,
    simulator,
    ingress,
    masterSecret,
    config,
    environmentFor,
    async close() {
      workers.shutdown();
      await running;
      await ingress.close();
      await replicas.close();
      await simulator.close();
      await client.connection.close();
      await connection.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

/** How many events of each kind a workflow's history holds. */
export async function historyCounts(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const count = (key: string) => events.filter((e) => (e as Record<string, unknown>)[key]).length;
  return {
    events: events.length,
    activities: count('activityTaskScheduledEventAttributes'),
    timers: count('timerStartedEventAttributes'),
    signals: count('workflowExecutionSignaledEventAttributes'),
    children: count('startChildWorkflowExecutionInitiatedEventAttributes'),
  };
}

export function apiCalls(stack: BenchStack): number {
  return Object.values(stack.simulator.stats().requests).reduce(
    (sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0),
    0,
  );
}

/** Starts one replica job on acme/api with workflow id `bench/<itemKey>`. */
export async function startBenchJob(
  stack: BenchStack,
  itemKey: string,
  overrides: Partial<ReplicaJobInput> = {},
) {
  const input: ReplicaJobInput = {
    campaignId: 'bench',
    itemKey,
    environmentId: stack.environmentFor('acme/api'),
    message: 'x',
    apiTaskQueue: stack.config.apiTaskQueue,
    ...overrides,
  };
  return stack.client.workflow.start('replicaJobWorkflow', {
    taskQueue: stack.config.taskQueue,
    workflowId: `bench/${itemKey}`,
    args: [input],
  });
}
