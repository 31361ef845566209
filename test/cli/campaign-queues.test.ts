import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cancelUpdate } from '../../src/workflows/campaign/messages';
import { runCli } from '../support/cli-process';
import { useJobHarness } from '../support/job-harness';

describe('the API task queue travels with the campaign (CLI child process, real Temporal, simulator)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  function specFile(name: string, items: number): string {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'queues-')), `${name}.yaml`);
    const entries = t.h
      .items(items)
      .map((item) => ({ key: item.key, environment: item.environmentId, repository: item.repository }));
    writeFileSync(file, stringify({ message: 'upgrade {{repository}}', items: entries }));
    return file;
  }

  it('runs a campaign applied by the CLI on custom workflow and API queues, end to end', async () => {
    // The harness's workers poll non-default queues, as a worker started with these variables would.
    const env = {
      TEMPORAL_ADDRESS: t.env.address,
      REPLICA_FLEET_TASK_QUEUE: t.h.taskQueue,
      REPLICA_FLEET_API_TASK_QUEUE: t.h.apiTaskQueue,
    };
    const id = `queues-${Date.now()}`;
    const run = await runCli(['campaign', 'apply', specFile('custom', 2), '--id', id, '--wait'], env);
    expect(run.stderr).not.toMatch(/no worker polls/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`campaign ${id} created: \\+2 new`));
    // --wait prints the item table on stdout once the campaign is done.
    expect(run.stdout.match(/^item-\d+ +succeeded /gm)).toHaveLength(2);
  });

  it('says which queue no worker polls instead of hanging silently', async () => {
    const env = {
      TEMPORAL_ADDRESS: t.env.address,
      REPLICA_FLEET_TASK_QUEUE: t.h.taskQueue,
      REPLICA_FLEET_API_TASK_QUEUE: 'nobody-polls-this-queue',
    };
    const id = `stranded-${Date.now()}`;
    const applied = await runCli(['campaign', 'apply', specFile('stranded', 1), '--id', id], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(
      /no worker polls task queue "nobody-polls-this-queue" for Replicas API calls/,
    );
    const status = await runCli(['campaign', 'status', id], env);
    expect(status.stderr).toMatch(/REPLICA_FLEET_API_TASK_QUEUE=nobody-polls-this-queue/);
    await t.env.client.workflow.getHandle(id).executeUpdate(cancelUpdate);
  });
});
