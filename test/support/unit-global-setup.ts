import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { bundleWorkflowsToFile } from './workflow-bundle';

/**
 * The unit layer starts no shared server: its workflow tests each run a private time-skipping server.
 * It only bundles the workflows once for them.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const { bundlePath, remove } = await bundleWorkflowsToFile();
  project.provide('workflowBundlePath', bundlePath);
  return remove;
}
