import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json';

const root = path.resolve(__dirname, '..', '..');

describe('the ESM-only Octokit packages in the CommonJS build', () => {
  it('each runtime package loads through require() in plain Node, as dist/ loads it, without a warning', async () => {
    const packages = Object.keys(packageJson.dependencies).filter((name) => name.startsWith('@octokit/'));
    expect(packages.length).toBeGreaterThanOrEqual(6);
    // What `tsc` emits for `import { x } from '@octokit/…'` under module node20: a require call.
    const script = `for (const name of ${JSON.stringify(packages)}) {
      const loaded = require(name);
      if (Object.keys(loaded).length === 0) throw new Error(name + ' exported nothing');
    }
    console.log('loaded');`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: root });
    expect(stdout.trim()).toBe('loaded');
    expect(stderr).toBe('');
  });
});
