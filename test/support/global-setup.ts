import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { searchAttributeKeys } from '../../src/workflows/search-attributes';
import { temporalCliPath } from './temporal-binaries';

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
    },
  });
  project.provide('temporalAddress', env.address);
  project.provide('temporalNamespace', env.namespace ?? 'default');
  return async () => {
    await env.teardown();
  };
}
