/**
 * Bulk actions on a campaign's pull requests (`campaign merge`, `close-prs`, `comment`): what is asked,
 * and where each PR's request stands. Plain data: it rides in shard state and workflow history.
 */
import type { MergeMethod } from './code-host';

export const MERGE_METHODS = ['squash', 'merge', 'rebase'] as const satisfies readonly MergeMethod[];

export type PullRequestAction =
  /** Only open, green, cleanly mergeable PRs (and approved ones, unless `requireApproval` is false). */
  | { kind: 'merge'; methods: MergeMethod[]; requireApproval: boolean }
  | { kind: 'close'; comment?: string }
  | { kind: 'comment'; body: string };

export type PullRequestActionKind = PullRequestAction['kind'];

/** One PR's part in a bulk action: recorded before anything is sent, so a crash repeats nothing. */
export interface ActionState {
  /** The bulk action's id: every PR it touched carries it. */
  id: string;
  kind: PullRequestActionKind;
  /** `refused`: the guard or the host said no (why in `detail`); `failed`: the host could not be asked. */
  status: 'pending' | 'done' | 'refused' | 'failed';
  detail?: string;
  atMs: number;
}

/** A bulk action sent to one shard: these of its items' PRs. */
export interface ActionRequest {
  id: string;
  action: PullRequestAction;
  keys: string[];
}

/** What the code host answered for one PR. */
export interface ActionOutcome {
  status: 'done' | 'refused';
  detail?: string;
}

/** The task queue of code-host writes: its rate limit is the one limiter under GitHub's content limits. */
export function codeHostWritesQueue(apiTaskQueue: string): string {
  return `${apiTaskQueue}-code-host-writes`;
}

/** GitHub's limit on content-creating requests: 80 a minute and 500 an hour; the hour binds. */
export const CODE_HOST_WRITES_PER_HOUR = 500;
