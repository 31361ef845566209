import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ReplicaJobInput } from '../src/contracts';
import { DEFAULT_SIM_API_KEY, type SimConfigInput } from '../src/simulator';
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

export interface BenchStackOptions {
  /** Run the worker as its own process (`replica-fleet worker`), so its CPU and memory can be read. */
  workerProcess?: boolean;
}

/**
 * A private dev server plus the local stack (simulator, ingress) on loopback; the workers run in this
 * process, or in a `replica-fleet worker` child process when its CPU and memory are measured.
 */
export async function startBenchStack(sim: SimConfigInput, options: BenchStackOptions = {}) {
  installRuntimeLogger();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-bench-'));
  const temporal = await startEmbeddedTemporal({
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    // Experiments only: BENCH_DYNAMIC_CONFIG='{"key": value}' passes dynamic config to the dev server.
    dynamicConfig: process.env.BENCH_DYNAMIC_CONFIG ? JSON.parse(process.env.BENCH_DYNAMIC_CONFIG) : {},
  });
  const stack = await startLocalStack({
    temporal,
    sim: { config: sim },
    startWorkers: !options.workerProcess,
  });
  let worker: ChildProcess | undefined;
  let closing = false;
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  const spawnWorker = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'src', 'cli', 'main.js'), 'worker'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: temporal.address,
        REPLICA_FLEET_TASK_QUEUE: stack.config.taskQueue,
        REPLICA_FLEET_API_TASK_QUEUE: stack.config.apiTaskQueue,
        REPLICA_FLEET_WORKFLOW_BUNDLE: bundlePath,
        REPLICAS_API_URL: stack.sim.url,
        REPLICAS_API_KEY: DEFAULT_SIM_API_KEY,
        ...stack.githubEnv,
        REPLICA_FLEET_PUBLIC_WEBHOOK_URL: stack.ingress?.url,
        REPLICA_FLEET_WEBHOOK_SECRET: stack.masterSecret,
        REPLICAS_API_RATE_PER_SECOND: '1000',
        REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: '500',
        REPLICA_FLEET_METRICS_PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // The worker's last log lines, shown if it dies mid-run: a benchmark must stop, not wait forever.
    const tail: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        tail.push(...chunk.toString().split('\n').filter(Boolean));
        tail.splice(0, Math.max(0, tail.length - 40));
        if (chunk.toString().includes('workers running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the worker exited early (${code})`)));
    });
    child.once('exit', (code, signal) => {
      if (closing || child !== worker) return;
      console.error(`\nthe worker exited mid-run (${code ?? signal}); its last lines:\n${tail.join('\n')}`);
      process.exit(1);
    });
    return child;
  };
  const stopWorker = async () => {
    const child = worker;
    if (!child || child.exitCode !== null) return;
    worker = undefined;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  if (options.workerProcess) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, '..', 'src', 'workflows'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    writeFileSync(bundlePath, code);
    worker = await spawnWorker();
  }
  const pids = {
    temporal: temporal.pid,
    ...(worker?.pid !== undefined && { worker: worker.pid }),
    [worker ? 'simulatorAndIngress' : 'workerSimulatorAndIngress']: process.pid,
  } as Record<string, number>;
  return {
    client: temporal.client,
    simulator: stack.sim,
    ingress: stack.ingress as NonNullable<typeof stack.ingress>,
    masterSecret: stack.masterSecret,
    config: stack.config,
    /** Process ids whose CPU and memory a scenario may read (`worker` changes with `restartWorker`). */
    pids,
    /**
     * Stops the worker process and starts a fresh one (a deploy, or a worker taking over): what it
     * holds afterwards is what the workflows need, not what an earlier burst left behind.
     */
    async restartWorker(): Promise<void> {
      if (!options.workerProcess) throw new Error('restartWorker needs { workerProcess: true }');
      await stopWorker();
      worker = await spawnWorker();
      pids.worker = worker.pid as number;
    },
    environmentFor: (name: string) => stack.sim.environmentFor(name),
    async close() {
      closing = true;
      await stopWorker();
      await stack.close();
      await temporal.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

export function apiCalls(stack: BenchStack): number {
  return Object.values(stack.simulator.stats().requests).reduce(
    (sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0),
    0,
  );
}

/** Starts one replica job on acme/api with workflow id `bench/<itemKey>`. */
export async function startBenchJob(
  stack: Pick<BenchStack, 'client' | 'config' | 'environmentFor'>,
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

export type { Client };
