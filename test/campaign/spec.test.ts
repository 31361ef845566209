import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CampaignSpecError,
  MAX_ITEMS,
  assertItemsRender,
  loadCampaignSpec,
  loadItems,
  parseCampaignSpec,
  specWhereApplied,
  withCodeHostDefaults,
} from '../../src/campaign-client/spec';
import { runCommand } from '../../src/cli/command';
import { campaignCommand } from '../../src/cli/commands/campaign';
import { captureConsole } from '../support/console';
import { closestWord, issuePath, missingPlaceholders, renderMessage } from '../../src/contracts';
import { globProblem, repositoryMatcher } from '../../src/contracts/repository-glob';

const ENV = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const root = path.resolve(__dirname, '..', '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'spec-'));

/** Writes `text` to a file of this test's directory and returns its path. */
function fileOf(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The error a load throws, as a CampaignSpecError. */
function rejection(load: () => unknown): CampaignSpecError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(CampaignSpecError);
    return error as CampaignSpecError;
  }
  throw new Error('expected the file to be rejected');
}

function issuesOf(document: unknown): string[] {
  try {
    parseCampaignSpec(document);
  } catch (error) {
    expect(error).toBeInstanceOf(CampaignSpecError);
    return (error as CampaignSpecError).issues;
  }
  throw new Error('expected the spec to be rejected');
}

