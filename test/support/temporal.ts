import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { temporalTestServerPath } from './temporal-binaries';

/** Connects to the suite's shared dev server (started in global setup). */
export async function connectToDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
  });
}

/** A private time-skipping server: time is global to it, so never share one between files. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
}

let counter = 0;
/** Unique task queue names keep test files that share one server from stealing each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
