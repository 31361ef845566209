import type { Client } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ReplicaJobInput } from '../src/contracts';
import type { SimConfigInput } from '../src/simulator';
import { startEmbeddedTemporal } from '../src/stack/embedded-temporal';
import { startLocalStack } from '../src/stack/local-stack';
import { installRuntimeLogger } from '../src/temporal/quiet-runtime';
import type { replicaJobWorkflow } from '../src/workflows/replica-job/workflow';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private dev server plus the local stack (simulator, ingress, both workers) on loopback. */
export async function startBenchStack(sim: SimConfigInput) {
  installRuntimeLogger();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-bench-'));
  const temporal = await startEmbeddedTemporal({
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
  });
  const stack = await startLocalStack({ temporal, sim: { config: sim } });
  return {
    client: temporal.client,
    simulator: stack.sim,
    ingress: stack.ingress as NonNullable<typeof stack.ingress>,
    masterSecret: stack.masterSecret,
    config: stack.config,
    environmentFor: (name: string) => stack.sim.environmentFor(name),
    async close() {
      await stack.close();
      await temporal.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

/** How many events of each kind a workflow's history holds. */
export async function historyCounts(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory(); // any workflow type
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
  return stack.client.workflow.start<typeof replicaJobWorkflow>('replicaJobWorkflow', {
    taskQueue: stack.config.taskQueue,
    workflowId: `bench/${itemKey}`,
    args: [input],
  });
}
