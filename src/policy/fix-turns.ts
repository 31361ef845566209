/**
 * The fix loop's rules: why a PR is not mergeable, whether the campaign sends its agent a fix turn
 * now, waits, or stops (and why), and what the turn says. Plain code, time passed in, used by the
 * shard workflow. One fix turn per PR, cause and ref (the head commit, or the review): a failure
 * reported again sends nothing more.
 */
import type { FixCause, FixSettings, FixTurn, TrackedChange } from '../contracts';

export const DEFAULT_FIX_MESSAGES: Record<FixCause, string> = {
  'checks-failing': [
    'The checks of your pull request {{pr}} fail on its latest commit:',
    '{{checks}}',
    'Find out why, fix the code (not the checks), and push the fix to the same branch ({{branch}}).',
  ].join('\n\n'),
  'changes-requested': [
    'A review of your pull request {{pr}} requests changes:',
    '{{review}}',
    'Make the changes asked for and push them to the same branch ({{branch}}).',
  ].join('\n\n'),
  conflicting: [
    'Your pull request {{pr}} conflicts with its base branch {{base}}.',
    'Merge the latest {{base}} into {{branch}} (or rebase onto it), resolve the conflicts keeping both intents, make sure it builds, and push to the same branch.',
  ].join('\n\n'),
  behind: [
    'Your pull request {{pr}} is behind its base branch {{base}}.',
    'Merge the latest {{base}} into {{branch}} (or rebase onto it), make sure it still builds and passes, and push to the same branch.',
  ].join('\n\n'),
};

/** Why the PR is not mergeable now, the most pressing first; undefined when nothing asks for a fix. */
export function causeOf(change: TrackedChange): FixCause | undefined {
  if (change.mergeability === 'conflicting') return 'conflicting';
  // Checks still running on the head say nothing yet: the turn waits for the verdict of them all.
  const states = Object.values(change.checkStates ?? {});
  const settled = !states.some((s) => s.verdict === 'pending');
  if (change.checks === 'failing' && settled) return 'checks-failing';
  if (change.review === 'changes-requested') return 'changes-requested';
  if (change.mergeability === 'behind') return 'behind';
  return undefined;
}

/** What a turn answers: a review outlives pushes, so it is the review; everything else is the head. */
export function refOf(change: TrackedChange, cause: FixCause): string {
  if (cause !== 'changes-requested') return change.headSha;
  const ids = (change.changeRequests ?? []).map((r) => r.id);
  return ids.length > 0 ? `review:${Math.max(...ids)}` : 'review:decision';
}

export type FixVerdict =
  | { kind: 'none' }
  | { kind: 'send'; cause: FixCause; ref: string; number: number }
  | { kind: 'stop'; reason: string; waitsForBudget?: true };

/**
 * What the campaign does about one followed PR now. `workspace` tells whether the item's workspace is
 * kept (a fix turn runs there, with the agent's context); `budget.spent`, that the turns the campaign
 * granted within its budget are used up (the turn waits until another is granted).
 */
export function fixVerdict(
  change: TrackedChange | undefined,
  settings: FixSettings | undefined,
  workspace: { kept: boolean },
  budget: { spent?: boolean } = {},
): FixVerdict {
  if (!change || !settings || settings.fixes !== 'campaign') return { kind: 'none' };
  if (change.lifecycle !== 'open' || change.expired) return { kind: 'none' };
  const turns = change.fixTurns ?? [];
  // While a turn runs, what is reported of the old head waits for the new one.
  if (turns.some((t) => t.state === 'running')) return { kind: 'none' };
  const cause = causeOf(change);
  if (!cause) return { kind: 'none' };
  const ref = refOf(change, cause);
  if (turns.some((t) => t.cause === cause && t.ref === ref)) return { kind: 'none' };
  if (turns.length >= settings.maxFixTurns)
    return { kind: 'stop', reason: `${turns.length} fix turns used; ${stillWrong(change, cause)}` };
  if (!workspace.kept)
    return {
      kind: 'stop',
      reason: `needs attention: ${stillWrong(change, cause)}, and the workspace that opened it is gone (deleted or expired); fix the PR by hand, or close it and run the item again`,
    };
  if (budget.spent)
    return {
      kind: 'stop',
      reason: `waiting for the budget: no fix turn starts until the campaign grants one, and none is granted past budgetUsd; ${stillWrong(change, cause)}`,
      waitsForBudget: true,
    };
  return { kind: 'send', cause, ref, number: turns.length + 1 };
}

