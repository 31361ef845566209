import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/command';
import { devCommand } from '../../src/cli/commands/dev';
import { captureConsole } from '../support/console';
import { freeLoopbackPort } from '../support/free-port';

describe('replica-fleet dev', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-dev-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts an embedded server with a persistent database, runs the health check and the demo campaign, and restarts on the same data', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      for (const run of [1, 2]) {
        const [port, uiPort, simPort, webhookPort] = [
          await freeLoopbackPort(),
          await freeLoopbackPort(),
          await freeLoopbackPort(),
          await freeLoopbackPort(),
        ];
        const code = await runCommand(devCommand, [
          '--once',
          '--port',
          String(port),
          '--ui-port',
          String(uiPort),
          '--data-dir',
          dataDir,
          '--sim-port',
          String(simPort),
          '--webhook-port',
          String(webhookPort),
        ]);
        expect(code, `run ${run}`).toBe(0);
        const printed = log.mock.calls.map((call) => String(call[0]));
        expect(printed.some((line) => line.includes(`Web UI http://127.0.0.1:${uiPort}`))).toBe(true);
        expect(printed.filter((line) => line.includes('health check passed'))).toHaveLength(run);
        const demo = printed.filter((line) => line.includes('demo campaign finished'));
        expect(demo).toHaveLength(run);
        expect(demo.at(-1)).toMatch(/total 4 \| pending 0 \| running 0 \| succeeded 4/);
        for (const repo of ['api', 'web', 'infra', 'docs']) expect(demo.at(-1)).toContain(`acme__${repo}`);
      }
      expect(existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    } finally {
      log.mockRestore();
    }
  });

  it('rejects an invalid port with the flag name and the fix', async () => {
    const run = await captureConsole(() => runCommand(devCommand, ['--port', '99999']));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--port must be a whole number from 1 to 65535, got "99999"/);
  });
});
