import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The workflows bundled once for the layer, so each worker skips webpack. */
    workflowBundlePath: string;
  }
}

/**
 * Bundles the workflows (`src/workflows`) once into a temporary file, so every test worker loads the
 * same code instead of running webpack again. Returns the file and how to remove it.
 */
export async function bundleWorkflowsToFile(): Promise<{ bundlePath: string; remove: () => void }> {
  const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-bundle-'));
  const bundlePath = path.join(bundleDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'src', 'workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  writeFileSync(bundlePath, code);
  return { bundlePath, remove: () => rmSync(bundleDir, { recursive: true, force: true }) };
}
