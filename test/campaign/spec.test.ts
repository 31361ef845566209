import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignSpecError, MAX_ITEMS, loadCampaignSpec, parseCampaignSpec } from '../../src/campaign/spec';
import { runCommand } from '../../src/cli/command';
import { campaignCommand } from '../../src/cli/commands/campaign';
import { captureConsole } from '../support/console';
import { renderMessage } from '../../src/contracts';
import { globProblem, repositoryMatcher } from '../../src/contracts/repository-glob';

const ENV = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const root = path.resolve(__dirname, '..', '..');

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
    expect(text).toMatch(/^items\.0\.key: must be non-empty and contain no whitespace/m);
    expect(text).toMatch(/^items\.0\.environment: must be the UUID/m);
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
    ).toMatch(/message: uses \{\{vars\.team\}\}, which item "a" does not define/);
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
    expect(issuesOf({ ...base, rollout: { waves: ['150%'] } }).join()).toMatch(/rollout\.waves\.0/);
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
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spec-'));
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'message: hi\nitems:\n  - key: a b\n    environment: nope\n');
    const campaign = (argv: string[]) => captureConsole(() => runCommand(campaignCommand, argv));
    const good = await campaign(['validate', path.join(root, 'examples', 'campaign.yaml')]);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/valid: 2 item\(s\), concurrency 20/);
    const invalid = await campaign(['validate', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/items\.0\.key: .*whitespace[\s\S]*items\.0\.environment: must be the UUID/);
  });
});
