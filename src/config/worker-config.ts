import { z } from 'zod';
import { TASK_QUEUES } from '../contracts';
import { parseEnv } from './parse-env';
import { TemporalEnvSchema, type TemporalConfig } from './temporal-config';

const WorkerEnvSchema = z.object({
  REPLICA_FLEET_TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.workflows),
  REPLICA_FLEET_API_TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.api),
  /** Global cap on Replicas API calls per second, enforced by the Temporal server across all workers. */
  REPLICAS_API_RATE_PER_SECOND: z.coerce
    .number()
    .positive('must be a positive number of requests per second, e.g. 10')
    .default(10),
  REPLICA_FLEET_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: z.coerce.number().int().positive().default(100),
});

export interface WorkerConfig {
  temporal: TemporalConfig;
  taskQueue: string;
  apiTaskQueue: string;
  apiRatePerSecond: number;
  maxConcurrentApiActivities: number;
  workflowBundlePath?: string;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const temporal = parseEnv(TemporalEnvSchema, env, 'Temporal');
  const worker = parseEnv(WorkerEnvSchema, env, 'worker');
  return {
    temporal,
    taskQueue: worker.REPLICA_FLEET_TASK_QUEUE,
    apiTaskQueue: worker.REPLICA_FLEET_API_TASK_QUEUE,
    apiRatePerSecond: worker.REPLICAS_API_RATE_PER_SECOND,
    maxConcurrentApiActivities: worker.REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES,
    workflowBundlePath: worker.REPLICA_FLEET_WORKFLOW_BUNDLE,
  };
}
