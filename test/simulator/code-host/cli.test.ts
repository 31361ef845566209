import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killCli, runCli, startCli, type RunningCli } from '../../cli/cli-child';
import { eventually } from '../../support/eventually';
import { signAppJwt } from './app-jwt';

describe('`replica-fleet sim` starts the code host beside the Replicas simulator', () => {
  const running: RunningCli[] = [];
  afterAll(async () => {
    for (const sim of running) await killCli(sim);
  });

  it('prints the code host’s URL and token; --set codeHost.* reaches it; a misspelt knob exits 2 naming it', async () => {
    const sim = startCli([
      'sim',
      '--port',
      '0',
      '--set',
      'codeHost.secondaryLimitRate=1',
      '--set',
      'codeHost.retryAfterSeconds=9',
    ]);
    running.push(sim);
    await eventually(
      async () =>
        /code host \(GitHub\) on http:\/\/\S+/.test(sim.output().stdout) || sim.child.exitCode !== null,
      60_000,
    );
    expect(sim.output().stderr).toBe('');
    const url = /code host \(GitHub\) on (http:\/\/\S+)/.exec(sim.output().stdout)?.[1] as string;
    expect(sim.output().stdout).toMatch(/token sim-github-token/);
    const answer = await fetch(`${url}/rate_limit`, { headers: { authorization: 'token sim-github-token' } });
    // /rate_limit is free of the budget but not of injected faults, as the knob asked.
    expect(answer.status).toBe(403);
    expect(answer.headers.get('retry-after')).toBe('9');

    const [misspelt, help] = await Promise.all([
      runCli(['sim', '--port', '0', '--set', 'codeHost.checkFailRate=0.5']),
      runCli(['sim', '--help']),
    ]);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/codeHost: Unrecognized key: "checkFailRate"/);
    for (const knob of [
      'checkFailureRate',
      'checkFlakyRate',
      'reviewApprovalRate',
      'mergeRate',
      'secondaryLimitRate',
      'rateLimitPerHour',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`\\n {2}codeHost\\.${knob} {2}\\S.*\\(default [\\d.]+\\)\\n`));
    }
  }, 90_000);

  it('--github-app-id with --github-app-key: the code host mints installation tokens for that app’s JWTs; one without the other exits 2', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'code-host-app-')), 'app.pem');
    writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const sim = startCli(['sim', '--port', '0', '--github-app-id', '31', '--github-app-key', keyFile]);
    running.push(sim);
    await eventually(
      async () =>
        /code host \(GitHub\) on http:\/\/\S+/.test(sim.output().stdout) || sim.child.exitCode !== null,
      60_000,
    );
    const url = /code host \(GitHub\) on (http:\/\/\S+)/.exec(sim.output().stdout)?.[1] as string;
    const minted = await fetch(`${url}/app/installations/1/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signAppJwt(31, privateKey)}` },
    });
    expect(minted.status).toBe(201);
    expect(((await minted.json()) as { token: string }).token).toMatch(/^ghs_/);

    const alone = await runCli(['sim', '--port', '0', '--github-app-id', '31']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--github-app-id and --github-app-key go together/);
  }, 90_000);
});
