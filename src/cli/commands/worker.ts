import { ConfigError } from '../../config/parse-env';
import { logger } from '../../observability/logger';
import { runWorker } from '../../worker';
import { EXIT, command } from '../command';

/**
 * Runs a long-lived process (worker, ingress) whose every line is a log line: a configuration error
 * (exit 2) or a crash (exit 1) is logged too, so a log collector parses the last line like the others.
 */
export async function runService(component: string, run: () => Promise<void>): Promise<number> {
  try {
    await run();
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ConfigError) {
      logger(component).error(error.message);
      return EXIT.usage;
    }
    logger(component).error('stopped on an error', { error });
    return EXIT.failed;
  }
}

export const workerCommand = command({
  name: 'worker',
  summary: 'run the workers against TEMPORAL_ADDRESS (production)',
  help: `Usage: replica-fleet worker

Runs both workers: workflows on REPLICA_FLEET_TASK_QUEUE and Replicas API activities on
REPLICA_FLEET_API_TASK_QUEUE (rate-limited across every worker). Serves GET /metrics (Prometheus:
the Temporal SDK's series and replica-fleet's), /healthz and /readyz on REPLICA_FLEET_METRICS_HOST:
REPLICA_FLEET_METRICS_PORT (default 127.0.0.1:9464). Logs one JSON object per line unless on a
terminal (LOG_LEVEL, LOG_FORMAT). Drains in-flight tasks on SIGINT/SIGTERM.

Configuration comes from the environment (see the README, "Configuration (worker)"). An invalid or
missing variable (e.g. an empty REPLICAS_API_KEY) stops it at once with exit code 2, naming the
variable and the fix.

Example:
  TEMPORAL_ADDRESS=127.0.0.1:7233 REPLICAS_API_KEY=... replica-fleet worker`,
  run: () => runService('worker', () => runWorker()),
});
