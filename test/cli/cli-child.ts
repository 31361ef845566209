import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { inject } from 'vitest';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator';
import type { JobHarness } from '../support/job-harness';

const root = path.resolve(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** What it wrote so far. */
  output(): { stdout: string; stderr: string };
  done: Promise<CliRun>;
}

/**
 * `replica-fleet <args>` in a process of its own, from the TypeScript sources, its stdout and stderr
 * pipes (not a terminal, as in CI or a pipe), with `env` over a copy of this process's environment
 * minus anything that would change the output's form.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['LOG_FORMAT', 'NO_COLOR', 'FORCE_COLOR']) delete childEnv[name];
  const child = spawn(
    path.join(root, 'node_modules', '.bin', 'vite-node'),
    [path.join(root, 'test', 'fixtures', 'cli-process.ts'), '--', ...args],
    { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, output: () => ({ stdout, stderr }), done };
}

export const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) => startCli(args, env).done;

/** The environment a deployment's CLI would have: the harness's Temporal server, queues and simulator. */
export function harnessEnv(h: JobHarness): NodeJS.ProcessEnv {
  return {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    REPLICA_FLEET_TASK_QUEUE: h.taskQueue,
    REPLICA_FLEET_API_TASK_QUEUE: h.apiTaskQueue,
    REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    REPLICAS_API_URL: h.sim.url,
    REPLICAS_API_KEY: DEFAULT_SIM_API_KEY,
  };
}

/** The parsed stdout of a `--json` run, with the whole run in the error when it is not JSON. */
export function jsonOf(run: CliRun): unknown {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}

/** No ANSI escape (colour or cursor movement) anywhere: the run was not on a terminal. */
export const hasAnsi = (text: string) => text.includes('\x1b[');

export async function killCli(running: RunningCli): Promise<void> {
  if (running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGKILL');
    await once(running.child, 'close');
  }
}
