import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { parsePullRequestUrl, type CampaignItem } from '../contracts';
import { applyCampaign, type ApplyOutcome } from './apply';
import { campaignHeader, campaignRecords } from './reads';

/** A line of an import file that is not a pull request URL; `line` counts from 1. */
export class ImportFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number; text: string }[],
  ) {
    super(
      problems
        .map(
          (p) =>
            `${file}:${p.line}: "${p.text}" is not a pull request URL; write one URL a line, like https://github.com/OWNER/REPO/pull/NUMBER`,
        )
        .join('\n'),
    );
  }
}

/** One PR to import, as its item will be keyed. */
export interface PullRequestImport {
  line: number;
  url: string;
  repository: string;
  number: number;
  /** `OWNER/REPO#NUMBER`: the item key, the same whoever imports it. */
  key: string;
}

/**
 * Parses an import file: one PR URL a line; blank lines and `#` comments are skipped; a PR named twice
 * is imported once. Every bad line is named at once, before anything is sent.
 */
export function parsePullRequestList(text: string, file: string): PullRequestImport[] {
  const problems: { line: number; text: string }[] = [];
  const found = new Map<string, PullRequestImport>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parsed = /^https?:\/\/\S+$/.test(line) ? parsePullRequestUrl(line) : undefined;
    if (!parsed || !/\/pull\/\d+\/?$/.test(line)) {
      problems.push({ line: index + 1, text: line.length > 120 ? `${line.slice(0, 117)}...` : line });
      return;
    }
    const key = `${parsed.repository}#${parsed.number}`;
    if (!found.has(key)) found.set(key, { line: index + 1, url: line.replace(/\/$/, ''), ...parsed, key });
  });
  if (problems.length > 0) throw new ImportFileError(file, problems);
  return [...found.values()];
}

export function readPullRequestList(file: string): PullRequestImport[] {
  return parsePullRequestList(readFileSync(file, 'utf8'), file);
}

export interface ImportOutcome {
  /** Items added for PRs the campaign did not know. */
  imported: PullRequestImport[];
  /** PRs already the change of one of the campaign's items (its agent's, or an earlier import). */
  known: { pr: PullRequestImport; item: string }[];
  apply?: ApplyOutcome;
}

/** Why a campaign cannot take imported PRs, or undefined when it can. */
export async function importRefusal(client: Client, campaignId: string): Promise<string | undefined> {
  const header = await campaignHeader(client, campaignId);
  if (header.tracking) return undefined;
  return `campaign ${campaignId} does not follow pull requests: it was applied without a code host; configure GITHUB_TOKEN (or a GitHub App) where you run apply and apply its spec again`;
}

/**
 * Adds each PR the campaign does not know yet as an item whose change it is (Sourcegraph's
 * importChangesets); a PR some item already owns is left to it, so no PR is followed twice.
 */
export async function importPullRequests(
  client: Client,
  campaignId: string,
  prs: readonly PullRequestImport[],
  options: { taskQueue: string },
): Promise<ImportOutcome> {
  const owners = new Map<string, string>();
  for await (const record of campaignRecords(client, campaignId))
    for (const url of [...(record.prs ?? []), ...(record.change ? [record.change.url] : [])])
      owners.set(identity(url), record.key);
  const known: ImportOutcome['known'] = [];
  const imported: PullRequestImport[] = [];
  for (const pr of prs) {
    const owner = owners.get(identity(pr.url));
    if (owner !== undefined) known.push({ pr, item: owner });
    else imported.push(pr);
  }
  if (imported.length === 0) return { imported, known };
  const items: CampaignItem[] = imported.map((pr) => ({
    key: pr.key,
    environmentId: '',
    repository: pr.repository,
    importedPullRequest: pr.url,
  }));
  // The header is ignored for add-only applies; the campaign keeps its own settings.
  const apply = await applyCampaign(
    client,
    { job: { message: '-' }, items },
    { campaignId, taskQueue: options.taskQueue, addOnly: true },
  );
  return { imported, known, apply };
}

/** One PR however its URL is spelt (host case, trailing slash): `OWNER/REPO#NUMBER`. */
function identity(url: string): string {
  const parsed = parsePullRequestUrl(url);
  return parsed ? `${parsed.repository.toLowerCase()}#${parsed.number}` : url;
}