describe('campaign spec', () => {
  it('loads the examples', () => {
    expect(loadCampaignSpec(path.join(root, 'examples', 'campaign.yaml')).spec.items).toHaveLength(2);
    expect(
      loadCampaignSpec(path.join(root, 'examples', 'demo-campaign.yaml')).spec.targets?.repositories,
    ).toBe('acme/{api,web,infra,docs}');
  });

  it('names each bad field and the fix', () => {
    const issues = issuesOf({
      message: '',
      items: [
        { key: 'a b', environment: 'nope' },
        { key: 'x', environment: ENV },
        { key: 'x', environment: ENV },
      ],
      concurrency: 501,
      budgetUsd: 10,
      size: 'huge',
      surprise: true,
    });
    const text = issues.join('\n');
    expect(text).toMatch(/^message: is required/m);
    expect(text).toMatch(/^items\[0\]\.key: must be non-empty and contain no whitespace/m);
    expect(text).toMatch(/^items\[0\]\.environment: must be the UUID/m);
    expect(text).toMatch(/^concurrency: must be at most 500/m);
    expect(text).toMatch(/^size: /m);
    expect(text).toMatch(/surprise/);
  });

  it('rejects both or neither of items and targets, duplicate keys, unknown placeholders, a budget without an estimate', () => {
    expect(issuesOf({ message: 'x' }).join()).toMatch(/either items .* or targets/);
    expect(
      issuesOf({
        message: 'x',
        items: [
          { key: 'a', environment: ENV },
          { key: 'a', environment: ENV },
        ],
      }).join(),
    ).toMatch(/"a" is used twice/);
    expect(
      issuesOf({ message: 'fix {{vars.team}}', items: [{ key: 'a', environment: ENV }] }).join(),
    ).toMatch(/items\[0\]: item "a" has no vars\.team, which message uses as \{\{vars\.team\}\}/);
    expect(issuesOf({ message: 'x', targets: { repositories: 'acme/*' }, budgetUsd: 3 }).join()).toMatch(
      /estimatedMinutesPerItem: is required with budgetUsd/,
    );
  });

  it('refuses a targets glob that would match nothing or the wrong repositories, naming the problem and the fix', () => {
    const targets = (repositories: string) => ({ message: 'x', targets: { repositories } });
    expect(issuesOf(targets('acme/{api,web'))).toEqual([
      'targets.repositories: "acme/{api,web" has a "{" at character 6 that is never closed; close it, e.g. "acme/{api,web}"',
    ]);
    expect(issuesOf(targets('   '))).toEqual([
      'targets.repositories: is empty: give a glob over repository names, e.g. "acme/*"',
    ]);
    expect(issuesOf(targets(''))).toEqual([
      'targets.repositories: is required: a glob over repository names, e.g. "acme/*"',
    ]);
    const problems: [string, RegExp][] = [
      ['acme/[abc', /"\[" at character 6 that is never closed; close it, e.g. "acme\/\[abc\]"/],
      ['acme/api}', /a "}" at character 9 with no "\{" before it; remove it or add the "\{" it closes/],
      ['acme/(api|web', /"\(" at character 6 that is never closed/],
      ['acme/{api,{web,docs}', /close it, e.g. "acme\/\{api,\{web,docs\}\}"/],
      ['acme/{api}', /"\{api\}" with a single choice, which is matched literally; list two or more/],
      ['acme/[]', /an empty class "\[\]" at character 6/],
      ['acme/ api', /contains whitespace, which no repository name has/],
    ];
    for (const [glob, problem] of problems) expect(globProblem(glob), glob).toMatch(problem);
    // Today's picomatch misreads each of these: none or the wrong names match.
    expect(['acme/api', 'acme/web', 'b'].filter(repositoryMatcher('acme/{api,web'))).toEqual([]);
    expect(['acme/api', 'b'].filter(repositoryMatcher('acme/(a|b'))).toEqual(['b']);
    for (const glob of [
      'acme/*',
      'acme/{api,web}',
      'acme/{a,{b,c}}',
      'acme/svc-{1..3}',
      'acme/[!l]*',
      'acme/@(api|web)',
      '!acme/legacy',
      'acme/\\{x',
    ])
      expect(globProblem(glob), glob).toBeUndefined();
  });

  it('takes the look intervals of the job, validated, in seconds', () => {
    const base = { message: 'x', items: [{ key: 'a', environment: ENV }] };
    const { spec } = parseCampaignSpec({
      ...base,
      lookAfterSeconds: 15,
      safetyPollSeconds: 120,
      pollIntervalSeconds: 10,
    });
    expect(spec.job).toMatchObject({
      lookAfterMs: 15_000,
      webhookSafetyPollMs: 120_000,
      pollIntervalMs: 10_000,
    });
    expect(issuesOf({ ...base, lookAfterSeconds: 300, safetyPollSeconds: 60 }).join()).toMatch(
      /lookAfterSeconds: must not exceed safetyPollSeconds \(60\)/,
    );
    expect(issuesOf({ ...base, safetyPollSeconds: 5 }).join()).toMatch(
      /safetyPollSeconds: must be at least 10 seconds/,
    );
    expect(issuesOf({ ...base, pollIntervalSeconds: 0 }).join()).toMatch(
      /pollIntervalSeconds: must be at least 1 seconds/,
    );
  });

  // The Replicas guide (Create Replica): "Optional config controls per-workspace behavior. API-created
  // replicas default to capabilities.pr_followups: true, [...] set it to false for a read-only replica.
  // Set preferences.keep_open_on_pr_merge: true when that workspace should remain open after its
  // tracked PR merges."
  it('takes the workspace config the spec sets, only that, and cleanup after-merge', () => {
    const base = { message: 'x', items: [{ key: 'a', environment: ENV }] };
    const { spec } = parseCampaignSpec({
      ...base,
      workspace: { prFollowups: false, keepOpenOnPrMerge: true },
      cleanup: 'after-merge',
    });
    expect(spec.job).toEqual({
      message: 'x',
      cleanup: 'after-merge',
      workspaceConfig: { prFollowups: false, keepOpenOnPrMerge: true },
    });
    expect(
      parseCampaignSpec({ ...base, workspace: { keepOpenOnPrClose: false } }).spec.job.workspaceConfig,
    ).toEqual({ keepOpenOnPrClose: false });
    expect(parseCampaignSpec(base).spec.job).not.toHaveProperty('workspaceConfig');
  });

  it('names a bad workspace setting and the fix', () => {
    const base = { message: 'x', items: [{ key: 'a', environment: ENV }] };
    expect(issuesOf({ ...base, workspace: { prFollowups: 'no', keep_open_on_pr_merge: true } })).toEqual([
      'workspace.prFollowups: must be true or false (whether Replicas answers CI failures and review comments on the PRs; default true), got "no"',
      'workspace.keep_open_on_pr_merge: unknown field; did you mean "keepOpenOnPrMerge"?',
    ]);
    expect(issuesOf({ ...base, workspace: { keepOpenOnPrClose: 1 } })).toEqual([
      'workspace.keepOpenOnPrClose: must be true or false (whether the workspace stays open after its PR is closed unmerged; default false), got 1',
    ]);
    expect(issuesOf({ ...base, workspace: true })).toEqual([
      'workspace: must be a mapping of fields, got true',
    ]);
    expect(issuesOf({ ...base, cleanup: 'after-merged' })).toEqual([
      'cleanup: must be one of "delete-on-success", "delete", "keep", "after-merge", got "after-merged"; did you mean "after-merge"?',
    ]);
  });

  it('validates a rollout and the retention', () => {
    const base = { message: 'x', items: [{ key: 'a', environment: ENV }] };
    expect(
      parseCampaignSpec({
        ...base,
        rollout: { canary: 5, waves: ['25%', 100], approval: true },
        retentionDays: 2,
      }).spec,
    ).toMatchObject({
      rollout: { canary: 5, waves: ['25%', 100], approval: true },
      retentionMs: 2 * 86_400_000,
    });
    expect(issuesOf({ ...base, rollout: { waves: ['150%'] } }).join()).toMatch(/rollout\.waves\[0\]/);
    expect(issuesOf({ ...base, rollout: {} }).join()).toMatch(/rollout: needs a canary or waves/);
    expect(issuesOf({ ...base, cleanup: 'sometimes' }).join()).toMatch(/cleanup/);
  });

  it('holds 50,000 items, and fails clearly past the item limit', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, environment: ENV }));
    expect(parseCampaignSpec({ message: 'x', items: items(50_000) }).spec.items).toHaveLength(50_000);
    expect(issuesOf({ message: 'x', items: items(MAX_ITEMS + 1) }).join()).toMatch(
      new RegExp(`at most ${MAX_ITEMS} items`),
    );
  });

  it('renders templates per item', () => {
    expect(
      renderMessage('{{repository}} {{environment}} {{item.key}} {{vars.team}}', {
        key: 'k',
        environmentId: 'e',
        repository: 'acme/api',
        vars: { team: 'core' },
      }),
    ).toBe('acme/api e k core');
  });

  it('validates from the CLI: 0 for a good file, 2 with every issue for a bad one', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'message: hi\nitems:\n  - key: a b\n    environment: nope\n');
    const campaign = (argv: string[]) => captureConsole(() => runCommand(campaignCommand, argv));
    const good = await campaign(['validate', path.join(root, 'examples', 'campaign.yaml')]);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/valid: 2 item\(s\), concurrency 20/);
    const invalid = await campaign(['validate', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(
      /bad\.yaml:3: items\[0\]\.key: .*whitespace[\s\S]*bad\.yaml:4: items\[0\]\.environment: must be the UUID/,
    );
  });

  it('names every problem in one pass: a key used twice beside a field of the wrong type', () => {
    const issues = issuesOf({
      message: 'x',
      concurrency: 'abc',
      items: [
        { key: 'a', environment: ENV },
        { key: 'a', environment: ENV },
      ],
    });
    expect(issues).toEqual([
      'concurrency: must be a number, got "abc"',
      'items[1].key: "a" is used twice; keys must be unique',
    ]);
  });

  it('says what a field needs in plain words: required, wrong type, empty, one of a set', () => {
    const base = { message: 'x', items: [{ key: 'a', environment: ENV }] };
    const text = issuesOf({
      ...base,
      failureThreshold: { minFinished: 2 },
      pollIntervalSeconds: 'soon',
      concurrency: null,
      size: 'smal',
    }).join('\n');
    expect(text).toMatch(
      /^failureThreshold\.percent: is required: the percentage of finished items that may fail, 0-100$/m,
    );
    expect(text).toMatch(
      /^pollIntervalSeconds: must be a number of seconds \(polling interval .*\), got "soon"$/m,
    );
    expect(text).toMatch(/^concurrency: is empty: give a number, or leave the field out$/m);
    expect(text).toMatch(/^size: must be one of "small", "large", got "smal"; did you mean "small"\?$/m);
    expect(text).not.toMatch(/expected|received|Invalid/);
    expect(issuesOf({ ...base, message: 42 }).join()).toBe(
      'message: must be a text (the instruction sent to every agent), got 42',
    );
    expect(issuesOf({ items: base.items }).join()).toBe(
      'message: is required: the instruction sent to every agent',
    );
  });

  it('names an unknown field with the one most likely meant', () => {
    const base = { message: 'x', items: [{ key: 'a', environment: ENV }] };
    expect(issuesOf({ ...base, concurency: 5 })).toEqual([
      'concurency: unknown field; did you mean "concurrency"?',
    ]);
    expect(issuesOf({ ...base, items: [{ key: 'a', environment: ENV, repo: 'acme/api' }] })).toEqual([
      'items[0].repo: unknown field; did you mean "repository"?',
    ]);
    expect(issuesOf({ ...base, colour: 'red' }).join()).toMatch(
      /^colour: unknown field; the fields here are id, name, message, /,
    );
    expect(closestWord('thinkinglevel', ['model', 'thinkingLevel'])).toBe('thinkingLevel');
    expect(closestWord('xyz', ['model', 'size'])).toBeUndefined();
    expect(issuePath(['items', 3, 'vars', 'team'])).toBe('items[3].vars.team');
  });

  it('gives the line of each problem in a YAML file, and in a JSON one', () => {
    const yaml = fileOf(
      'lint.yaml',
      [
        'message: Upgrade {{repository}}',
        'concurency: 5',
        'items:',
        `  - { key: acme-api, environment: ${ENV}, repository: acme/api }`,
        `  - { key: acme-web, environment: ${ENV}, repository: acme/web }`,
        `  - { key: acme-api, environment: ${ENV}, repository: acme/api }`,
        'failureThreshold:',
        '  minFinished: 2',
        '',
      ].join('\n'),
    );
    const error = rejection(() => loadCampaignSpec(yaml));
    expect(error.problems.map((p) => [p.line, p.field])).toEqual([
      [2, 'concurency'],
      [6, 'items[2].key'],
      // A field the file lacks is placed at the field that should hold it.
      [7, 'failureThreshold.percent'],
    ]);
    expect(error.message).toContain(`${yaml}:6: items[2].key: "acme-api" is used twice; keys must be unique`);
    const json = fileOf(
      'lint.json',
      JSON.stringify({ message: 'x', items: [{ key: 'a', environment: 'nope' }] }, null, 2),
    );
    expect(rejection(() => loadCampaignSpec(json)).problems).toEqual([
      { field: 'items[0].environment', line: 6, message: 'must be the UUID of the environment to run in' },
    ]);
    expect(
      rejection(() => loadCampaignSpec(fileOf('broken.yaml', 'message: x\nmessage: y\n'))).problems,
    ).toEqual([{ field: '', line: 2, message: 'Map keys must be unique' }]);
  });

  it('refuses a placeholder an item cannot fill, naming the item and the placeholder', () => {
    const items = [
      { key: 'a', environment: ENV, repository: 'acme/a', vars: { team: 'core' } },
      { key: 'b', environment: ENV },
      { key: 'c', environment: ENV, vars: { team: 'web' } },
    ];
    expect(issuesOf({ message: 'Fix {{repository}} for {{vars.team}}', items })).toEqual([
      'items[1]: item "b" has no repository, which message uses as {{repository}}; 1 more item(s) lack it too: "c"',
      'items[1]: item "b" has no vars.team, which message uses as {{vars.team}}',
    ]);
    expect(issuesOf({ message: 'x', followUps: ['Ask {{vars.owner}}'], items: items.slice(0, 1) })).toEqual([
      'items[0]: item "a" has no vars.owner, which followUps[0] uses as {{vars.owner}}',
    ]);
    expect(issuesOf({ message: 'Fix {{repo}}', items: items.slice(0, 1) }).join()).toMatch(
      /^message: \{\{repo\}\} is not a placeholder; did you mean \{\{repository\}\}\?/,
    );
    // A targets campaign's items carry a repository, an environment and a key, never vars.
    expect(issuesOf({ message: 'Fix {{vars.team}}', targets: { repositories: 'acme/*' } }).join()).toMatch(
      /^message: uses \{\{vars\.team\}\}, but the items of a targets campaign have no vars/,
    );
    expect(
      parseCampaignSpec({
        message: '{{repository}} {{environment}} {{item.key}}',
        targets: { repositories: 'a/*' },
      }).spec.targets,
    ).toEqual({ repositories: 'a/*' });
    expect(missingPlaceholders('{{repository}}', { key: 'k', environmentId: 'e' })).toEqual(['repository']);
  });

  it('checks an add-items file against the campaign templates, with the line of each item', () => {
    const file = loadItems(
      fileOf(
        'more.yaml',
        [
          `- { key: svc-a, environment: ${ENV}, repository: acme/a, vars: { service: a } }`,
          `- key: svc-b`,
          `  environment: ${ENV}`,
          `  repository: acme/b`,
          '',
        ].join('\n'),
      ),
    );
    expect(() => assertItemsRender(file, { message: 'Fix {{repository}}' })).not.toThrow();
    const error = rejection(() =>
      assertItemsRender(file, { message: 'Fix {{vars.service}}', followUps: ['Then {{vars.service}}'] }),
    );
    expect(error.problems).toEqual([
      {
        field: '[1]',
        line: 2,
        message: `item "svc-b" has no vars.service, which the campaign's message uses as {{vars.service}}`,
      },
      {
        field: '[1]',
        line: 2,
        message: `item "svc-b" has no vars.service, which the campaign's follow-up 1 uses as {{vars.service}}`,
      },
    ]);
    expect(error.message).toMatch(
      /^invalid items file .*more\.yaml \(2 problems\):\n {2}.*more\.yaml:2: \[1\]: item "svc-b"/,
    );
  });

  it('prints every problem of a spec from the CLI with its line and a did-you-mean, exit 2', async () => {
    const spec = fileOf(
      'three.yaml',
      [
        'message: Upgrade the linter in {{repository}}',
        'concurency: 5',
        'items:',
        `  - { key: acme-api, environment: ${ENV}, repository: acme/api }`,
        `  - { key: acme-api, environment: ${ENV}, repository: acme/web }`,
        'pollIntervalSeconds: soon',
        '',
      ].join('\n'),
    );
    const run = await captureConsole(() => runCommand(campaignCommand, ['validate', spec]));
    expect(run.code).toBe(2);
    expect(run.err).toContain(`${spec}:2: concurency: unknown field; did you mean "concurrency"?`);
    expect(run.err).toContain(`${spec}:5: items[1].key: "acme-api" is used twice; keys must be unique`);
    expect(run.err).toMatch(
      new RegExp(`three\\.yaml:6: pollIntervalSeconds: must be a number of seconds .*, got "soon"`),
    );
    const json = await captureConsole(() => runCommand(campaignCommand, ['validate', spec, '--json']));
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({
      valid: false,
      errors: [
        'concurency: unknown field; did you mean "concurrency"?',
        'items[1].key: "acme-api" is used twice; keys must be unique',
        expect.stringMatching(/^pollIntervalSeconds: /),
      ],
      problems: [{ line: 2 }, { line: 5 }, { line: 6 }],
    });
  });
});

