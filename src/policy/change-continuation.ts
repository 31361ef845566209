/**
 * How a re-run of an item continues the change an earlier run left (one PR per item): what the agent
 * is told, and whether a kept workspace can take the turn. Plain code, used by the job workflow.
 */
import type { ContinueChange, ReplicaSnapshot } from '../contracts';

/**
 * The message of a re-run's first turn: the PR and branch to continue, why the last run stopped,
 * then the task itself. The agent pushes to that branch; the existing PR picks the commits up.
 */
export function continuationMessage(change: ContinueChange, task: string): string {
  const branch = change.branch ? ` (branch \`${change.branch}\`)` : '';
  const why = change.previousError ? `\nThe previous attempt stopped: ${change.previousError}\n` : '';
  return [
    `This task already has a pull request: ${change.pullRequest}${branch}.`,
    `Continue that change: check out its branch, push your commits to it, and do not open a new pull request.`,
    why,
    `The task:`,
    task,
  ].join('\n');
}

/** A kept workspace a re-run can continue on: it still exists and is not in error (asleep is fine: it wakes). */
export function canContinueOn(snapshot: ReplicaSnapshot): boolean {
  return snapshot.status !== 'deleted' && snapshot.status !== 'error';
}
