import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/command';
import { automationCommand } from '../../src/cli/commands/automation';
import { applyFlags } from '../../src/simulator';
import { captureConsole } from '../support/console';
import { startSimWithClient } from '../support/simulator';

const automation = (argv: string[]) => captureConsole(() => runCommand(automationCommand, argv));

describe('replica-fleet automation (against the simulator)', () => {
  let h: Awaited<ReturnType<typeof startSimWithClient>>;
  const saved = { url: process.env.REPLICAS_API_URL, key: process.env.REPLICAS_API_KEY };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'automation-'));
  beforeAll(async () => {
    h = await startSimWithClient();
    process.env.REPLICAS_API_URL = h.sim.url;
    process.env.REPLICAS_API_KEY = 'sim-local-key';
  });
  afterAll(async () => {
    process.env.REPLICAS_API_URL = saved.url;
    process.env.REPLICAS_API_KEY = saved.key;
    await h.close();
  });

  it('creates, lists, triggers, shows executions and deletes an automation', async () => {
    const file = path.join(dir, 'nightly.yaml');
    writeFileSync(
      file,
      [
        'name: nightly-deps',
        'prompt: Update dependencies and open a PR.',
        `environment_id: ${h.environmentFor('acme/api')}`,
        'triggers:',
        '  - type: cron',
        '    config: { schedule: "0 2 * * *", timezone: UTC }',
        'debounce_seconds: 600',
      ].join('\n'),
    );
    const created = await automation(['create', file]);
    expect(created.code).toBe(0);
    const id = /created automation (\S+)/.exec(created.out)?.[1] as string;
    expect((await automation(['list'])).out).toMatch(
      new RegExp(`${id}\\s+on\\s+nightly-deps\\s+\\[cron 0 2 \\* \\* \\*\\]`),
    );
    expect((await automation(['trigger', id])).out).toMatch(/^execution \S+/);
    expect((await automation(['executions', id])).out).toMatch(/pending/);
    expect((await automation(['delete', id])).code).toBe(0);
    const gone = await automation(['trigger', id]);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/404/);
  });

  it('rejects an invalid automation before sending it, naming the field', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `name: x\nprompt: y\nenvironment_id: ${h.environmentFor('acme/api')}\ntriggers: [{type: cron, config: {schedule: "* * * * *"}}]\ndebounce_seconds: 90000\n`,
    );
    const before = h.sim.stats().requests['POST /v1/automations'];
    const result = await automation(['create', file]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/debounce_seconds: must be between 0 and 86400 seconds/);
    expect(h.sim.stats().requests['POST /v1/automations']).toEqual(before);
  });
});

describe('replica-fleet sim --set', () => {
  it('sets knobs by name and rejects malformed ones', () => {
    expect(applyFlags({ faults: { latencyMs: 5 } }, ['seed=7', 'faults.serverErrorRate=0.25'])).toEqual({
      seed: 7,
      faults: { latencyMs: 5, serverErrorRate: 0.25 },
    });
    expect(() => applyFlags({}, ['faults.serverErrorRate=lots'])).toThrow(/expected KNOB=NUMBER/);
  });
});
