import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand, type AnyCommand } from '../../src/cli/command';
import { commands, main } from '../../src/cli/main';
import { captureConsole, withEnv } from '../support/console';
import { runCli } from './cli-child';
import { ValidateShape } from './json-shapes';

/** Every command and subcommand, with its path: `campaign schedule create`. */
function walk(list: AnyCommand[], prefix: string[] = []): { path: string[]; cmd: AnyCommand }[] {
  return list.flatMap((cmd) => {
    const here = [...prefix, cmd.name];
    return [{ path: here, cmd }, ...('subcommands' in cmd ? walk(cmd.subcommands, here) : [])];
  });
}

// Nothing listens here: a command that tried to reach Temporal would fail with exit 1, not 2.
const NOWHERE = {
  TEMPORAL_ADDRESS: '127.0.0.1:9',
  REPLICAS_API_URL: 'http://127.0.0.1:9',
  REPLICAS_API_KEY: 'k',
};
const cli = (argv: string[], env: Record<string, string | undefined> = NOWHERE) =>
  withEnv(env, () => captureConsole(() => main(argv)));

describe('--help', () => {
  const all = walk(commands);

  it('every command and subcommand has help with an example, exits 0 and starts nothing', async () => {
    expect(all.length).toBeGreaterThan(40);
    for (const { path: words, cmd } of all) {
      const run = await withEnv(NOWHERE, () => captureConsole(() => runCommand(cmd, ['--help'])));
      const name = words.join(' ');
      expect(run.code, name).toBe(0);
      expect(run.err, name).toBe('');
      if ('subcommands' in cmd) expect(run.out, name).toContain('Each subcommand takes --help');
      else {
        expect(run.out, name).toMatch(new RegExp(`^Usage: replica-fleet ${name}\\b`));
        expect(run.out, name).toMatch(/\nExample:\n {2}.*replica-fleet \S/);
      }
    }
    expect((await cli(['--help'])).out).toContain('replicas');
  });

  it('`worker --help` in its own process prints the help and exits at once, starting no worker', async () => {
    const run = await runCli(['worker', '--help'], NOWHERE);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: replica-fleet worker/);
  });
});

