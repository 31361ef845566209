import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  FailureTypes,
  endedJob,
  type PullRequestRef,
  type ReplicaJobActivities,
  type ReplicaJobInput,
  type ReplicaJobResult,
  type ReplicaJobWorkflowType,
  type ReplicaSnapshot,
  type SendMessageInput,
} from '../../src/contracts';
import '../support/setup-file';
import { startTimeSkippingServer, uniqueTaskQueue } from '../support/temporal';

/**
 * The replica job's workflow on the time-skipping server with its activities stubbed by one small
 * workspace model: each path is a few lines of scenario, and its timers (wake looks, retry backoff)
 * pass in no wall time.
 */

const REPLICA_ID = 'replica-1';
const PR: PullRequestRef = { repository: 'acme/api', number: 7, url: 'https://github.com/acme/api/pull/7' };

/** The platform's side: one workspace, the messages it received and its state. */
class Workspace {
  status: ReplicaSnapshot['status'] = 'active';
  waking = false;
  errorMessage?: string;
  pullRequests: PullRequestRef[] = [];
  readonly received: { message: string; marker?: string }[] = [];
  /** Looks the workspace still answers `waking` after a wake request, before it is active. */
  private looksUntilAwake = 0;

  snapshot(): ReplicaSnapshot {
    if (this.waking && this.looksUntilAwake-- <= 0) {
      this.waking = false;
      this.status = 'active';
    }
    return {
      replicaId: REPLICA_ID,
      status: this.status,
      waking: this.waking,
      processing: false,
      chatCount: this.received.length,
      pullRequests: [...this.pullRequests],
      ...(this.errorMessage !== undefined && { errorMessage: this.errorMessage }),
    };
  }

  /** Like `POST /wake`: refused in error, a no-op unless asleep; the workspace wakes over a few looks. */
  wake(): void {
    if (this.status === 'error')
      throw conflict('wakeReplica', 'wake', 'workspace is in error and cannot be woken');
    if (this.status !== 'sleeping' || this.waking) return;
    this.waking = true;
    this.looksUntilAwake = 1;
  }

  /** Takes a message the way the send endpoint does: 409 while asleep (waking too) or in error. */
  deliver(input: SendMessageInput): void {
    if (this.status === 'sleeping' || this.status === 'error')
      throw conflict('sendMessage', 'messages', `workspace is ${this.status}`);
    this.received.push({ message: input.message, marker: input.marker });
  }

  fail(errorMessage: string): void {
    this.status = 'error';
    this.errorMessage = errorMessage;
  }

  has(marker: string): boolean {
    return this.received.some((m) => m.marker === marker);
  }
}

/** A 409 as the activities raise it: non-retryable and benign, the workflow looks and decides. */
function conflict(call: string, endpoint: string, said: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureTypes.conflict,
    message: `${call} (POST /v1/replica/${REPLICA_ID}/${endpoint}) failed with HTTP 409: ${said}`,
    nonRetryable: true,
    category: ApplicationFailureCategory.BENIGN,
  });
}

interface ActivityCall {
  name: keyof ReplicaJobActivities;
  input: unknown;
  attempt: number;
}

interface Scenario {
  /** What the workspace does during turn `turn`, before the look that finds the turn over. */
  duringTurn?: (turn: number, workspace: Workspace) => void;
  /** Replaces the send stub's delivery, e.g. to lose an answer. */
  send?: (input: SendMessageInput, attempt: number, workspace: Workspace) => Promise<void>;
}

/** One job's side of the stubbed platform: its workspace and the activity calls it made. */
interface StubbedRun {
  workspace: Workspace;
  calls: ActivityCall[];
  named(name: keyof ReplicaJobActivities): ActivityCall[];
}

/**
 * Every activity of the job over a `Workspace`, logging each call with its attempt number. One worker
 * serves the whole file (creating one loads the bundle, which costs more than a job), so each test
 * `begin`s its run: a fresh workspace, log and scenario.
 */
