import type { PullRequestRef } from '../../contracts/replica-job';

const PR_URL = /^https?:\/\/[^/]+\/(.+?)\/(?:pull|pulls|merge_requests)\/(\d+)/;

/** Repository and number from a GitHub or GitLab PR URL, when it has the usual shape. */
export function parsePullRequestUrl(url: string): { repository: string; number: number } | undefined {
  const match = PR_URL.exec(url);
  if (!match?.[1] || !match[2]) return undefined;
  return { repository: match[1].replace(/\/-$/, ''), number: Number(match[2]) };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function stringsIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * PR URLs and branches from a `replica.turn_completed` body. The body shape is not published, so this
 * reads the guide's description defensively: per-repository entries with a branch and PR URLs, at the
 * top level or under `data`/`payload`.
 */
export function pullRequestsFromTurnEvent(body: unknown): PullRequestRef[] {
  const root = asRecord(body);
  const data = asRecord(root?.data) ?? asRecord(root?.payload) ?? root;
  const entries = [data?.repositories, data?.repository_statuses].find(Array.isArray) as
    unknown[] | undefined;
  const found: PullRequestRef[] = [];
  for (const entry of entries ?? []) {
    const repo = asRecord(entry);
    if (!repo) continue;
    const repository =
      typeof repo.repository === 'string' ? repo.repository : typeof repo.name === 'string' ? repo.name : '';
    const branch = typeof repo.branch === 'string' ? repo.branch : undefined;
    for (const url of [...stringsIn(repo.pr_urls), ...stringsIn(repo.new_pr_urls)]) {
      const parsed = parsePullRequestUrl(url);
      found.push({
        repository: repository || parsed?.repository || '',
        number: parsed?.number ?? 0,
        url,
        branch,
      });
    }
  }
  for (const url of stringsIn(data?.pr_urls)) {
    const parsed = parsePullRequestUrl(url);
    found.push({ repository: parsed?.repository ?? '', number: parsed?.number ?? 0, url });
  }
  return found;
}

/** Merges PR sightings by URL; later sightings fill in what earlier ones lacked. */
export function mergePullRequests(known: PullRequestRef[], more: PullRequestRef[]): PullRequestRef[] {
  const byUrl = new Map(known.map((pr) => [pr.url, pr]));
  for (const pr of more) {
    const previous = byUrl.get(pr.url);
    byUrl.set(pr.url, {
      repository: pr.repository || previous?.repository || '',
      number: pr.number || previous?.number || 0,
      url: pr.url,
      branch: pr.branch ?? previous?.branch,
    });
  }
  return [...byUrl.values()];
}
