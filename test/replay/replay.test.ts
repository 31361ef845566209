import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readHistories } from '../support/history-files';

const histories = readHistories(path.join(__dirname, 'histories'));
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * Workflows in flight when a new worker version starts must replay on the new code. Each saved history
 * (recorded by `npm run histories:refresh`) is replayed against the current workflow bundle.
 */
describe('saved histories replay on the current workflow code', () => {
  it('has histories of every workflow to replay', () => {
    const types = histories.map(
      (h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name,
    );
    expect(new Set(types)).toEqual(new Set(['replicaJobWorkflow', 'campaignWorkflow', 'shardWorkflow']));
  });

  it.each(histories.map((h) => [h.name, h] as const))('%s', async (_name, saved) => {
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      saved.history,
      saved.workflowId,
    );
  });
});

describe('the replay test catches a change that breaks running workflows', () => {
  const job = histories.find((h) => h.name === 'job-webhook-follow-up');
  const bundle = (file: string) =>
    bundleWorkflowCode({
      workflowsPath: path.join(__dirname, '..', 'fixtures', 'workflow-changes', file),
      logger: quiet,
    });

  it('fails on a change made without patched()', async () => {
    const { code } = await bundle('unguarded.ts');
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code } }, job!.history, job!.workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 60_000);

  it('passes on the same change guarded by patched()', async () => {
    const { code } = await bundle('patched.ts');
    await Worker.runReplayHistory({ workflowBundle: { code } }, job!.history, job!.workflowId);
  }, 60_000);
});