function stubbedPlatform() {
  let run: StubbedRun & { scenario: Scenario; turns: number };
  const record = (name: keyof ReplicaJobActivities, input: unknown) => {
    const { attempt } = Context.current().info;
    run.calls.push({ name, input, attempt });
    return attempt;
  };
  const activities: ReplicaJobActivities = {
    async createReplica(input) {
      record('createReplica', input);
      run.workspace.received.push({ message: input.message });
      return { replicaId: REPLICA_ID, status: 'active', adopted: false, webhookRegistered: false };
    },
    async resumeReplica(input) {
      record('resumeReplica', input);
      return { snapshot: run.workspace.snapshot(), webhookRegistered: false };
    },
    async getReplicaSnapshot(replicaId) {
      record('getReplicaSnapshot', replicaId);
      return run.workspace.snapshot();
    },
    async lookAndFinish(input) {
      record('lookAndFinish', input);
      return { snapshot: run.workspace.snapshot() };
    },
    async pollReplica(input) {
      record('pollReplica', input);
      run.turns += 1;
      run.scenario.duringTurn?.(run.turns, run.workspace);
      return run.workspace.snapshot();
    },
    async sendReplicaMessage(input) {
      const attempt = record('sendReplicaMessage', input);
      // Like the real activity: after a refusal or an unknown outcome, look before sending again.
      if ((input.verifyFirst || attempt > 1) && run.workspace.has(input.marker))
        return { status: 'sent', alreadyDelivered: true };
      if (run.scenario.send) await run.scenario.send(input, attempt, run.workspace);
      else run.workspace.deliver(input);
      return { status: 'sent', alreadyDelivered: false };
    },
    async wakeReplica(replicaId) {
      record('wakeReplica', replicaId);
      run.workspace.wake();
    },
    async findReplicaByName(input) {
      record('findReplicaByName', input);
      return REPLICA_ID;
    },
    async lastAgentMessage(replicaId) {
      record('lastAgentMessage', replicaId);
      return 'nothing to change';
    },
    async deleteReplica(replicaId) {
      record('deleteReplica', replicaId);
      run.workspace.status = 'deleted';
      return { deleted: true };
    },
  };
  return {
    activities,
    begin(scenario: Scenario = {}): StubbedRun {
      const calls: ActivityCall[] = [];
      const named = (name: keyof ReplicaJobActivities) => calls.filter((c) => c.name === name);
      run = { workspace: new Workspace(), calls, named, scenario, turns: 0 };
      return run;
    },
  };
}