describe('the tracking block', () => {
  const base = { message: 'x', items: [{ key: 'a', environment: '00000000-0000-4000-8000-000000000001' }] };

  it('fills in the defaults, takes minutes and days, and keeps an explicit false', () => {
    // The sweep stays unset: where the campaign is applied picks it (shorter without webhooks).
    expect(parseCampaignSpec({ ...base, tracking: {} }).spec.tracking).toEqual({ maxDays: 30 });
    expect(parseCampaignSpec({ ...base, tracking: { sweepMinutes: 2, maxDays: 7 } }).spec.tracking).toEqual({
      sweepMs: 120_000,
      maxDays: 7,
    });
    expect(parseCampaignSpec({ ...base, tracking: { reportSeconds: 5 } }).spec.tracking).toEqual({
      maxDays: 30,
      reportMs: 5_000,
    });
    expect(parseCampaignSpec({ ...base, tracking: false }).spec.tracking).toBe(false);
    expect(parseCampaignSpec(base).spec.tracking).toBeUndefined();
  });

  it('names a bad value and an unknown key', () => {
    expect(() => parseCampaignSpec({ ...base, tracking: { sweepMinutes: 0 } })).toThrow(
      /tracking\.sweepMinutes/,
    );
    expect(() => parseCampaignSpec({ ...base, tracking: { maxDay: 3 } })).toThrow(/maxDays/);
    expect(() => parseCampaignSpec({ ...base, tracking: { reportSeconds: 0 } })).toThrow(
      /tracking\.reportSeconds/,
    );
  });
});

