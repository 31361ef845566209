import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignItem } from '../../src/contracts';
import { useJobHarness } from '../support/job-harness';
import { harnessEnv, runCli } from './cli-child';

describe('campaign add-items checks new items against the campaign templates (dev server, simulator)', () => {
  const t = useJobHarness({ webhooks: true, sim: { timings: { turnMs: 300 } } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'add-items-'));

  /** An items file as a person writes one: one item per line, flow style. */
  function itemsFile(name: string, items: CampaignItem[]): string {
    const file = path.join(dir, name);
    const line = (i: CampaignItem) =>
      `- { key: ${i.key}, environment: ${i.environmentId}, repository: ${i.repository}${
        i.vars ? `, vars: { service: ${i.vars.service} } ` : ''
      }}`;
    writeFileSync(file, `${items.map(line).join('\n')}\n`);
    return file;
  }

  it('refuses an item lacking a var the message uses (exit 2, naming item and placeholder) and starts nothing', async () => {
    const items = t.h.items(4).map((item, i): CampaignItem => ({ ...item, vars: { service: `svc-${i}` } }));
    const [first, second, third, fourth] = items;
    if (!first || !second || !third || !fourth) throw new Error('the harness gave fewer than 4 items');
    const { campaignId } = await t.h.apply({
      job: { message: 'Bump {{vars.service}} in {{repository}}' },
      items: [first, second],
    });
    await t.h.settle(campaignId);

    const lacking = { ...fourth, vars: undefined };
    const bad = itemsFile('more.yaml', [third, lacking]);
    let run = { code: null as number | null, stdout: '', stderr: '' };
    const calls = await t.h.callsDuring(async () => {
      run = await runCli(['campaign', 'add-items', campaignId, bad], harnessEnv(t.h));
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(
      `more.yaml:2: [1]: item "${lacking.key}" has no vars.service, which the campaign's message uses as {{vars.service}}`,
    );
    // Nothing was sent: no item of the file (not even the good one) reached the campaign or the API.
    expect(calls).toEqual({});
    expect((await t.h.progress(campaignId)).total).toBe(2);

    const good = itemsFile('fixed.yaml', [third, fourth]);
    const added = await runCli(['campaign', 'add-items', campaignId, good], harnessEnv(t.h));
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/applied: \+2 new, 0 kept/);
    expect(await t.h.settle(campaignId, (p) => p.counts.succeeded === 4)).toMatchObject({ total: 4 });
  });
});
