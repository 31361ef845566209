import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator/server';
import type { SimConfig, SimConfigInput } from '../../src/simulator/sim-config';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import type { ReplicaJobResult } from '../../src/workflows/replica-job/types';
import { eventually } from '../support/eventually';
import { startJobHarness, type JobHarness } from '../support/job-harness';
import { connectToDevServer } from '../support/temporal';

const root = path.resolve(__dirname, '..', '..');

describe('replica job by polling (real Temporal, simulator)', () => {
  let env: TestWorkflowEnvironment;
  let h: JobHarness;
  let baseline: SimConfig;

  async function withSim<T>(changes: SimConfigInput, fn: () => Promise<T>): Promise<T> {
    h.sim.configure(changes);
    try {
      return await fn();
    } finally {
      h.sim.configure(baseline);
    }
  }

  beforeAll(async () => {
    env = await connectToDevServer();
    h = await startJobHarness(env, { webhooks: false, sim: { behaviour: { prProbability: 1 } } });
    baseline = structuredClone(h.sim.config);
  });
  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  it('succeeds with polling only, follow-ups included, and collects the PR', async () => {
    const result = await h.run(h.input({ followUps: ['update the changelog', 'bump the version'] }));
    expect(result).toMatchObject({ state: 'succeeded', turns: 3, deleted: true });
    expect(result.prs).toHaveLength(1);
    expect(h.sim.stats().webhooks.events).toBe(0);
  });

  it('retries a create that meets 5xx, then 429 with Retry-After: exactly one replica', () =>
    withSim({ faults: { serverErrorRate: 1 } }, async () => {
      const created = h.sim.stats().replicasCreated;
      const handle = await h.start(h.input());
      await eventually(async () => (h.sim.stats().requests['POST /v1/replica']?.['500'] ?? 0) >= 1);
      h.sim.configure({ faults: { serverErrorRate: 0, rateLimitRate: 1, retryAfterSeconds: 1 } });
      // The retried attempt first looks the name up (the lost-answer guard), so the 429 may hit that list call.
      const limited = h.sim.stats().faults.rateLimited;
      await eventually(async () => h.sim.stats().faults.rateLimited > limited);
      h.sim.configure({ faults: { rateLimitRate: 0 } });
      const result = (await handle.result()) as ReplicaJobResult;
      expect(result.state).toBe('succeeded');
      expect(h.sim.stats().replicasCreated).toBe(created + 1);
    }));

  it('adopts the replica of a create whose answer was lost after commit: exactly one replica', () =>
    withSim({ faults: { dropResponseRate: 1 } }, async () => {
      const created = h.sim.stats().replicasCreated;
      const duplicates = h.sim.stats().duplicateNames;
      const handle = await h.start(h.input());
      await eventually(async () => h.sim.stats().faults.droppedResponses >= 1);
      h.sim.configure({ faults: { dropResponseRate: 0 } });
      const result = (await handle.result()) as ReplicaJobResult;
      expect(result.state).toBe('succeeded');
      expect(h.sim.stats().replicasCreated).toBe(created + 1);
      expect(h.sim.stats().duplicateNames).toBe(duplicates);
    }));

  it('completes once, with one replica, when its worker is killed mid-job and another takes over', async () => {
    const solo = await startJobHarness(env, {
      webhooks: false,
      workers: false,
      sim: { timings: { turnMs: 1500 } },
    });
    const child = spawn(
      path.join(root, 'node_modules', '.bin', 'vite-node'),
      [path.join(root, 'test', 'fixtures', 'worker-process.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          REPLICA_FLEET_TASK_QUEUE: solo.taskQueue,
          REPLICA_FLEET_API_TASK_QUEUE: solo.apiTaskQueue,
          REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
          REPLICAS_API_URL: solo.sim.url,
          REPLICAS_API_KEY: DEFAULT_SIM_API_KEY,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('worker-ready') && resolve());
        child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
      });
      const handle = await solo.start(solo.input({ pollHeartbeatTimeoutMs: 1000 }));
      await eventually(async () => (await handle.query(jobStateQuery)).phase === 'waiting_turn', 20_000);
      child.kill('SIGKILL');
      await once(child, 'exit');
      await solo.startWorkers();
      const result = (await handle.result()) as ReplicaJobResult;
      expect(result.state).toBe('succeeded');
      expect(solo.sim.stats().replicasCreated).toBe(1);
      expect(solo.sim.stats().duplicateNames).toBe(0);
      const history = await handle.fetchHistory();
      const completions = history.events?.filter((e) => e.workflowExecutionCompletedEventAttributes) ?? [];
      expect(completions).toHaveLength(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await solo.close();
    }
  }, 60_000);
});