describe('where a code host is configured', () => {
  const spec = parseCampaignSpec({
    message: 'x',
    items: [{ key: 'a', environment: '00000000-0000-4000-8000-000000000001' }],
  }).spec;

  it('follows PRs and keeps each workspace until its PR settles, unless the spec chose otherwise', () => {
    expect(withCodeHostDefaults(spec)).toMatchObject({
      tracking: { sweepMs: 600_000, maxDays: 30 },
      job: { cleanup: 'after-merge' },
    });
    expect(withCodeHostDefaults({ ...spec, job: { ...spec.job, cleanup: 'delete' } }).job.cleanup).toBe(
      'delete',
    );
    expect(withCodeHostDefaults({ ...spec, tracking: false })).toEqual({ ...spec, tracking: false });
    expect(withCodeHostDefaults(spec, { sweepMs: 5_000 }).tracking).toEqual({ sweepMs: 5_000, maxDays: 30 });
  });

  it('sweeps every 2 minutes where no webhook reaches the ingress, unless the spec chose a sweep', () => {
    const token = { GITHUB_TOKEN: 'ghp_x' };
    expect(specWhereApplied(spec, token).tracking).toEqual({ sweepMs: 120_000, maxDays: 30 });
    expect(specWhereApplied(spec, { ...token, GITHUB_WEBHOOK_SECRET: 's' }).tracking).toEqual({
      sweepMs: 600_000,
      maxDays: 30,
    });
    const chosen = parseCampaignSpec({
      message: 'x',
      items: [{ key: 'a', environment: '00000000-0000-4000-8000-000000000001' }],
      tracking: { sweepMinutes: 30 },
    }).spec;
    expect(specWhereApplied(chosen, token).tracking).toEqual({ sweepMs: 1_800_000, maxDays: 30 });
    expect(specWhereApplied(spec, {})).toEqual(spec);
  });
});

