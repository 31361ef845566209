import type { Client } from '@temporalio/client';

type Event = Record<string, unknown> & {
  activityTaskStartedEventAttributes?: { attempt?: number | null } | null;
};

/**
 * Billable Temporal actions in a history, as Temporal Cloud counts them: a workflow started (or
 * continued as new), activities started (each attempt), timers started, signals received and sent,
 * search-attribute upserts, child workflows started, updates accepted and markers.
 */
export function actionsIn(events: Event[]): number {
  let actions = 0;
  for (const event of events) {
    if (event.workflowExecutionStartedEventAttributes) actions += 1;
    else if (event.activityTaskStartedEventAttributes) actions += 1;
    else if (event.timerStartedEventAttributes) actions += 1;
    else if (event.workflowExecutionSignaledEventAttributes) actions += 1;
    else if (event.signalExternalWorkflowExecutionInitiatedEventAttributes) actions += 1;
    else if (event.upsertWorkflowSearchAttributesEventAttributes) actions += 1;
    else if (event.startChildWorkflowExecutionInitiatedEventAttributes) actions += 1;
    else if (event.workflowExecutionUpdateAcceptedEventAttributes) actions += 1;
    else if (event.markerRecordedEventAttributes) actions += 1;
  }
  return actions;
}

/** How many events of each kind a workflow's history holds (its latest run). */
export async function historyCounts(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = (history.events ?? []) as Event[];
  const count = (key: string) => events.filter((e) => e[key]).length;
  return {
    events: events.length,
    actions: actionsIn(events),
    workflowTasks: count('workflowTaskCompletedEventAttributes'),
    activities: count('activityTaskScheduledEventAttributes'),
    timers: count('timerStartedEventAttributes'),
    signals: count('workflowExecutionSignaledEventAttributes'),
    children: count('startChildWorkflowExecutionInitiatedEventAttributes'),
  };
}

/** Events and actions over every run of a workflow id (continue-as-new makes several). */
export async function allRuns(
  client: Client,
  workflowId: string,
): Promise<{ events: number; actions: number; runs: number }> {
  const total = { events: 0, actions: 0, runs: 0 };
  const query = `WorkflowId = '${workflowId}'`;
  for await (const execution of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    const events = (history.events ?? []) as Event[];
    total.events += events.length;
    total.actions += actionsIn(events);
    total.runs += 1;
  }
  return total;
}
