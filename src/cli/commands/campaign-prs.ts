import {
  PR_CHECKS,
  PR_REVIEWS,
  PR_STATES,
  campaignPullRequests,
  syncPullRequests,
  type PullRequestRow,
} from '../../campaign-client/pull-requests';
import { EXIT, command, oneOf, required } from '../command';
import { checksText } from '../format/pull-request-cells';
import { humanDuration } from '../format/units';
import { printJson } from '../terminal';
import { CONNECTION, withCampaigns } from './campaign-shared';
import { textTable } from '../format/text-table';

/** One line per PR: where every change stands, as multi-gitter's and turbolift's status do. */
export function pullRequestsTable(rows: readonly PullRequestRow[], nowMs = Date.now()): string {
  const header = ['ITEM', 'REPOSITORY', 'PR', 'STATE', 'CHECKS', 'REVIEW', 'MERGEABLE', 'AGE', 'URL'];
  const lines = rows.map((r) => [
    r.key,
    r.repository,
    `#${r.number}`,
    r.state,
    checksText(r),
    r.review,
    r.mergeability,
    r.openedAt ? humanDuration(nowMs - Date.parse(r.openedAt)) : '-',
    r.problem ? `${r.url} (${r.problem})` : r.url,
  ]);
  return textTable(header, lines);
}

export const prs = command({
  name: 'prs',
  summary: "the campaign's pull requests: state, checks, review, mergeability, age",
  help: `Usage: replica-fleet campaign prs ID [--state open|draft|merged|closed] [--checks failing|pending|passing|none]
                                   [--review approved|changes-requested|review-required] [--json]

One line per pull request of the campaign's items: item key, repository, number, state, checks (the
failing ones named), review, mergeability, age and URL, as the code host last told it (campaigns follow
their PRs when the worker has a code host: GITHUB_TOKEN or a GitHub App). "unknown" means not read yet.
${CONNECTION}

Example:
  replica-fleet campaign prs lint-2026-11 --checks failing`,
  options: {
    state: { type: 'string' },
    checks: { type: 'string' },
    review: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const filter = {
      state: oneOf(values.state, PR_STATES, '--state'),
      checks: oneOf(values.checks, PR_CHECKS, '--checks'),
      review: oneOf(values.review, PR_REVIEWS, '--review'),
    };
    return withCampaigns(async (client) => {
      const rows = await campaignPullRequests(client, id, filter);
      if (values.json) printJson(rows);
      else console.log(rows.length ? pullRequestsTable(rows) : 'no pull requests match');
      return EXIT.ok;
    });
  },
});

export const sync = command({
  name: 'sync',
  summary: 'read every open pull request of the campaign from the code host now',
  help: `Usage: replica-fleet campaign sync ID [--json]

Asks every shard of the campaign to read all the pull requests it follows now (instead of at the next
sweep), waits until each has been read (at most 2 minutes), then prints them as 'campaign prs' does.
${CONNECTION}

Example:
  replica-fleet campaign sync lint-2026-11`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    return withCampaigns(async (client) => {
      const { rows, stale } = await syncPullRequests(client, id);
      if (values.json) printJson(rows);
      else console.log(rows.length ? pullRequestsTable(rows) : 'no pull requests');
      if (stale > 0) console.error(`warning: ${stale} pull request(s) were not read within 2 minutes`);
      return stale > 0 ? EXIT.failed : EXIT.ok;
    });
  },
});
