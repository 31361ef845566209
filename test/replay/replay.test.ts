import { Worker } from '@temporalio/worker';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readHistories } from '../support/history-files';

const histories = readHistories(path.join(__dirname, 'histories'));

/**
 * Workflows in flight when a new worker version starts must replay on the new code. Each saved history
 * (recorded by `npm run histories:refresh`) is replayed against the current workflow bundle.
 */
describe('saved histories replay on the current workflow code', () => {
  it('has histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories.map((h) => [h.name, h] as const))('%s', async (_name, saved) => {
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      saved.history,
      saved.workflowId,
    );
  });
});