/** The fix turns sent over these PRs, running ones included: what a budget cap on fix turns counts. */
export function fixTurnsSent(changes: Iterable<TrackedChange | undefined>): number {
  let sent = 0;
  for (const change of changes) sent += change?.fixTurns?.length ?? 0;
  return sent;
}

/** `checks still failing: lint, unit-tests`. */
function stillWrong(change: TrackedChange, cause: FixCause): string {
  switch (cause) {
    case 'checks-failing':
      return `checks still failing: ${(change.failingChecks ?? []).join(', ') || 'unknown'}`;
    case 'changes-requested':
      return 'changes still requested';
    case 'conflicting':
      return 'still conflicting with its base';
    case 'behind':
      return 'still behind its base';
  }
}

/** The turn as recorded before its job starts. */
export function beginFixTurn(
  change: TrackedChange,
  verdict: Extract<FixVerdict, { kind: 'send' }>,
  nowMs: number,
): FixTurn {
  const turn: FixTurn = {
    number: verdict.number,
    cause: verdict.cause,
    ref: verdict.ref,
    headSha: change.headSha,
    atMs: nowMs,
    state: 'running',
  };
  change.fixTurns = [...(change.fixTurns ?? []), turn];
  delete change.stopReason;
  return turn;
}

/** The turn's job ended: sent (the agent answered) or failed, with why. */
export function endFixTurn(change: TrackedChange, number: number, error: string | undefined): void {
  const turn = change.fixTurns?.find((t) => t.number === number);
  if (!turn || turn.state !== 'running') return;
  turn.state = error === undefined ? 'sent' : 'failed';
  if (error !== undefined) {
    turn.error = error;
    change.stopReason = `needs attention: fix turn ${number} could not be sent: ${error}`;
  }
}

/** The message of a fix turn: the spec's template for the cause (or the default), filled in. */
export function fixMessage(
  change: TrackedChange,
  cause: FixCause,
  settings: FixSettings,
  where: { branch?: string; base?: string },
): string {
  const template = settings.messages?.[cause] ?? DEFAULT_FIX_MESSAGES[cause];
  const values: Record<string, string> = {
    pr: change.url,
    branch: where.branch ?? 'its branch',
    base: where.base ?? change.baseBranch ?? 'the base branch',
    checks: failingChecksText(change),
    review: reviewText(change),
  };
  return template.replace(
    /\{\{\s*(pr|branch|base|checks|review)\s*\}\}/g,
    (_, name: string) => values[name] ?? '',
  );
}

/** `- lint: 3 errors — src/a.ts:1 unused import (https://…)`, one line a failing check. */
function failingChecksText(change: TrackedChange): string {
  const lines = Object.entries(change.checkStates ?? {})
    .filter(([, state]) => state.verdict === 'failing')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, state]) => {
      const said = [state.title, state.summary].filter(Boolean).join(' — ');
      return `- ${name}${said ? `: ${said}` : ''}${state.url ? ` (${state.url})` : ''}`;
    });
  if (lines.length > 0) return lines.join('\n');
  return (change.failingChecks ?? []).map((name) => `- ${name}`).join('\n') || '- (the code host names none)';
}

/** What the reviewers asking for changes wrote, each quoted under their name. */
function reviewText(change: TrackedChange): string {
  const requests = change.changeRequests ?? [];
  if (requests.length === 0)
    return '(the review text was not received; read the reviews on the pull request)';
  return requests
    .map(
      (r) =>
        `${r.reviewer} wrote:\n${(r.body ?? '(no text; see the review comments on the pull request)').replace(/^/gm, '> ')}`,
    )
    .join('\n\n');
}
