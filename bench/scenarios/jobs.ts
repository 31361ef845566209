import { apiCalls, startBenchJob, startBenchStack } from '../harness';
import { historyCounts } from '../histories';

export type Figures = Record<string, number | string>;

/** Polling cost of one job: the long-poll activity against a timer plus an activity per look. */
export async function pollingCost(): Promise<Figures> {
  const turnMs = 6000;
  const pollIntervalMs = 250;
  const stack = await startBenchStack({ timings: { provisionMs: 100, turnMs } });
  try {
    const handle = await startBenchJob(stack, 'polling', { webhooks: false, pollIntervalMs });
    await handle.result();
    const workflowId = handle.workflowId;
    const history = await historyCounts(stack.client, workflowId);
    const gets = stack.simulator.stats().requests['GET /v1/replica/:id'] ?? {};
    const looks = Object.values(gets).reduce((a, b) => a + b, 0);
    // The alternative schedules one timer and one activity per look (2 actions, ~5 history events).
    return {
      turnMs,
      pollIntervalMs,
      apiGets: looks,
      longPollActivities: history.activities,
      longPollTimers: history.timers,
      longPollHistoryEvents: history.events,
      timerPlusActivityActionsForSameLooks: 2 * looks + (history.activities - 1),
      timerPlusActivityHistoryEventsEstimate: history.events + 5 * looks - 6,
    };
  } finally {
    await stack.close();
  }
}

/** API calls and history of one job on the webhook happy path. */
export async function webhookHappyPath(): Promise<Figures> {
  const stack = await startBenchStack({
    timings: { provisionMs: 100, turnMs: 1000 },
    behaviour: { prProbability: 1 },
  });
  try {
    const started = performance.now();
    const handle = await startBenchJob(stack, 'webhook');
    const result = await handle.result();
    const workflowId = handle.workflowId;
    const history = await historyCounts(stack.client, workflowId);
    return {
      state: result.state,
      apiCalls: apiCalls(stack),
      temporalActions: history.actions,
      workflowTasks: history.workflowTasks,
      activities: history.activities,
      timers: history.timers,
      signals: history.signals,
      historyEvents: history.events,
      wallMs: Math.round(performance.now() - started),
    };
  } finally {
    await stack.close();
  }
}
