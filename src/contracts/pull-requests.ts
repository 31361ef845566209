/** A pull request a replica opened. */
export interface PullRequestRef {
  repository: string;
  number: number;
  url: string;
  branch?: string;
}

const PR_URL = /^https?:\/\/[^/]+\/(.+?)\/(?:pull|pulls|merge_requests)\/(\d+)/;

/** Repository and number from a GitHub or GitLab PR URL, when it has the usual shape. */
export function parsePullRequestUrl(url: string): { repository: string; number: number } | undefined {
  const match = PR_URL.exec(url);
  if (!match?.[1] || !match[2]) return undefined;
  return { repository: match[1].replace(/\/-$/, ''), number: Number(match[2]) };
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.map(asRecord).filter((v): v is Record<string, unknown> => v !== undefined)
    : [];

/**
 * The objects of a document that may hold replica fields: the document itself and what it nests under
 * `data`, `payload` and `replica` (webhook bodies, `GET /v1/replica/{id}` answers, SSE payloads).
 */
export function replicaParts(document: unknown): Record<string, unknown>[] {
  const root = asRecord(document);
  if (!root) return [];
  const data = asRecord(root.data) ?? asRecord(root.payload);
  return [root, data, asRecord(root.replica), asRecord(data?.replica)].filter(
    (part): part is Record<string, unknown> => part !== undefined,
  );
}

/**
 * Every PR a document names, merged by URL. The one PR parser of the project: it reads the replica's
 * `pull_requests[]`, per-repository statuses (`repository_statuses[]` / `repositories[]` with
 * `pr_urls`, `new_pr_urls`, or the engine's `repos[].prUrls`) and bare `pr_urls`, wherever the shape
 * nests them, because webhook bodies are not published and the platform adds fields over time.
 */
export function pullRequestsIn(document: unknown): PullRequestRef[] {
  const sightings: PullRequestRef[] = [];
  const branches = new Map<string, string>();
  const sight = (url: string, repository?: string, number?: number, branch?: string) => {
    const parsed = parsePullRequestUrl(url);
    sightings.push({
      repository: repository || parsed?.repository || '',
      number: number ?? parsed?.number ?? 0,
      url,
      ...(branch !== undefined && { branch }),
    });
  };
  for (const part of replicaParts(document)) {
    for (const pr of list(part.pull_requests)) {
      const url = text(pr.url);
      if (url) sight(url, text(pr.repository), typeof pr.number === 'number' ? pr.number : undefined);
    }
    for (const status of [
      ...list(part.repository_statuses),
      ...list(part.repositories),
      ...list(part.repos),
    ]) {
      const repository = text(status.repository) ?? text(status.name);
      const branch = text(status.branch) ?? text(status.currentBranch);
      if (repository && branch) branches.set(repository, branch);
      for (const url of [...texts(status.pr_urls), ...texts(status.new_pr_urls), ...texts(status.prUrls)])
        sight(url, repository, undefined, branch);
    }
    for (const url of texts(part.pr_urls)) sight(url);
  }
  return mergePullRequests([], sightings).map((pr) => {
    const branch = pr.branch ?? branches.get(pr.repository);
    return branch === undefined ? pr : { ...pr, branch };
  });
}

/** Merges PR sightings by URL; later sightings fill in what earlier ones lacked. */
export function mergePullRequests(known: PullRequestRef[], more: PullRequestRef[]): PullRequestRef[] {
  const byUrl = new Map(known.map((pr) => [pr.url, pr]));
  for (const pr of more) {
    const previous = byUrl.get(pr.url);
    const branch = pr.branch ?? previous?.branch;
    byUrl.set(pr.url, {
      repository: pr.repository || previous?.repository || '',
      number: pr.number || previous?.number || 0,
      url: pr.url,
      ...(branch !== undefined && { branch }),
    });
  }
  return [...byUrl.values()];
}
