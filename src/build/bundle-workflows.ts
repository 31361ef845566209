import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Prebuilds the workflow bundle so production workers start without running webpack. */
async function main(outputPath: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows') });
  await writeFile(outputPath, code);
  console.log(`workflow bundle written to ${outputPath} (${code.length} bytes)`);
}

main(process.argv[2] ?? 'dist/workflow-bundle.js').catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
