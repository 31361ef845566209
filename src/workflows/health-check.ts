import { proxyActivities } from '@temporalio/workflow';
import type { HealthActivities, WorkerHealth } from '../activities/health';

export interface HealthCheckInput {
  caller: string;
  /** The Replicas API activity queue; checked too so a deployment missing its API worker is caught. */
  apiTaskQueue: string;
}

export interface HealthCheckResult {
  workflowWorker: WorkerHealth;
  apiWorker: WorkerHealth;
}

/** Round trip through a workflow task and an activity task on each queue: proves a deployment is wired. */
export async function healthCheckWorkflow(input: HealthCheckInput): Promise<HealthCheckResult> {
  const local = proxyActivities<HealthActivities>({ startToCloseTimeout: '30 seconds' });
  const api = proxyActivities<HealthActivities>({
    startToCloseTimeout: '30 seconds',
    taskQueue: input.apiTaskQueue,
  });
  const [workflowWorker, apiWorker] = await Promise.all([
    local.reportWorkerHealth(input.caller),
    api.reportWorkerHealth(input.caller),
  ]);
  return { workflowWorker, apiWorker };
}
