import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { cancelUpdate } from '../../src/workflows/campaign/messages';
import { useJobHarness } from '../support/job-harness';
import { uniqueTaskQueue } from '../support/temporal';
import { writeSpec } from './spec-file';
import { harnessEnv, jsonOf, runCli } from './cli-child';
import { ApplyShape } from './json-shapes';

describe('campaign identity: a spec applied again is the same campaign; two campaigns never share a repository (CLI, dev server, simulator)', () => {
  const t = useJobHarness({
    webhooks: true,
    sim: { behaviour: { prProbability: 1 }, timings: { turnMs: 200 } },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-identity-'));
  const env = () => harnessEnv(t.h);

  it('apply without an id twice: the id comes from the spec name (else its file name), so nothing runs twice', async () => {
    const name = uniqueTaskQueue('Nightly Lint');
    const named = writeSpec(path.join(dir, 'named.yaml'), t.h.items(3, 'acme/infra'), `name: ${name}\n`);
    const created = t.h.sim.stats().replicasCreated;
    const first = ApplyShape.parse(
      jsonOf(await runCli(['campaign', 'apply', named, '--wait', '--json'], env())),
    );
    const again = ApplyShape.parse(
      jsonOf(await runCli(['campaign', 'apply', named, '--wait', '--json'], env())),
    );
    expect(first).toMatchObject({
      campaignId: name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-'),
      created: true,
    });
    expect(again).toMatchObject({
      campaignId: first.campaignId,
      created: false,
      summary: { added: 0, kept: 3 },
    });
    expect(t.h.sim.stats().replicasCreated - created).toBe(3);

    const fromFile = writeSpec(
      path.join(dir, `${uniqueTaskQueue('lint-docs')}.yml`),
      t.h.items(1, 'acme/docs'),
    );
    const byFile = ApplyShape.parse(
      jsonOf(await runCli(['campaign', 'apply', fromFile, '--wait', '--json'], env())),
    );
    expect(byFile.campaignId).toBe(path.basename(fromFile, '.yml'));
  }, 120_000);

  it(
    'refuses a spec whose repositories a running campaign still works on, naming both, unless --allow-overlap',
    () =>
      t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
        const busy = writeSpec(
          path.join(dir, 'busy.yaml'),
          t.h.items(2, 'acme/web'),
          `id: ${uniqueTaskQueue('busy')}\n`,
        );
        const running = ApplyShape.parse(jsonOf(await runCli(['campaign', 'apply', busy, '--json'], env())));
        try {
          await t.h.settle(running.campaignId, (p) => p.counts.running === 2);
          const otherId = uniqueTaskQueue('other');
          const other = writeSpec(
            path.join(dir, 'other.yaml'),
            [...t.h.items(1, 'acme/api'), { ...t.h.items(1, 'acme/web')[0]!, key: 'web' }],
            `id: ${otherId}\n`,
          );
          const refused = await runCli(['campaign', 'apply', other], env());
          expect(refused.code).toBe(1);
          expect(refused.stderr).toContain(`campaign "${otherId}"`);
          expect(refused.stderr).toContain(`campaign "${running.campaignId}"`);
          expect(refused.stderr).toContain('acme/web');
          expect(refused.stderr).toContain('--allow-overlap');
          // Nothing of the refused campaign started: Temporal has no workflow of that id.
          await expect(t.env.client.workflow.getHandle(otherId).describe()).rejects.toBeInstanceOf(
            WorkflowNotFoundError,
          );
          // Applying the running campaign's own spec again is no overlap.
          expect((await runCli(['campaign', 'apply', busy], env())).code).toBe(0);
          const allowed = await runCli(['campaign', 'apply', other, '--allow-overlap', '--json'], env());
          expect(allowed.code, allowed.stderr).toBe(0);
          await t.env.client.workflow.getHandle(otherId).executeUpdate(cancelUpdate);
        } finally {
          await t.env.client.workflow.getHandle(running.campaignId).executeUpdate(cancelUpdate);
        }
      }),
    120_000,
  );
});
