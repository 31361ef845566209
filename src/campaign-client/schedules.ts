import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
} from '@temporalio/client';
import type { CampaignSpec } from '../contracts';
import { cronProblem, intervalProblem } from './schedule-specs';

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
  /** The spec file, recorded for `schedule list` and `describe`. */
  specFile?: string;
}

/** What a campaign schedule records about itself, in the words it was created with. */
export type ScheduleMemo = {
  cron?: string[];
  every?: string;
  specFile?: string;
  name?: string;
};

/** Why the timing of a schedule is wrong (naming the flag), or undefined when it is fine. */
export function scheduleSpecProblem(options: {
  cron?: string[];
  every?: string;
  catchupWindow?: string;
}): string | undefined {
  if (!options.cron?.length && !options.every)
    return 'a campaign schedule needs --cron "<expression>" or --every <interval>, e.g. --every 24h';
  for (const expression of options.cron ?? []) {
    const problem = cronProblem(expression);
    if (problem) return `--cron "${expression}": ${problem}`;
  }
  const every = options.every === undefined ? undefined : intervalProblem(options.every);
  if (every) return `--every "${options.every}": ${every}`;
  const catchup = options.catchupWindow === undefined ? undefined : intervalProblem(options.catchupWindow);
  if (catchup) return `--catchup "${options.catchupWindow}": ${catchup}`;
  return undefined;
}

/**
 * A Temporal Schedule that starts a campaign from a stored spec. Each run's workflow id is the
 * schedule's id plus the fire time, so every run is its own campaign with its own item ids.
 */
export async function createCampaignSchedule(
  client: Client,
  options: CampaignScheduleOptions,
): Promise<ScheduleHandle> {
  const problem = scheduleSpecProblem(options);
  if (problem) throw new Error(problem);
  const { items, ...header } = options.spec;
  const memo: ScheduleMemo = {
    ...(options.cron?.length && { cron: options.cron }),
    ...(options.every && { every: options.every }),
    ...(options.specFile && { specFile: options.specFile }),
    ...(options.spec.name && { name: options.spec.name }),
  };
  return client.schedule.create({
    scheduleId: options.scheduleId,
    memo,
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

/** A campaign schedule as `schedule list` and `describe` show it; `--json` prints these. */
export interface CampaignScheduleView {
  scheduleId: string;
  name?: string;
  paused: boolean;
  note?: string;
  cron?: string[];
  every?: string;
  specFile?: string;
  nextRuns: string[];
  /** Latest runs first: each is a campaign of its own. */
  recentRuns: { scheduledAt: string; campaignId: string }[];
}

export interface CampaignScheduleDescription extends CampaignScheduleView {
  overlap: string;
  catchupWindowMs: number;
  runsTaken: number;
  runsSkippedForOverlap: number;
  createdAt: string;
}

/** A schedule id nobody knows: named plainly, with what to do. */
export class UnknownScheduleError extends Error {
  constructor(readonly scheduleId: string) {
    super(
      `no schedule "${scheduleId}" in this namespace; 'replica-fleet campaign schedule list' shows the schedules`,
    );
    this.name = 'UnknownScheduleError';
  }
}

function view(
  scheduleId: string,
  memo: Record<string, unknown> | undefined,
  state: { paused: boolean; note?: string },
  info: {
    nextActionTimes: Date[];
    recentActions: { scheduledAt: Date; action: { workflow: { workflowId: string } } }[];
  },
): CampaignScheduleView {
  const m = (memo ?? {}) as ScheduleMemo;
  return {
    scheduleId,
    ...(m.name && { name: m.name }),
    paused: state.paused,
    ...(state.note && { note: state.note }),
    ...(m.cron && { cron: m.cron }),
    ...(m.every && { every: m.every }),
    ...(m.specFile && { specFile: m.specFile }),
    nextRuns: info.nextActionTimes.map((d) => d.toISOString()),
    recentRuns: [...info.recentActions].reverse().map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      campaignId: a.action.workflow.workflowId,
    })),
  };
}

/** Schedules that start campaigns (others in the namespace are left out). */
export async function listCampaignSchedules(client: Client): Promise<CampaignScheduleView[]> {
  const out: CampaignScheduleView[] = [];
  for await (const s of client.schedule.list()) {
    if (s.action?.type !== 'startWorkflow' || s.action.workflowType !== 'campaignWorkflow') continue;
    out.push(view(s.scheduleId, s.memo, s.state, s.info));
  }
  return out.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/** Runs `fn` on a schedule's handle; an unknown id becomes an `UnknownScheduleError`. */
export async function onSchedule<T>(
  client: Client,
  scheduleId: string,
  fn: (handle: ScheduleHandle) => Promise<T>,
): Promise<T> {
  try {
    return await fn(client.schedule.getHandle(scheduleId));
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new UnknownScheduleError(scheduleId);
    throw error;
  }
}

export async function describeCampaignSchedule(
  client: Client,
  scheduleId: string,
): Promise<CampaignScheduleDescription> {
  const d = await onSchedule(client, scheduleId, (handle) => handle.describe());
  return {
    ...view(d.scheduleId, d.memo, d.state, d.info),
    overlap: String(d.policies.overlap).toLowerCase(),
    catchupWindowMs: d.policies.catchupWindow,
    runsTaken: d.info.numActionsTaken,
    runsSkippedForOverlap: d.info.numActionsSkippedOverlap,
    createdAt: d.info.createdAt.toISOString(),
  };
}
