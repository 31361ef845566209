import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { sleepForWorkflow } from '../fixtures/timer-workflows';
import { startTimeSkippingServer, uniqueTaskQueue } from '../support/temporal';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('completes a workflow that sleeps 7 days in well under a second of wall time', async () => {
    const taskQueue = uniqueTaskQueue('skip');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: path.join(__dirname, '..', 'fixtures', 'timer-workflows.ts'),
    });
    const serverStart = await env.currentTimeMs();
    const { result, wallMs } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof sleepForWorkflow>('sleepForWorkflow', {
        taskQueue,
        workflowId: uniqueTaskQueue('sleep'),
        args: ['7 days'],
      });
      // Time only: the workflow is already started and its first task done, so bundling is excluded.
      await env.sleep(0);
      const started = performance.now();
      const value = await handle.result();
      return { result: value, wallMs: performance.now() - started };
    });
    const serverElapsedMs = (await env.currentTimeMs()) - serverStart;
    expect(result).toBe('slept 7 days');
    expect(serverElapsedMs).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
    expect(wallMs).toBeLessThan(1000);
  });
});
