import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CampaignHeader, ShardGrant, ShardReport } from '../../src/contracts';
import { CampaignBook, type CampaignCarry } from '../../src/policy/campaign-book';
import { shardReportSignal } from '../../src/workflows/campaign/messages';
import { shardGrantSignal } from '../../src/workflows/shard/messages';
import type { campaignWorkflow } from '../../src/workflows/campaign/workflow';
import { shardReport } from '../fixtures/shard-reports';
import { eventually } from '../support/eventually';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal';

const header: CampaignHeader = { job: { message: 'm' }, concurrency: 40 };

/** A campaign of two started shards, as a continue-as-new would carry it: no apply, no activities. */
function twoShards(): CampaignCarry {
  const book = CampaignBook.create(header, '2026-11-24T00:00:00.000Z');
  book.beginApply(header, 2000);
  book.finishApply();
  for (const shard of book.carried.shards) shard.started = true;
  book.acceptReport(report(0, 1, 0, { running: 20, pending: 3 }));
  book.acceptReport(report(1, 1, 0, { running: 16, pending: 0 }));
  book.nextGrants();
  book.acceptReport(report(0, 2, 1, { running: 20, pending: 3 }));
  book.acceptReport(report(1, 2, 1, { running: 16, pending: 0 }));
  return book.carried;
}

const report = (index: number, seq: number, grantSeq: number, counts: { running: number; pending: number }) =>
  shardReport(index, { seq, grantSeq, counts });

// Shard 1 finished an item, then shard 0 had started its last pending ones (the reports of the history
// that once failed to replay: test/replay/diverging/campaign-chaos-grants-event-126.json).
const reportA = report(1, 3, 1, { running: 15, pending: 0 });
const reportB = report(0, 3, 1, { running: 21, pending: 0 });

type SentGrant = { shard: number; grant: ShardGrant };

/** The grants the campaign's policy sends at the start, then after each group of reports it sees at once. */
function policyGrants(groups: ShardReport[][]): SentGrant[][] {
  const book = new CampaignBook(structuredClone(twoShards()));
  const sent = [book.nextGrants()];
  for (const group of groups) {
    for (const r of group) book.acceptReport(r);
    sent.push(book.nextGrants());
  }
  return sent.map((grants) => grants.map(({ index, grant }) => ({ shard: index, grant })));
}

type Handle = WorkflowHandle<typeof campaignWorkflow>;

/** The grant signals the campaign sent, in history order, from its history. */
async function grantsSent(handle: Handle): Promise<SentGrant[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const attrs = event.signalExternalWorkflowExecutionInitiatedEventAttributes;
    const payload = attrs?.input?.payloads?.[0];
    if (attrs?.signalName !== shardGrantSignal.name || !payload) return [];
    return [
      {
        shard: Number(attrs.workflowExecution?.workflowId?.split('/shard-')[1]),
        grant: defaultPayloadConverter.fromPayload<ShardGrant>(payload),
      },
    ];
  });
}

/**
 * Whether the campaign has handled `reports` report signals and has nothing left to do: no workflow task
 * scheduled after the last one completed, and every grant it sent answered (a grant to a shard that does
 * not exist fails, and that failure wakes a task of its own). Signals that arrive while a task runs are
 * written to history only when it ends, so they are counted, not inferred from a completed task.
 */
async function idleAfter(handle: Handle, reports: number): Promise<boolean> {
  const events = (await handle.fetchHistory()).events ?? [];
  const ids = (pick: (e: (typeof events)[number]) => unknown) =>
    events.filter(pick).map((e) => Number(e.eventId));
  const completed = Math.max(0, ...ids((e) => e.workflowTaskCompletedEventAttributes));
  const signaled = ids((e) => e.workflowExecutionSignaledEventAttributes);
  const grantsAnswered =
    ids((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length ===
    ids(
      (e) =>
        e.signalExternalWorkflowExecutionFailedEventAttributes ??
        e.externalWorkflowExecutionSignaledEventAttributes,
    ).length;
  return (
    signaled.length === reports &&
    signaled.every((id) => id < completed) &&
    !ids((e) => e.workflowTaskScheduledEventAttributes).some((id) => id > completed) &&
    grantsAnswered
  );
}

async function taskStartedBetweenReports(handle: Handle): Promise<boolean> {
  const events = (await handle.fetchHistory()).events ?? [];
  const [a = 0, b = 0] = events
    .filter((e) => e.workflowExecutionSignaledEventAttributes)
    .map((e) => Number(e.eventId));
  return events.some(
    (e) => e.workflowTaskStartedEventAttributes && Number(e.eventId) > a && Number(e.eventId) < b,
  );
}

describe('a campaign sends the same commands however its signals are grouped into workflow tasks', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectToDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const worker = (taskQueue: string) =>
    Worker.create({
      connection: env.nativeConnection,
      namespace: inject('temporalNamespace'),
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
  const start = (taskQueue: string) =>
    env.client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue,
      workflowId: uniqueTaskQueue('grouping'),
      args: [{ header, carry: twoShards() }],
    });

  it('the policy grants after each of the two reports, and differently when it sees both at once', () => {
    const [, afterA, afterB] = policyGrants([[reportA], [reportB]]);
    expect(afterA).not.toHaveLength(0);
    expect(afterB).not.toHaveLength(0);
    // The difference that made a history fail to replay: two reports seen together grant otherwise.
    expect(policyGrants([[reportA, reportB]]).flat()).not.toEqual(
      policyGrants([[reportA], [reportB]]).flat(),
    );
  });

  it('two reports in one workflow task grant as they do one task apart, and both replay', async () => {
    const expected = policyGrants([[reportA], [reportB]]).flat();

    // One task apart: each report is handled before the next is sent.
    const apartQueue = uniqueTaskQueue('grouping-apart');
    const apart = await start(apartQueue);
    await (
      await worker(apartQueue)
    ).runUntil(async () => {
      await eventually(() => idleAfter(apart, 0));
      for (const [i, r] of [reportA, reportB].entries()) {
        await apart.signal(shardReportSignal, r);
        await eventually(() => idleAfter(apart, i + 1));
      }
    });

    // Together: both reports are sent while no worker polls, so one workflow task carries them.
    const togetherQueue = uniqueTaskQueue('grouping-together');
    const together = await start(togetherQueue);
    await (await worker(togetherQueue)).runUntil(eventually(() => idleAfter(together, 0)));
    await together.signal(shardReportSignal, reportA);
    await together.signal(shardReportSignal, reportB);
    await (await worker(togetherQueue)).runUntil(eventually(() => idleAfter(together, 2)));
    // Apart, a workflow task started between the two reports; together, none did.
    expect(await taskStartedBetweenReports(apart)).toBe(true);
    expect(await taskStartedBetweenReports(together)).toBe(false);
    expect(await grantsSent(apart)).toEqual(expected);
    expect(await grantsSent(together)).toEqual(expected);
    for (const handle of [apart, together]) {
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        await handle.fetchHistory(),
        handle.workflowId,
      );
      await handle.terminate('test done');
    }
  }, 60_000);
});
