import {
  BulkActionError,
  planBulkAction,
  runBulkAction,
  type BulkFilter,
  type BulkOutcome,
} from '../../campaign-client/bulk-actions';
import { PR_STATES } from '../../campaign-client/pull-requests';
import { MERGE_METHODS, type MergeMethod, type PullRequestAction } from '../../contracts';
import { EXIT, UsageError, command, oneOf, required } from '../command';
import { textTable } from '../format/text-table';
import { printJson } from '../terminal';
import { CONNECTION, withCampaigns } from './campaign-shared';

const COMMON_OPTIONS = {
  items: { type: 'string' },
  state: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const COMMON_HELP = `--items K1,K2 acts on these items' PRs only; --state open|draft|merged|closed on PRs in that state.
--dry-run lists what would happen to each PR and sends nothing. Otherwise the campaign's shards act,
a PR at a time, durably (a worker killed half-way resumes and acts on no PR twice), paced under
GitHub's limits for content-creating requests (GITHUB_WRITES_PER_HOUR, default 500), and this waits
until every PR has its outcome (at most 30 minutes; --no-wait returns at once: 'campaign status'
shows the progress). One PR's refusal never stops the rest. Exit 1 if any PR was refused or failed.
${CONNECTION}`;

function filterOf(values: { items?: string; state?: string }): BulkFilter {
  const items = values.items
    ?.split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (values.items !== undefined && !items?.length)
    throw new UsageError('--items needs item keys, e.g. --items acme-api,acme-web');
  return {
    ...(items && { items }),
    ...(values.state !== undefined && { state: oneOf(values.state, PR_STATES, '--state') }),
  };
}

function outcomesTable(outcomes: readonly BulkOutcome[]): string {
  return textTable(
    ['ITEM', 'OUTCOME', 'PR', 'WHY'],
    outcomes.map((o) => [o.key, o.status, o.url, o.detail ?? '']),
  );
}

/** Runs one bulk action (or its dry run) and reports it per PR. */
async function bulk(
  id: string,
  action: PullRequestAction,
  values: { items?: string; state?: string; 'dry-run'?: boolean; 'no-wait'?: boolean; json?: boolean },
): Promise<number> {
  const filter = filterOf(values);
  return withCampaigns(async (client) => {
    try {
      if (values['dry-run']) {
        const plan = await planBulkAction(client, id, action, filter);
        const outcomes: BulkOutcome[] = [
          ...plan.act.map((r) => ({
            key: r.key,
            url: r.change?.url ?? r.pullRequest ?? '',
            status: 'would act' as const,
          })),
          ...plan.skipped,
        ];
        if (values.json) printJson({ campaignId: id, action, dryRun: true, outcomes, unknown: plan.unknown });
        else {
          console.log(outcomes.length ? outcomesTable(outcomes) : 'no pull request matches');
          console.log(`dry run: ${action.kind} would act on ${plan.act.length}, skip ${plan.skipped.length}`);
        }
        for (const key of plan.unknown) console.error(`unknown item or no PR: ${key}`);
        return EXIT.ok;
      }
      const run = await runBulkAction(client, id, action, filter, {
        wait: !values['no-wait'],
        onProgress: (done, total) => {
          if (!values.json && process.stderr.isTTY)
            process.stderr.write(`\r${action.kind}: ${done}/${total} PRs`);
        },
      });
      if (!values.json && process.stderr.isTTY) process.stderr.write('\n');
      const count = (status: string) => run.outcomes.filter((o) => o.status === status).length;
      if (values.json)
        printJson({ campaignId: id, id: run.id, action, outcomes: run.outcomes, unknown: run.unknown });
      else {
        console.log(run.outcomes.length ? outcomesTable(run.outcomes) : 'no pull request matches');
        console.log(
          `${action.kind} ${run.id}: ${count('done')} done, ${count('refused')} refused, ${count('failed')} failed, ${count('skipped')} skipped, ${run.unfinished} not finished`,
        );
      }
      for (const key of run.unknown) console.error(`unknown item or no PR: ${key}`);
      const bad = count('refused') + count('failed') + run.unfinished;
      return bad > 0 ? EXIT.failed : EXIT.ok;
    } catch (error) {
      if (error instanceof BulkActionError) {
        console.error(error.message);
        return EXIT.failed;
      }
      throw error;
    }
  });
}

export const merge = command({
  name: 'merge',
  summary: 'merge the campaign PRs that are open, green, approved and cleanly mergeable',
  help: `Usage: replica-fleet campaign merge ID [--method squash,merge,rebase] [--require approved|none]
                                     [--items K1,K2] [--state STATE] [--dry-run] [--no-wait] [--json]

Merges only PRs that are open (not drafts), whose checks pass, that are approved (unless --require
none) and cleanly mergeable, as the campaign last read them, passing the head commit it checked: GitHub
refuses a PR whose head moved since. The methods are tried in order where a repository forbids one
(default squash). The others are listed as skipped, with why.
${COMMON_HELP}

Example:
  replica-fleet campaign merge lint-2026-11 --method squash,merge --dry-run`,
  options: { ...COMMON_OPTIONS, method: { type: 'string' }, require: { type: 'string' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const methods = (values.method ?? 'squash').split(',').map((m) => m.trim());
    for (const method of methods) oneOf(method, MERGE_METHODS, '--method');
    const require = oneOf(values.require, ['approved', 'none'] as const, '--require') ?? 'approved';
    return bulk(
      id,
      { kind: 'merge', methods: methods as MergeMethod[], requireApproval: require === 'approved' },
      values,
    );
  },
});

export const closePrs = command({
  name: 'close-prs',
  summary: "close the campaign's open PRs with a comment saying why",
  help: `Usage: replica-fleet campaign close-prs ID --comment TEXT [--items K1,K2] [--state STATE]
                                         [--dry-run] [--no-wait] [--json]

Comments TEXT on each open PR, then closes it without merging.
${COMMON_HELP}

Example:
  replica-fleet campaign close-prs lint-2026-11 --comment "Superseded by the 2027 linter upgrade" --state open`,
  options: { ...COMMON_OPTIONS, comment: { type: 'string' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const comment = values.comment?.trim();
    if (!comment) throw new UsageError('--comment is required: say on each PR why it is closed');
    return bulk(id, { kind: 'close', comment }, values);
  },
});

export const comment = command({
  name: 'comment',
  summary: "comment on the campaign's PRs",
  help: `Usage: replica-fleet campaign comment ID --body TEXT [--items K1,K2] [--state STATE]
                                      [--dry-run] [--no-wait] [--json]

Posts TEXT as a comment on each PR (e.g. to ping reviewers of the open ones: --state open).
${COMMON_HELP}

Example:
  replica-fleet campaign comment lint-2026-11 --state open --body "Friendly ping: this is ready for review"`,
  options: { ...COMMON_OPTIONS, body: { type: 'string' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const body = values.body?.trim();
    if (!body) throw new UsageError('--body is required: the text of the comment');
    return bulk(id, { kind: 'comment', body }, values);
  },
});
