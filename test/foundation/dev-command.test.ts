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

  it('starts an embedded server with a persistent database, runs the health check and the demo campaign, and restarts on the same data (with a simulator knob set)', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      for (const run of [1, 2]) {
        const [port, uiPort, simPort, webhookPort, dashboardPort] = [
          await freeLoopbackPort(),
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
          '--dashboard-port',
          String(dashboardPort),
          // The second start sets a knob, as `npm run dev -- --set …` does: no turn opens a PR.
          ...(run === 2 ? ['--set', 'behaviour.prProbability=0'] : []),
        ]);
        expect(code, `run ${run}`).toBe(0);
        const printed = log.mock.calls.map((call) => String(call[0]));
        expect(printed.some((line) => line.includes(`Web UI http://127.0.0.1:${uiPort}`))).toBe(true);
        expect(printed).toContainEqual(
          expect.stringContaining(
            `dashboard http://127.0.0.1:${dashboardPort}, beside the Temporal Web UI http://127.0.0.1:${uiPort}`,
          ),
        );
        expect(printed.filter((line) => line.includes('health check passed'))).toHaveLength(run);
        const demo = printed.filter((line) => line.includes('demo campaign finished'));
        expect(demo).toHaveLength(run);
        expect(demo.at(-1)).toMatch(/total 4 \| pending 0 \| running 0 \| succeeded 4/);
        for (const repo of ['api', 'web', 'infra', 'docs']) expect(demo.at(-1)).toContain(`acme__${repo}`);
        if (run === 2) {
          expect(demo.at(-1)).toMatch(/\| PRs 0\b/);
          expect(printed).toContainEqual(
            expect.stringContaining(
              `simulator http://127.0.0.1:${simPort} (key sim-local-key; behaviour.prProbability=0; change knobs with POST http://127.0.0.1:${simPort}/__sim/config)`,
            ),
          );
        }
      }
      expect(existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    } finally {
      log.mockRestore();
    }
  });

  it('rejects a simulator knob it does not know or a value out of range before starting anything, naming it', async () => {
    const dev = (argv: string[]) => captureConsole(() => runCommand(devCommand, argv));
    const unknown = await dev(['--set', 'behaviour.errorRat=0.1']);
    const outOfRange = await dev(['--set', 'behaviour.errorRate=1.5']);
    const help = await dev(['--help']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/behaviour: Unrecognized key: "errorRat"/);
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.err).toMatch(/behaviour\.errorRate: Too big: expected number to be <=1/);
    expect(help.out).toMatch(/--set KNOB=VALUE {2}a simulator knob, repeatable, as for 'replica-fleet sim'/);
    expect(help.out).toContain('POST /__sim/config');
  });

  it('rejects an invalid port with the flag name and the fix', async () => {
    const run = await captureConsole(() => runCommand(devCommand, ['--port', '99999']));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--port must be a whole number from 1 to 65535, got "99999"/);
  });
});
