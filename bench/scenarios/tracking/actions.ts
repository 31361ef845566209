import type { Client } from '@temporalio/client';
import { SHARD_LIMITS } from '../../../src/contracts';
import { actionsIn } from '../../histories';

type Long = { toString(): string } | number | null | undefined;
type Stamp = { seconds?: Long; nanos?: number | null } | null | undefined;
type Event = Record<string, unknown> & {
  eventId?: Long;
  eventTime?: Stamp;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: Long; attempt?: number | null } | null;
  timerStartedEventAttributes?: { startToFireTimeout?: Stamp } | null;
  workflowExecutionSignaledEventAttributes?: { signalName?: string | null } | null;
};

const ms = (stamp: Stamp) => Number(String(stamp?.seconds ?? 0)) * 1000 + (stamp?.nanos ?? 0) / 1e6;

/** Every event of every run of a workflow id (continue-as-new makes several). */
async function eventsOf(client: Client, workflowId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    events.push(...((history.events ?? []) as Event[]));
  }
  return events;
}

/** Activities a shard runs to follow PRs (deleting a kept workspace once its PR settles is one). */
const TRACKING_ACTIVITIES = new Set(['readChanges', 'decorateChange', 'deleteReplica']);
/** Kinds of action only following PRs takes, while items still run beside it. */
const TRACKING_KINDS = new Set([
  ...[...TRACKING_ACTIVITIES].map((name) => `activity ${name}`),
  'timer sweep',
  'timer job-end reads',
  'signal pullRequestHint',
  'search attributes',
]);

/** What one action is, e.g. `activity readChanges`, `timer sweep`, `signal pullRequestHint`. */
function kindOf(event: Event, scheduled: Map<string, string>, sweepMs: number): string {
  const started = event.activityTaskStartedEventAttributes;
  if (started) return `activity ${scheduled.get(String(started.scheduledEventId)) ?? '?'}`;
  const timer = event.timerStartedEventAttributes;
  if (timer) {
    const fires = ms(timer.startToFireTimeout);
    if (fires === sweepMs) return 'timer sweep';
    if (fires === SHARD_LIMITS.jobEndReadDelayMs) return 'timer job-end reads';
    return 'timer other';
  }
  const signal = event.workflowExecutionSignaledEventAttributes;
  if (signal) return `signal ${signal.signalName ?? '?'}`;
  if (event.signalExternalWorkflowExecutionInitiatedEventAttributes) return 'signal sent';
  if (event.upsertWorkflowSearchAttributesEventAttributes) return 'search attributes';
  if (event.markerRecordedEventAttributes) return 'marker';
  if (event.workflowExecutionStartedEventAttributes) return 'run started';
  return 'other';
}

const add = (counts: Record<string, number>, kind: string) => {
  counts[kind] = (counts[kind] ?? 0) + 1;
};
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * Temporal actions of following PRs, from the histories of the shards and the campaign. While items
 * still run (before `quietFromMs`) only the kinds that tracking alone takes count: reads, decorations
 * and workspace deletions (each attempt), the sweep timer and the one grouping the reads of ending jobs,
 * the ingress's `pullRequestHint` signals and search-attribute upserts. From `quietFromMs` on nothing
 * but tracking happens, so every action counts, progress reports and continue-as-new included; those
 * are also split by window: the quiet sweeps, and the window of changes.
 */
export async function trackingActions(
  client: Client,
  workflowIds: { campaign: string; shards: string[] },
  windows: { quietFromMs: number; sweeps: [number, number]; changes: [number, number]; sweepMs: number },
) {
  const whileItemsRan: Record<string, number> = {};
  const afterItems: Record<string, number> = {};
  const inSweeps: Record<string, number> = {};
  const inChanges: Record<string, number> = {};
  let shardRuns = 0;
  const within = (at: number, [from, to]: [number, number]) => at >= from && at < to;
  for (const id of [workflowIds.campaign, ...workflowIds.shards]) {
    const events = await eventsOf(client, id);
    const isShard = id !== workflowIds.campaign;
    if (isShard) shardRuns += events.filter((e) => e.workflowExecutionStartedEventAttributes).length;
    const scheduled = new Map<string, string>();
    for (const event of events) {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name) scheduled.set(String(event.eventId), name);
      if (actionsIn([event]) === 0) continue;
      const kind = kindOf(event, scheduled, windows.sweepMs);
      const at = ms(event.eventTime);
      if (at < windows.quietFromMs) {
        if (isShard && TRACKING_KINDS.has(kind)) add(whileItemsRan, kind);
        continue;
      }
      add(afterItems, kind);
      if (within(at, windows.sweeps)) add(inSweeps, kind);
      if (within(at, windows.changes)) add(inChanges, kind);
    }
  }
  return {
    whileItemsRan: sum(whileItemsRan),
    whileItemsRanByKind: whileItemsRan,
    afterItems: sum(afterItems),
    afterItemsByKind: afterItems,
    inSweeps: sum(inSweeps),
    inChanges: sum(inChanges),
    shardRuns,
  };
}
