import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SIMULATION_DIR_PREFIX } from '../../src/campaign-client/simulate';
import { eventually } from '../support/eventually';
import { jsonOf, killCli, runCli, startCli, type RunningCli } from './cli-child';
import { PlanShape } from './json-shapes';

/** `campaign plan --simulate` in a process of its own: its embedded server, its folder, its signals. */
describe('campaign plan --simulate in a child process', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plan-simulate-'));
  const spec = path.join(dir, 'spec.yaml');
  writeFileSync(
    spec,
    [
      'message: Upgrade the linter in {{repository}}',
      'concurrency: 2',
      'items:',
      '  - { key: api, environment: 0b6d4a52-2f4e-4d4c-9d65-0c6e1b8b2f11, repository: acme/api }',
      '  - { key: web, environment: 0b6d4a52-2f4e-4d4c-9d65-0c6e1b8b2f11, repository: acme/web }',
    ].join('\n'),
  );
  const running: RunningCli[] = [];
  afterAll(async () => {
    for (const cli of running) await killCli(cli);
  });

  /** A temp directory of its own (TMPDIR), so the run's throw-away folder can be watched. */
  function tmpdirEnv(): { TMPDIR: string; REPLICA_FLEET_WORKFLOW_BUNDLE: string } {
    return {
      TMPDIR: mkdtempSync(path.join(dir, 'tmp-')),
      REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    };
  }
  const simulationDirs = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith(SIMULATION_DIR_PREFIX));

  it('a taken port is replaced by a free one: the run still reports, and leaves no folder behind', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const env = tmpdirEnv();
      const run = await runCli(
        ['campaign', 'plan', spec, '--simulate', '--simulate-port', String(taken), '--json'],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      const simulation = PlanShape.parse(jsonOf(run)).simulation;
      // The simulated run follows its PRs on the stack's GitHub stand-in, as a campaign with a code host does.
      expect(simulation?.progress).toMatchObject({ counts: { succeeded: 2 } });
      const prs = simulation?.progress.pullRequests;
      const withPr = 2 - (simulation?.progress.outcomes?.succeededWithoutPr ?? 0);
      expect((prs?.open ?? 0) + (prs?.merged ?? 0) + (prs?.draft ?? 0) + (prs?.closed ?? 0)).toBe(withPr);
      // The port held here was found taken; tests running beside this one may hold others meanwhile.
      expect(simulation?.embeddedTemporal.portsTaken).toContain(taken);
      expect(simulation?.embeddedTemporal.address).not.toBe(`127.0.0.1:${taken}`);
      expect(simulationDirs(env.TMPDIR)).toEqual([]);
    } finally {
      holder.close();
    }
  }, 120_000);

  it('runs the fix loop on the GitHub stand-in and reports the fix turns and the merged share, in text and --json', async () => {
    const fixing = path.join(dir, 'fixing.yaml');
    writeFileSync(
      fixing,
      [readFileSync(spec, 'utf8'), 'pullRequests: { fixes: campaign, maxFixTurns: 2 }'].join('\n'),
    );
    // Every head's checks fail: each PR gets its two fix turns, then the loop stops; nothing merges.
    const red = await runCli(
      [
        ...['campaign', 'plan', fixing, '--simulate', '--json'],
        ...['--set', 'behaviour.prProbability=1', '--set', 'codeHost.checkFailureRate=1'],
      ],
      tmpdirEnv(),
    );
    expect(red.code, red.stderr).toBe(0);
    const plan = PlanShape.parse(jsonOf(red));
    expect(plan.spend.fixTurns).toMatchObject({ maxPerPr: 2 });
    expect(plan.simulation?.pullRequests).toEqual({
      fixes: 'campaign',
      maxFixTurns: 2,
      opened: 2,
      merged: 0,
      mergedShare: 0,
      fixTurns: 4,
      fixStopped: 2,
    });
    expect(plan.simulation?.progress.pullRequests).toMatchObject({
      fixTurns: 4,
      fixStopped: 2,
      mergedShare: 0,
    });

    // Green checks, approving reviewers, merging maintainers: every PR merges without a fix turn.
    const green = await runCli(
      [
        ...['campaign', 'plan', fixing, '--simulate'],
        ...['--set', 'behaviour.prProbability=1', '--set', 'codeHost.reviewApprovalRate=1'],
        ...['--set', 'codeHost.mergeRate=1'],
      ],
      tmpdirEnv(),
    );
    expect(green.code, green.stderr).toBe(0);
    expect(green.stdout).toMatch(/\nfix turns +about 1 \(0\.39 per PR, at most 2\)/);
    expect(green.stdout).toMatch(
      /\n {2}PRs +2: 2 merged of 2 opened \(100%\); fixes: campaign, 0 fix turn\(s\) sent \(at most 2 per PR\), 0 stopped short of mergeable\n/,
    );
  }, 180_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s mid-run stops the server, the workers and the simulator, removes the folder, exits %i',
    async (signal, code) => {
      const env = tmpdirEnv();
      // Turns of ten minutes: the campaign is still running when the signal comes.
      const cli = startCli(['campaign', 'plan', spec, '--simulate', '--set', 'timings.turnMs=600000'], env);
      running.push(cli);
      await eventually(
        async () => cli.output().stderr.includes('simulating: running campaign'),
        60_000,
        () => cli.output(),
      );
      const pid = Number(/\(pid (\d+)\)/.exec(cli.output().stderr)?.[1]);
      expect(process.kill(pid, 0)).toBe(true); // the embedded server runs
      expect(simulationDirs(env.TMPDIR)).toHaveLength(1);

      const sentAt = Date.now();
      cli.child.kill(signal);
      const done = await cli.done;
      expect(done.code, done.stderr).toBe(code);
      expect(Date.now() - sentAt).toBeLessThan(15_000);
      expect(done.stderr).toMatch(new RegExp(`simulating: stopped by ${signal}`));
      expect(simulationDirs(env.TMPDIR)).toEqual([]);
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    },
    90_000,
  );
});
