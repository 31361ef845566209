/**
 * Records the histories the replay test replays: representative runs of every workflow, made by the
 * current code on a real server. Run only on purpose (`npm run histories:refresh`), after an intended
 * change to workflow code that is guarded by `patched()`; see README "Changing workflow code".
 */
import type { WorkflowHandle } from '@temporalio/client';
import path from 'node:path';
import { describe, it } from 'vitest';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import { eventually } from '../support/eventually';
import { writeHistory } from '../support/history-files';
import { useJobHarness } from '../support/job-harness';

const dir = path.join(__dirname, 'histories');

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  await handle.result().catch(() => undefined);
  writeHistory(path.join(dir, `${name}.json`), await handle.fetchHistory());
}

describe('record replay histories (webhooks)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('job: webhook happy path with a follow-up', async () => {
    await save('job-webhook-follow-up', await t.h.start(t.h.input({ followUps: ['update the changelog'] })));
  });

  it('job: wake for a follow-up', () =>
    t.h.withSim({ timings: { sleepAfterMs: 20 } }, async () => {
      await save('job-wake-follow-up', await t.h.start(t.h.input({ followUps: ['also fix the README'] })));
    }));

  it('job: abort on error', () =>
    t.h.withSim({ behaviour: { errorRate: 1 } }, async () => {
      await save('job-error-abort', await t.h.start(t.h.input()));
    }));

  it('job: cancelled mid-turn', () =>
    t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const handle = await t.h.start(t.h.input());
      await eventually(async () => (await handle.query(jobStateQuery)).replicaStatus === 'active');
      await handle.cancel();
      await save('job-cancelled', handle);
    }));
});

describe('record replay histories (polling)', () => {
  const t = useJobHarness({ webhooks: false, sim: { behaviour: { prProbability: 1 } } });

  it('job: polling with two follow-ups', async () => {
    await save('job-polling', await t.h.start(t.h.input({ followUps: ['update the changelog', 'bump it'] })));
  });
});
