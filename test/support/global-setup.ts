import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { searchAttributeKeys } from '../../src/contracts';
import { temporalCliPath } from './temporal-binaries';
import { bundleWorkflowsToFile } from './workflow-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
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
  const { bundlePath, remove } = await bundleWorkflowsToFile();
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    remove();
    await env.teardown();
  };
}
