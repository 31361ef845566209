import { ScheduleOverlapPolicy, type Client, type ScheduleHandle } from '@temporalio/client';
import type { CampaignSpec } from '../contracts';

export const OVERLAP_POLICIES = [
  'skip',
  'buffer_one',
  'buffer_all',
  'cancel_other',
  'terminate_other',
  'allow_all',
] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export interface CampaignScheduleOptions {
  scheduleId: string;
  spec: CampaignSpec;
  taskQueue: string;
  /** Cron expressions (e.g. `0 9 * * 1-5`), or an interval such as `24h`; at least one of them. */
  cron?: string[];
  every?: string;
  /** What to do when a run is still going at the next time: `skip` (default) leaves it alone. */
  overlap?: OverlapPolicy;
  /** How far back missed runs are caught up after an outage (default 1 hour). */
  catchupWindow?: string;
}

/**
 * A Temporal Schedule that starts a campaign from a stored spec. Each run's workflow id is the
 * schedule's id plus the fire time, so every run is its own campaign with its own item ids.
 */
export async function createCampaignSchedule(
  client: Client,
  options: CampaignScheduleOptions,
): Promise<ScheduleHandle> {
  if (!options.cron?.length && !options.every) {
    throw new Error(
      'a campaign schedule needs --cron "<expression>" or --every <interval>, e.g. --every 24h',
    );
  }
  const { items, ...header } = options.spec;
  return client.schedule.create({
    scheduleId: options.scheduleId,
    spec: {
      ...(options.cron?.length && { cronExpressions: options.cron }),
      ...(options.every && { intervals: [{ every: options.every as `${number}h` }] }),
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'campaignWorkflow',
      workflowId: `${options.scheduleId}-run`,
      taskQueue: options.taskQueue,
      args: [{ header, selfApply: true, initialItems: items }],
    },
    policies: {
      overlap:
        ScheduleOverlapPolicy[
          (options.overlap ?? 'skip').toUpperCase() as keyof typeof ScheduleOverlapPolicy
        ],
      catchupWindow: (options.catchupWindow ?? '1 hour') as '1 hour',
    },
  });
}