describe('the pullRequests block (the fix loop)', () => {
  const base = {
    message: 'x',
    items: [{ key: 'a', environment: '00000000-0000-4000-8000-000000000001' }],
  };
  const token = { GITHUB_TOKEN: 'ghp_x', GITHUB_WEBHOOK_SECRET: 's' };

  it('takes who fixes, the cap and the templates by cause, defaults filled in', () => {
    expect(
      parseCampaignSpec({
        ...base,
        pullRequests: { maxFixTurns: 5, messages: { checksFailing: 'Fix {{checks}} on {{pr}}' } },
      }).spec.fixes,
    ).toEqual({
      fixes: 'campaign',
      maxFixTurns: 5,
      messages: { 'checks-failing': 'Fix {{checks}} on {{pr}}' },
    });
    expect(parseCampaignSpec({ ...base, pullRequests: { fixes: 'off' } }).spec.fixes).toEqual({
      fixes: 'off',
      maxFixTurns: 3,
    });
  });

  it('names a cap out of range, an unknown fixer or cause, and two answerers at once', () => {
    const problems = (document: unknown) => {
      try {
        parseCampaignSpec(document);
      } catch (error) {
        return (error as CampaignSpecError).issues;
      }
      return [];
    };
    expect(problems({ ...base, pullRequests: { maxFixTurns: 11 } })).toEqual([
      'pullRequests.maxFixTurns: must be from 0 to 10',
    ]);
    expect(problems({ ...base, pullRequests: { fixes: 'robots' } })[0]).toMatch(
      /^pullRequests\.fixes: .*campaign.*platform.*off/,
    );
    expect(problems({ ...base, pullRequests: { messages: { lint: 'x' } } })[0]).toMatch(
      /pullRequests\.messages/,
    );
    expect(
      problems({ ...base, pullRequests: { fixes: 'campaign' }, workspace: { prFollowups: true } })[0],
    ).toMatch(/^pullRequests\.fixes: is campaign while workspace\.prFollowups is true/);
    expect(problems({ ...base, pullRequests: {}, tracking: false })[0]).toMatch(
      /^pullRequests: needs the campaign to follow its PRs/,
    );
  });

  it('is refused without a code host, naming the variables; with one, the campaign fixes and the platform stays quiet', () => {
    const spec = parseCampaignSpec({ ...base, pullRequests: { maxFixTurns: 2 } }).spec;
    expect(() => specWhereApplied(spec, {}, 'lint.yaml')).toThrow(
      /lint\.yaml: pullRequests: the fix loop follows PRs on a code host, and none is configured: set GITHUB_TOKEN/,
    );
    const plain = parseCampaignSpec(base).spec;
    expect(specWhereApplied(plain, token)).toMatchObject({
      fixes: { fixes: 'campaign', maxFixTurns: 3 },
      job: { workspaceConfig: { prFollowups: false } },
    });
    // Platform follow-ups asked for: they answer, and the campaign does not.
    const platform = parseCampaignSpec({ ...base, workspace: { prFollowups: true } }).spec;
    expect(specWhereApplied(platform, token)).toMatchObject({
      fixes: { fixes: 'platform' },
      job: { workspaceConfig: { prFollowups: true } },
    });
  });
});
