import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { inject } from 'vitest';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator';
import type { JobHarness } from './job-harness';

const root = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL: no graceful shutdown, in-flight tasks are lost with the process. */
  kill(): Promise<void>;
}

/** A fleet worker in its own process on the harness's queues and simulator, ready when this resolves. */
export async function spawnWorkerProcess(h: JobHarness, temporalAddress: string): Promise<WorkerProcess> {
  const child = spawn(
    path.join(root, 'node_modules', '.bin', 'vite-node'),
    [path.join(root, 'test', 'fixtures', 'worker-process.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: temporalAddress,
        REPLICA_FLEET_TASK_QUEUE: h.taskQueue,
        REPLICA_FLEET_API_TASK_QUEUE: h.apiTaskQueue,
        REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
        REPLICAS_API_URL: h.sim.url,
        REPLICAS_API_KEY: DEFAULT_SIM_API_KEY,
        ...h.githubEnv,
        ...(h.ingress && {
          REPLICA_FLEET_PUBLIC_WEBHOOK_URL: h.ingress.url,
          REPLICA_FLEET_WEBHOOK_SECRET: h.masterSecret,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('worker-ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return {
    child,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
