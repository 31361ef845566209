import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const depcruise = path.join(root, 'node_modules', '.bin', 'depcruise');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

async function cruise(cwd: string): Promise<Violation[]> {
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const run = await promisify(execFile)(depcruise, ['src', '--config', config, '--output-type', 'json'], {
    cwd,
  }).catch((error: { stdout: string }) => error);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** A scratch tree in the project's layout, with the files given. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true } }),
  );
  // Packages resolve as they do in the project, so package rules are exercised too.
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('the import graph (npm run lint)', () => {
  it('holds for the project as it is', async () => {
    expect(await cruise(root)).toEqual([]);
  }, 60_000);

  it('fails on each kind of wrong import, naming the rule', async () => {
    const dir = tree({
      'src/contracts/job.ts': "import { x } from '../workflows/job';\nexport const y = x;\n",
      'src/workflows/job.ts':
        "import { readFileSync } from 'node:fs';\nimport { z } from '../activities/run';\nexport const x = [readFileSync, z];\n",
      'src/workflows/types.ts': "import type { Hook } from '../webhooks/ingress';\nexport type T = Hook;\n",
      'src/activities/run.ts': "import { hook } from '../webhooks/ingress';\nexport const z = hook;\n",
      'src/webhooks/ingress.ts': 'export const hook = 1;\nexport type Hook = number;\n',
      'src/replicas/client.ts': "import { y } from '../contracts/job';\nexport const c = y;\n",
      'src/simulator/engine.ts': "import { hook } from '../webhooks/ingress';\nexport const e = hook;\n",
      'src/simulator/index.ts': "export { e } from './engine';\n",
      'src/workflows/io.ts': "import { z } from 'zod';\nexport const schema = z.string();\n",
      'src/policy/rule.ts': "import { sleep } from '@temporalio/workflow';\nexport const rule = sleep;\n",
      'src/policy/checks.ts': "import type { Octokit } from '@octokit/core';\nexport type Host = Octokit;\n",
      'src/code-host/adapter.ts': "import { hook } from '../webhooks/ingress';\nexport const a = hook;\n",
      'src/cli/main.ts':
        "import { e } from '../simulator/engine';\nimport { x } from '../workflows/job';\nexport const m = [e, x];\n",
    });
    // Package paths end at the package's entry file, which differs by version: keep the package.
    const found = (await cruise(dir)).map(
      (v) =>
        `${v.rule.name}: ${v.from} -> ${v.to.replace(/^.*?node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, 'node_modules/$1')}`,
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'contracts-import-nothing-of-ours: src/contracts/job.ts -> src/workflows/job.ts',
        'workflows-no-node-or-io: src/workflows/job.ts -> fs',
        'workflows-import-contracts-and-activity-types: src/workflows/job.ts -> src/activities/run.ts',
        'workflows-type-import-activities-only: src/workflows/types.ts -> src/webhooks/ingress.ts',
        'activities-import-contracts-and-client: src/activities/run.ts -> src/webhooks/ingress.ts',
        'replicas-client-imports-nothing-of-ours: src/replicas/client.ts -> src/contracts/job.ts',
        'simulator-imports-contracts-and-client: src/simulator/engine.ts -> src/webhooks/ingress.ts',
        'simulator-internals-stay-inside: src/cli/main.ts -> src/simulator/engine.ts',
        'client-side-loads-workflow-messages-only: src/cli/main.ts -> src/workflows/job.ts',
        'workflows-no-io-packages: src/workflows/io.ts -> node_modules/zod',
        'policy-has-no-temporal: src/policy/rule.ts -> node_modules/@temporalio/workflow',
        'workflows-no-io-packages: src/policy/checks.ts -> node_modules/@octokit/core',
        'code-host-imports-contracts-config-and-redaction: src/code-host/adapter.ts -> src/webhooks/ingress.ts',
      ]),
    );
  }, 60_000);
});
