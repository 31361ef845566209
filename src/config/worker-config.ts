import { z } from 'zod';
import { CODE_HOST_WRITES_PER_HOUR, TASK_QUEUES } from '../contracts';
import { parseEnv } from './parse-env';
import { TemporalEnvSchema, type TemporalConfig } from './temporal-config';

/** Compose and shell templates pass `${VAR:-}`: an empty value means "not set", not zero. */
const unsetIfEmpty = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

function wholeNumber(min: number, max: number, example: number) {
  const message = `must be a whole number from ${min} to ${max}, e.g. ${example}`;
  return z.preprocess(
    unsetIfEmpty,
    z.coerce.number({ error: message }).int(message).min(min, message).max(max, message).optional(),
  );
}

/** Documented, with its defaults, in the README's "Configuration (worker)" table. */
const WorkerEnvSchema = z
  .object({
    REPLICA_FLEET_TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.workflows),
    REPLICA_FLEET_API_TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.api),
    /** Global cap on Replicas API calls per second, enforced by the Temporal server across all workers. */
    REPLICAS_API_RATE_PER_SECOND: z.preprocess(
      unsetIfEmpty,
      z.coerce
        .number({ error: 'must be a positive number of requests per second, e.g. 10' })
        .positive('must be a positive number of requests per second, e.g. 10')
        .default(10),
    ),
    /** Bulk actions' writes to GitHub per hour, across all workers (GitHub allows 500 content-creating requests an hour). */
    GITHUB_WRITES_PER_HOUR: z.preprocess(
      unsetIfEmpty,
      z.coerce
        .number({ error: 'must be a positive number of requests per hour, e.g. 500' })
        .positive('must be a positive number of requests per hour, e.g. 500')
        .default(CODE_HOST_WRITES_PER_HOUR),
    ),
    REPLICA_FLEET_WORKFLOW_BUNDLE: z.preprocess(unsetIfEmpty, z.string().min(1).optional()),
    REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: wholeNumber(1, 10_000, 100),
    /** Unset: the SDK sizes the cache from the heap limit. 0 turns caching (and sticky queues) off. */
    REPLICA_FLEET_MAX_CACHED_WORKFLOWS: wholeNumber(0, 1_000_000, 2000),
    REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS: wholeNumber(2, 10_000, 40),
    REPLICA_FLEET_MAX_CONCURRENT_ACTIVITIES: wholeNumber(1, 10_000, 100),
    REPLICA_FLEET_WORKFLOW_POLLERS: wholeNumber(2, 1_000, 10),
    REPLICA_FLEET_ACTIVITY_POLLERS: wholeNumber(1, 1_000, 10),
    REPLICA_FLEET_METRICS_PORT: wholeNumber(0, 65_535, 9464),
    REPLICA_FLEET_METRICS_HOST: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .regex(/^[^\s/]+$/, 'must be an address to bind, e.g. 127.0.0.1 or 0.0.0.0')
        .default('127.0.0.1'),
    ),
  })
  .transform((env) => {
    const maxWorkflowTasks = env.REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS ?? 40;
    const maxActivities = env.REPLICA_FLEET_MAX_CONCURRENT_ACTIVITIES ?? 100;
    const maxApiActivities = env.REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES ?? 100;
    return {
      ...env,
      maxWorkflowTasks,
      maxActivities,
      maxApiActivities,
      // The SDK's own defaults, spelled out so the bounds below can be checked against them.
      workflowPollers: env.REPLICA_FLEET_WORKFLOW_POLLERS ?? Math.min(10, maxWorkflowTasks),
      activityPollers: env.REPLICA_FLEET_ACTIVITY_POLLERS ?? Math.min(10, maxActivities, maxApiActivities),
    };
  })
  .superRefine((env, ctx) => {
    // The SDK refuses these combinations at Worker.create; saying so here names the variables.
    if (env.workflowPollers > env.maxWorkflowTasks) {
      ctx.addIssue({
        code: 'custom',
        path: ['REPLICA_FLEET_WORKFLOW_POLLERS'],
        message: `must not exceed REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS (${env.maxWorkflowTasks}); lower it or raise that`,
      });
    }
    const activitySlots = Math.min(env.maxActivities, env.maxApiActivities);
    if (env.activityPollers > activitySlots) {
      ctx.addIssue({
        code: 'custom',
        path: ['REPLICA_FLEET_ACTIVITY_POLLERS'],
        message:
          `must not exceed REPLICA_FLEET_MAX_CONCURRENT_ACTIVITIES or REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES ` +
          `(${activitySlots}); lower it or raise those`,
      });
    }
  });

export interface WorkerTuning {
  /** Undefined: the SDK's heap-based default. */
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTasks: number;
  maxConcurrentActivities: number;
  workflowPollers: number;
  activityPollers: number;
}

export interface WorkerConfig {
  temporal: TemporalConfig;
  taskQueue: string;
  apiTaskQueue: string;
  apiRatePerSecond: number;
  /** Bulk actions' code-host writes per second, enforced by the Temporal server on their own queue. */
  codeHostWritesPerSecond: number;
  maxConcurrentApiActivities: number;
  workflowBundlePath?: string;
  tuning: WorkerTuning;
  /** Where `/metrics`, `/healthz` and `/readyz` are served; port 0 picks a free one. */
  metrics: { host: string; port: number };
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const temporal = parseEnv(TemporalEnvSchema, env, 'Temporal');
  const worker = parseEnv(WorkerEnvSchema, env, 'worker');
  return {
    temporal,
    taskQueue: worker.REPLICA_FLEET_TASK_QUEUE,
    apiTaskQueue: worker.REPLICA_FLEET_API_TASK_QUEUE,
    apiRatePerSecond: worker.REPLICAS_API_RATE_PER_SECOND,
    codeHostWritesPerSecond: worker.GITHUB_WRITES_PER_HOUR / 3600,
    maxConcurrentApiActivities: worker.maxApiActivities,
    workflowBundlePath: worker.REPLICA_FLEET_WORKFLOW_BUNDLE,
    tuning: {
      maxCachedWorkflows: worker.REPLICA_FLEET_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: worker.maxWorkflowTasks,
      maxConcurrentActivities: worker.maxActivities,
      workflowPollers: worker.workflowPollers,
      activityPollers: worker.activityPollers,
    },
    metrics: { host: worker.REPLICA_FLEET_METRICS_HOST, port: worker.REPLICA_FLEET_METRICS_PORT ?? 9464 },
  };
}
