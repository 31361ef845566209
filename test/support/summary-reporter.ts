import type { File, Reporter, Task } from 'vitest' with { 'resolution-mode': 'import' };

function count(tasks: Task[], counts: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === 'suite' && task.tasks.length === 0 && task.result?.state === 'fail') counts.failed += 1;
    else if (task.type === 'suite') count(task.tasks, counts);
    else if (task.result?.state === 'pass') counts.passed += 1;
    else if (task.result?.state === 'fail') counts.failed += 1;
    else counts.skipped += 1;
  }
}

/** Prints one plain closing `N passed, N failed, N skipped` line that any CI log reader understands. */
export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    count(files, counts);
    // Errors outside tests (a crashed file, an unhandled rejection) fail the run too.
    counts.failed += errors.length;
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
