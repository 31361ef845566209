import { runWorker } from '../../worker';
import { EXIT, command } from '../command';

export const workerCommand = command({
  name: 'worker',
  summary: 'run the workers against TEMPORAL_ADDRESS (production)',
  help: `Usage: replica-fleet worker

Runs both workers: workflows on REPLICA_FLEET_TASK_QUEUE and Replicas API activities on
REPLICA_FLEET_API_TASK_QUEUE (rate-limited across every worker). Drains in-flight tasks on
SIGINT/SIGTERM. Configuration comes from the environment (see the README).

Example:
  TEMPORAL_ADDRESS=127.0.0.1:7233 REPLICAS_API_KEY=... replica-fleet worker`,
  async run() {
    await runWorker();
    return EXIT.ok;
  },
});
