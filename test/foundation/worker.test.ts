import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadWorkerConfig } from '../../src/config/worker-config';
import { createFleetWorkers } from '../../src/worker';
import type { healthCheckWorkflow } from '../../src/workflows/health-check';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal';

describe('worker on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectToDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function runHealthCheck(extraEnv: NodeJS.ProcessEnv = {}) {
    const taskQueue = uniqueTaskQueue('wf');
    const apiTaskQueue = uniqueTaskQueue('api');
    const config = loadWorkerConfig({
      TEMPORAL_ADDRESS: env.address,
      REPLICA_FLEET_TASK_QUEUE: taskQueue,
      REPLICA_FLEET_API_TASK_QUEUE: apiTaskQueue,
      ...extraEnv,
    });
    const workers = await createFleetWorkers(config, env.nativeConnection);
    const running = workers.run();
    try {
      const result = await env.client.workflow.execute<typeof healthCheckWorkflow>('healthCheckWorkflow', {
        taskQueue,
        workflowId: uniqueTaskQueue('health'),
        args: [{ caller: 'test', apiTaskQueue }],
      });
      expect(result.workflowWorker).toMatchObject({ greeting: 'hello test', taskQueue, pid: process.pid });
      expect(result.apiWorker).toMatchObject({ greeting: 'hello test', taskQueue: apiTaskQueue });
    } finally {
      workers.shutdown();
      await running;
    }
  }

  it('runs a workflow that calls activities on both task queues and returns their result', async () => {
    await runHealthCheck();
  });

  it('runs from a prebuilt workflow bundle when REPLICA_FLEET_WORKFLOW_BUNDLE is set', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, '..', '..', 'src', 'workflows'),
    });
    const bundlePath = path.join(mkdtempSync(path.join(os.tmpdir(), 'bundle-')), 'workflow-bundle.js');
    writeFileSync(bundlePath, code);
    await runHealthCheck({ REPLICA_FLEET_WORKFLOW_BUNDLE: bundlePath });
  });

  it('applies the tuning variables to both workers', async () => {
    const config = loadWorkerConfig({
      TEMPORAL_ADDRESS: env.address,
      REPLICA_FLEET_TASK_QUEUE: uniqueTaskQueue('tuned'),
      REPLICA_FLEET_API_TASK_QUEUE: uniqueTaskQueue('tuned-api'),
      REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      REPLICA_FLEET_MAX_CACHED_WORKFLOWS: '25',
      REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS: '6',
      REPLICA_FLEET_MAX_CONCURRENT_ACTIVITIES: '7',
      REPLICA_FLEET_WORKFLOW_POLLERS: '3',
      REPLICA_FLEET_ACTIVITY_POLLERS: '2',
      REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: '9',
      REPLICAS_API_RATE_PER_SECOND: '4',
    });
    const workers = await createFleetWorkers(config, env.nativeConnection);
    const running = workers.run();
    workers.shutdown();
    await running;
    const { workflowWorker, apiWorker } = workers;
    expect(workflowWorker.options).toMatchObject({
      maxCachedWorkflows: 25,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 3 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
      tuner: {
        workflowTaskSlotSupplier: { numSlots: 6 },
        activityTaskSlotSupplier: { numSlots: 7 },
      },
    });
    expect(apiWorker.options).toMatchObject({
      maxTaskQueueActivitiesPerSecond: 4,
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
      tuner: { activityTaskSlotSupplier: { numSlots: 9 } },
    });
  });
});
