import { Context } from '@temporalio/activity';
import os from 'node:os';

export interface WorkerHealth {
  greeting: string;
  host: string;
  pid: number;
  taskQueue: string;
}

export function createHealthActivities() {
  return {
    async reportWorkerHealth(caller: string): Promise<WorkerHealth> {
      return {
        greeting: `hello ${caller}`,
        host: os.hostname(),
        pid: process.pid,
        taskQueue: Context.current().info.taskQueue,
      };
    },
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
