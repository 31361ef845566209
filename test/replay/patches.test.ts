import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as patches from '../../src/workflows/patches';

const src = path.join(__dirname, '..', '..', 'src');
const patchesFile = path.join(src, 'workflows', 'patches.ts');

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts')
      ? [{ file: path.relative(src, full), text: readFileSync(full, 'utf8') }]
      : [];
  });
}

const others = sources(src).filter(({ file }) => path.join(src, file) !== patchesFile);
/** Every `patched(…)` and `deprecatePatch(…)` call outside patches.ts, with what it passes. */
const calls = others.flatMap(({ file, text }) =>
  [...text.matchAll(/\b(?:patched|deprecatePatch)\(\s*([^)]*?)\s*\)/g)].map((m) => ({ file, arg: m[1] })),
);

/**
 * A patch id retired too early, or defined beside the workflow that asks it, is how a running campaign
 * ends up replaying the wrong path: every id lives in src/workflows/patches.ts, with its retirement.
 */
describe('patch ids live in one place', () => {
  const ids = Object.entries(patches);

  it('every patch id in patches.ts is asked by some workflow', () => {
    expect(ids.length).toBeGreaterThan(0);
    for (const [name] of ids) {
      expect(
        calls.filter((call) => call.arg === name).map((call) => call.file),
        name,
      ).not.toEqual([]);
    }
  });

  it('every patched() call passes an id named in patches.ts, never a literal or a local constant', () => {
    expect(calls.length).toBeGreaterThan(0);
    const stray = calls.filter((call) => !ids.some(([name]) => name === call.arg));
    expect(stray).toEqual([]);
  });

  it('no id string of patches.ts is spelled again elsewhere', () => {
    for (const [, id] of ids) {
      expect(others.filter(({ text }) => text.includes(`'${id}'`)).map(({ file }) => file)).toEqual([]);
    }
  });

  it('ids are distinct', () => {
    const values = ids.map(([, id]) => id);
    expect(new Set(values).size).toBe(values.length);
  });
});