describe('usage and spec errors: exit 2, naming the field, before anything is contacted', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-usage-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const env = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
  const good = file('good.yaml', `message: fix it\nitems:\n  - { key: a, environment: ${env} }\n`);
  const targets = file('targets.yaml', `message: fix it\ntargets: { repositories: "acme/*" }\n`);

  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['campaign', 'status', 'c1', '--bogus'], /Unknown option '--bogus'/],
    ['an unknown subcommand', ['campaign', 'frobnicate'], /unknown subcommand "frobnicate"/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['a missing argument', ['campaign', 'item', 'c1'], /missing KEY/],
    [
      'set-concurrency abc',
      ['campaign', 'set-concurrency', 'c1', 'abc'],
      /N must be a whole number from 1 to 500, got "abc"/,
    ],
    [
      'a bad cron',
      ['campaign', 'schedule', 'create', good, '--id', 'n', '--cron', '0 25 * * *'],
      /--cron "0 25 \* \* \*": hour "25" must be/,
    ],
    [
      'a bad interval',
      ['campaign', 'schedule', 'create', good, '--id', 'n', '--every', 'soon'],
      /--every "soon": must be a positive duration/,
    ],
    ['a schedule without timing', ['campaign', 'schedule', 'create', good, '--id', 'n'], /needs --cron/],
    ['a schedule without id', ['campaign', 'schedule', 'create', good, '--every', '1h'], /missing --id/],
    [
      'a bad overlap',
      ['campaign', 'schedule', 'create', good, '--id', 'n', '--every', '1h', '--overlap', 'x'],
      /--overlap must be one of skip/,
    ],
    [
      'add-items of a non-list',
      ['campaign', 'add-items', 'c1', file('one.json', '{"key": "a"}')],
      /invalid items file .*one\.json \(1 problem\):\n {2}.*one\.json: must be a list of \{key, environment/,
    ],
    [
      'add-items with a bad item',
      ['campaign', 'add-items', 'c1', file('bad-items.yaml', '- { key: "a b", environment: nope }\n')],
      /bad-items\.yaml:1: \[0\]\.key: must be non-empty and contain no whitespace[\s\S]*\[0\]\.environment: must be the UUID/,
    ],
    [
      'add-items with a key twice',
      [
        'campaign',
        'add-items',
        'c1',
        file('twice.yaml', `- { key: a, environment: ${env} }\n- { key: a, environment: ${env} }\n`),
      ],
      /twice\.yaml:2: \[1\]\.key: "a" is used twice; keys must be unique/,
    ],
    [
      'apply of an invalid spec',
      [
        'campaign',
        'apply',
        file('big.yaml', `message: x\nconcurrency: 9000\nitems: [{ key: a, environment: ${env} }]\n`),
      ],
      /concurrency: must be at most 500/,
    ],
    [
      'apply --dry-run of an invalid spec',
      [
        'campaign',
        'apply',
        file('budget.yaml', `message: x\nbudgetUsd: 5\nitems: [{ key: a, environment: ${env} }]\n`),
        '--dry-run',
      ],
      /estimatedMinutesPerItem: is required with budgetUsd/,
    ],
    [
      'plan of unreadable YAML',
      ['campaign', 'plan', file('broken.yaml', 'message: [unclosed\n')],
      /invalid campaign spec .*broken\.yaml \(1 problem\):\n {2}.*broken\.yaml:2: /,
    ],
    [
      'a bad results format',
      ['campaign', 'results', 'c1', '--format', 'pdf'],
      /--format must be one of table, json, csv, md, html, got "pdf"/,
    ],
    [
      '--burndown in a format that cannot hold it',
      ['campaign', 'results', 'c1', '--format', 'md', '--burndown'],
      /--burndown prints the series as json or csv, not md: add --json or --format csv/,
    ],
    [
      'a bad item state',
      ['campaign', 'results', 'c1', '--state', 'done'],
      /--state must be one of pending, running, succeeded/,
    ],
    [
      'a bad campaign state',
      ['campaign', 'list', '--state', 'done'],
      /--state must be one of running, paused/,
    ],
    ['a bad limit', ['campaign', 'list', '--limit', '0'], /--limit must be a whole number from 1 to 1000/],
    [
      'a bad interval for watch',
      ['campaign', 'watch', 'c1', '--interval', 'fast'],
      /--interval must be a whole number/,
    ],
    [
      '--set without --simulate',
      ['campaign', 'plan', good, '--set', 'seed=2'],
      /--set only applies with --simulate/,
    ],
    [
      'a malformed simulator knob',
      ['campaign', 'plan', good, '--simulate', '--set', 'faults.serverErrorRate=lots'],
      /expected KNOB=NUMBER/,
    ],
    [
      'a bad replica status',
      ['replicas', 'list', '--status', 'asleep'],
      /--status must be one of active, sleeping/,
    ],
    [
      'a bad agent',
      ['replicas', 'send', 'r1', 'hello', '--agent', 'gpt'],
      /--agent must be one of claude, codex/,
    ],
    [
      'a bad event count',
      ['replicas', 'events', 'r1', '--count', '0'],
      /--count must be a whole number from 1/,
    ],
  ];

  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const run = await cli(argv);
      expect(run.err).toMatch(message);
      expect(run.code).toBe(2);
      expect(run.err).not.toMatch(/cannot reach/);
    });
  }

  it('a targets plan without REPLICAS_API_KEY names the variable', async () => {
    const run = await cli(['campaign', 'plan', targets], { ...NOWHERE, REPLICAS_API_KEY: undefined });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/REPLICAS_API_KEY: is required/);
  });

  it('validate --json answers in JSON either way', async () => {
    const ok = await cli(['campaign', 'validate', good, '--json']);
    expect(ok.code).toBe(0);
    expect(ValidateShape.parse(JSON.parse(ok.out))).toEqual({ valid: true, items: 1, concurrency: 10 });
    const bad = await cli(['campaign', 'validate', file('bad.yaml', 'items: []\n'), '--json']);
    expect(bad.code).toBe(2);
    const parsed = ValidateShape.parse(JSON.parse(bad.out));
    expect(parsed.valid).toBe(false);
    expect(JSON.stringify(parsed)).toMatch(/message: is required/);
  });
});
