import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { searchAttributeKeys } from '../../src/contracts';
import { temporalCliPath } from './temporal-binaries';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    /** The workflows bundled once for the suite, so each worker skips webpack. */
    workflowBundlePath: string;
  }
}

/** One real dev server for the whole suite; each test file uses its own task queues on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...searchAttributeKeys],
      // Suggest continue-as-new early, so campaign tests cross runs with a few hundred items.
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=300'],
    },
  });
  project.provide('temporalAddress', env.address);
  project.provide('temporalNamespace', env.namespace ?? 'default');
  const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-bundle-'));
  const bundlePath = path.join(bundleDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'src', 'workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  writeFileSync(bundlePath, code);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    rmSync(bundleDir, { recursive: true, force: true });
    await env.teardown();
  };
}
