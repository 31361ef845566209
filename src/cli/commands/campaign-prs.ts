import {
  PR_CHECKS,
  PR_REVIEWS,
  PR_STATES,
  campaignPullRequests,
  markPullRequestsReady,
  syncPullRequests,
  type PullRequestRow,
} from '../../campaign-client/pull-requests';
import {
  ImportFileError,
  importPullRequests,
  importRefusal,
  readPullRequestList,
  type PullRequestImport,
} from '../../campaign-client/pull-request-imports';
import { loadWorkerConfig } from '../../config/worker-config';
import { EXIT, UsageError, command, oneOf, required } from '../command';
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
    [r.problem ? `${r.url} (${r.problem})` : r.url, r.fixTurns && `${r.fixTurns} fix turn(s)`, r.stopReason]
      .filter(Boolean)
      .join(' — '),
  ]);
  return textTable(header, lines);
}

export const prs = command({
  name: 'prs',
  summary: "the campaign's pull requests: state, checks, review, mergeability, age",
  help: `Usage: replica-fleet campaign prs ID [--state open|draft|merged|closed] [--checks failing|pending|passing|none]
                                   [--review approved|changes-requested|review-required] [--mark-ready] [--json]

One line per pull request of the campaign's items: item key, repository, number, state, checks (the
failing ones named), review, mergeability, age and URL, as the code host last told it (campaigns follow
their PRs when the worker has a code host: GITHUB_TOKEN or a GitHub App). "unknown" means not read yet.

--mark-ready turns every open draft PR of the campaign into a ready one (publish after a draft run,
as with \`pullRequest: {draft: true}\`): the campaign's shards do it through the code host, a draft
at a time, durably; this waits up to 2 minutes, then lists the PRs. Exit 1 if a draft is left, with why.
${CONNECTION}

Example:
  replica-fleet campaign prs lint-2026-11 --checks failing`,
  options: {
    state: { type: 'string' },
    checks: { type: 'string' },
    review: { type: 'string' },
    'mark-ready': { type: 'boolean' },
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
      let left: PullRequestRow[] = [];
      if (values['mark-ready']) {
        const readied = await markPullRequestsReady(client, id);
        left = readied.rows.filter((r) => readied.left.includes(r.key));
        console.error(`${readied.marked.length} draft PR(s) marked ready for review`);
        for (const r of left)
          console.error(`  still a draft: ${r.key} ${r.url}${r.problem ? ` (${r.problem})` : ''}`);
      }
      const rows = await campaignPullRequests(client, id, filter);
      if (values.json) printJson(rows);
      else console.log(rows.length ? pullRequestsTable(rows) : 'no pull requests match');
      return left.length > 0 ? EXIT.failed : EXIT.ok;
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

export const importPrs = command({
  name: 'import-prs',
  summary: 'follow pull requests opened elsewhere as items of the campaign (one URL a line)',
  help: `Usage: replica-fleet campaign import-prs ID FILE [--json]

FILE holds one pull request URL a line (https://github.com/OWNER/REPO/pull/NUMBER); blank lines and
lines starting with # are skipped. Each PR becomes an item of the campaign keyed OWNER/REPO#NUMBER,
whose change it is from the start: it is followed like the agents' PRs (state, checks, review,
mergeability, the burndown) and no agent runs for it. A bad line is named with its number (exit 2) and
nothing is sent; a PR already an item's change is left to that item. The campaign must follow PRs
(applied where GITHUB_TOKEN or a GitHub App is configured). A PR on another host than the worker's,
in a deleted repository or moved elsewhere is reported on its item.
${CONNECTION}

Example:
  replica-fleet campaign import-prs lint-2026-11 opened-by-hand.txt`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const file = required(positionals, 1, 'FILE');
    let list: PullRequestImport[];
    try {
      list = readPullRequestList(file);
    } catch (error) {
      if (error instanceof ImportFileError) {
        console.error(`replica-fleet campaign import-prs: ${error.message}`);
        return Promise.resolve(EXIT.usage);
      }
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    if (list.length === 0) throw new UsageError(`${file} holds no pull request URL`);
    const config = loadWorkerConfig();
    return withCampaigns(async (client) => {
      const refusal = await importRefusal(client, id);
      if (refusal) {
        console.error(`replica-fleet campaign import-prs: ${refusal}`);
        return EXIT.failed;
      }
      const outcome = await importPullRequests(client, id, list, { taskQueue: config.taskQueue });
      const known = outcome.known.map(({ pr, item }) => ({ url: pr.url, line: pr.line, item }));
      if (values.json)
        printJson({
          campaignId: id,
          imported: outcome.imported.map(({ key, url }) => ({ key, url })),
          known,
        });
      else {
        console.log(`campaign ${id}: ${outcome.imported.length} pull request(s) imported, now followed`);
        for (const k of known)
          console.log(`  line ${k.line}: ${k.url} is already the change of item ${k.item}`);
      }
      return EXIT.ok;
    });
  },
});