describe('replica job workflow, activities stubbed', () => {
  const platform = stubbedPlatform();
  const taskQueue = uniqueTaskQueue('job-unit');
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    env = await startTimeSkippingServer();
    worker = await Worker.create({
      connection: env.nativeConnection,
      // One queue for the workflow and its activities (the input's `apiTaskQueue`).
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: platform.activities,
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  let jobs = 0;
  /** Runs one job to its end: its result, also when it failed (the result is in the failure). */
  async function runJob(): Promise<ReplicaJobResult> {
    jobs += 1;
    const input: ReplicaJobInput = {
      campaignId: 'camp-unit',
      itemKey: `item-${jobs}`,
      environmentId: 'env-1',
      message: 'upgrade the linter',
      followUps: ['now fix the tests'],
      webhooks: false,
      pollIntervalMs: 100,
      apiTaskQueue: taskQueue,
    };
    try {
      return await env.client.workflow.execute<ReplicaJobWorkflowType>('replicaJobWorkflow', {
        taskQueue,
        workflowId: `${input.campaignId}/${input.itemKey}`,
        args: [input],
      });
    } catch (error) {
      const result = error instanceof WorkflowFailedError ? endedJob(error.cause).result : undefined;
      if (!result) throw error;
      return result;
    }
  }

  it('wakes a workspace that refused a follow-up (409, asleep), waits until it is active, and resends once, checking first', async () => {
    const run = platform.begin({
      duringTurn: (turn, w) => {
        // Turn 1 ends and the workspace falls asleep; turn 2 opens the PR.
        if (turn === 1) w.status = 'sleeping';
        if (turn === 2) w.pullRequests.push(PR);
      },
    });

    const result = await runJob();

    expect(result).toMatchObject({ state: 'succeeded', turns: 2, turnsStarted: 2, deleted: true });
    expect(result.prs.map((pr) => pr.url)).toEqual([PR.url]);
    expect(run.calls.map((c) => c.name)).toEqual([
      'createReplica',
      'pollReplica',
      'sendReplicaMessage', // 409: asleep
      'getReplicaSnapshot', // sleeping
      'wakeReplica',
      'getReplicaSnapshot', // still waking
      'getReplicaSnapshot', // active
      'sendReplicaMessage',
      'pollReplica',
      'deleteReplica',
    ]);
    const sends = run.named('sendReplicaMessage').map((c) => c.input as SendMessageInput);
    expect(sends.map((s) => s.verifyFirst)).toEqual([false, true]);
    expect(sends[1]).toMatchObject({ marker: sends[0]?.marker, sinceMs: sends[0]?.sinceMs });
    expect(run.workspace.received.map((m) => m.message)).toEqual(['upgrade the linter', 'now fix the tests']);
  });

  it('aborts the item with the platform message when a refused follow-up finds the workspace in error', async () => {
    const run = platform.begin({
      // The workspace errs between the turns: the follow-up meets a 409.
      async send(input, _attempt, w) {
        w.fail('disk quota exceeded');
        w.deliver(input);
      },
    });

    const result = await runJob();

    expect(result.state).toBe('failed');
    expect(result.error).toBe(`replica ${REPLICA_ID} failed: disk quota exceeded`);
    expect(result).toMatchObject({ turns: 1, turnsStarted: 1, deleted: false });
    expect(run.named('sendReplicaMessage')).toHaveLength(1);
    expect(run.named('wakeReplica')).toHaveLength(0);
    // delete-on-success keeps a failed item's workspace as evidence.
    expect(run.named('deleteReplica')).toHaveLength(0);
    expect(run.workspace.received.map((m) => m.message)).toEqual(['upgrade the linter']);
  });

  it('aborts the item with the platform message when the workspace errs during a turn', async () => {
    const run = platform.begin({ duringTurn: (_turn, w) => w.fail('environment setup failed') });

    const result = await runJob();

    expect(result.state).toBe('failed');
    expect(result.error).toBe(`replica ${REPLICA_ID} failed: environment setup failed`);
    expect(result).toMatchObject({ turns: 0, turnsStarted: 1, deleted: false });
    expect(run.named('sendReplicaMessage')).toHaveLength(0);
  });

  it('retries a follow-up whose answer was lost after it landed: the retried attempt finds it, nothing is sent twice', async () => {
    const run = platform.begin({
      duringTurn: (turn, w) => {
        if (turn === 2) w.pullRequests.push(PR);
      },
      async send(input, attempt, w) {
        w.deliver(input);
        if (attempt === 1)
          throw ApplicationFailure.retryable(
            `sendMessage (POST /v1/replica/${REPLICA_ID}/messages) failed with network: socket hang up`,
            FailureTypes.network,
          );
      },
    });

    const result = await runJob();

    expect(result).toMatchObject({ state: 'succeeded', turns: 2, turnsStarted: 2 });
    // Retried by Temporal, not taken for a refusal: no look or wake between the two attempts.
    expect(run.calls.map((c) => c.name)).toEqual([
      'createReplica',
      'pollReplica',
      'sendReplicaMessage',
      'sendReplicaMessage',
      'pollReplica',
      'deleteReplica',
    ]);
    const sends = run.named('sendReplicaMessage');
    expect(sends.map((c) => c.attempt)).toEqual([1, 2]);
    // The retry is the same call: same marker and turn start, which is what lets it find the message.
    expect(sends[1]?.input).toEqual(sends[0]?.input);
    expect(run.workspace.received.map((m) => m.message)).toEqual(['upgrade the linter', 'now fix the tests']);
  });
});
