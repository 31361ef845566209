import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/command';
import { uiCommand } from '../../src/cli/commands/ui';
import { captureConsole } from '../support/console';

describe('replica-fleet ui: refuses to start where it would be exposed without a token (exit 2)', () => {
  const saved = process.env.REPLICA_FLEET_UI_TOKEN;
  afterEach(() => {
    if (saved === undefined) delete process.env.REPLICA_FLEET_UI_TOKEN;
    else process.env.REPLICA_FLEET_UI_TOKEN = saved;
  });

  it('a non-loopback bind without REPLICA_FLEET_UI_TOKEN, or with a short one, names the variable and the fix', async () => {
    delete process.env.REPLICA_FLEET_UI_TOKEN;
    const open = await captureConsole(() => runCommand(uiCommand, ['--host', '0.0.0.0']));
    expect(open.code).toBe(2);
    expect(open.err).toMatch(
      /--host 0\.0\.0\.0 is reachable from other machines: set REPLICA_FLEET_UI_TOKEN/,
    );
    process.env.REPLICA_FLEET_UI_TOKEN = 'tok-9f2e';
    const weak = await captureConsole(() => runCommand(uiCommand, ['--host', '192.168.1.20']));
    expect(weak.code).toBe(2);
    expect(weak.err).toMatch(/REPLICA_FLEET_UI_TOKEN is too short: use at least 16/);
    expect(weak.err).not.toContain('tok-9f2e'); // a secret is never echoed
  });

  it('a bad port or host is a usage error naming the flag', async () => {
    const port = await captureConsole(() => runCommand(uiCommand, ['--port', 'http']));
    expect(port.code).toBe(2);
    expect(port.err).toMatch(/--port must be a whole number from 1 to 65535, got "http"/);
    const host = await captureConsole(() => runCommand(uiCommand, ['--host', ' ']));
    expect(host.code).toBe(2);
    expect(host.err).toMatch(/--host needs an address/);
  });
});
