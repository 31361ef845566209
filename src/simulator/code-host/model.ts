import { createHash } from 'node:crypto';

export type CheckConclusion = 'success' | 'failure';
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED';

/** A repository the code host holds: the same names the Replicas simulator's organisations list. */
export interface HostRepository {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  createdAt: string;
}

export interface HostCheckRun {
  id: number;
  suiteId: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: CheckConclusion | null;
  startedAt: string;
  completedAt: string | null;
  /** A flaky run fails once; the run it is re-requested as passes. */
  flaky: boolean;
}

export interface HostStatus {
  id: number;
  context: string;
  sha: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  description: string;
  createdAt: string;
  updatedAt: string;
}

/** One head commit of a PR: its checks, its commit status, and how it stands against the base. */
export interface HostCommit {
  sha: string;
  parent: string;
  message: string;
  createdAt: string;
  suiteId: number;
  checkRuns: HostCheckRun[];
  statuses: HostStatus[];
  behind: boolean;
  conflicting: boolean;
}

export interface HostReview {
  id: number;
  state: ReviewState;
  commitId: string;
  submittedAt: string;
  body: string;
}

export interface HostLabel {
  id: number;
  name: string;
  color: string;
}

export interface HostComment {
  id: number;
  body: string;
  createdAt: string;
}

export interface HostPullRequest {
  id: number;
  repository: HostRepository;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergeCommitSha: string | null;
  headRef: string;
  baseRef: string;
  baseSha: string;
  commits: HostCommit[];
  labels: HostLabel[];
  assignees: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  reviews: HostReview[];
  comments: HostComment[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergedBy: string | null;
  /** Epoch ms of the last change anyone could see (each one sends a webhook); a client is judged by it. */
  changedAtMs?: number;
}

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A 40-hex commit id, stable for the same inputs (so a seed reproduces every sha). */
export function commitSha(...parts: (string | number)[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/**
 * Opaque node ids in GitHub's current style (`PR_kwDO…`): a type prefix and an encoded database id.
 * Clients must treat them as opaque; the code host decodes its own.
 */
export function nodeId(
  prefix: 'PR' | 'R' | 'CR' | 'SC' | 'U' | 'PRR' | 'LA' | 'IC' | 'CS',
  id: number,
): string {
  return `${prefix}_kwDO${Buffer.from(`${prefix}:${id}`).toString('base64url')}`;
}

export function parseNodeId(id: string): { prefix: string; id: number } | undefined {
  const match = /^([A-Z]+)_kwDO([A-Za-z0-9_-]+)$/.exec(id);
  if (!match?.[2]) return undefined;
  const [prefix, number] = Buffer.from(match[2], 'base64url').toString('utf8').split(':');
  if (!prefix || prefix !== match[1] || !number || !/^\d+$/.test(number)) return undefined;
  return { prefix, id: Number(number) };
}

export const headOf = (pr: HostPullRequest): HostCommit => pr.commits[pr.commits.length - 1] as HostCommit;

export type RollupState = 'PENDING' | 'SUCCESS' | 'FAILURE';
export type ReviewDecision = 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED';

/** The combined state of a commit's statuses and check runs: what `statusCheckRollup.state` reads. */
export function rollupState(commit: HostCommit): RollupState {
  const checks = commit.checkRuns.map((run) =>
    run.status !== 'completed' ? 'pending' : run.conclusion === 'success' ? 'success' : 'failure',
  );
  const states = [...checks, ...commit.statuses.map((s) => (s.state === 'error' ? 'failure' : s.state))];
  if (states.includes('failure')) return 'FAILURE';
  if (states.includes('pending')) return 'PENDING';
  return 'SUCCESS';
}

/** What the latest review of each reviewer decides, GitHub's `reviewDecision`. */
export function reviewDecision(pr: HostPullRequest): ReviewDecision {
  const latest = pr.reviews[pr.reviews.length - 1];
  return latest?.state ?? 'REVIEW_REQUIRED';
}

export function mergeable(pr: HostPullRequest): 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN' {
  if (pr.merged) return 'UNKNOWN';
  return headOf(pr).conflicting ? 'CONFLICTING' : 'MERGEABLE';
}

export type MergeStateStatus = 'CLEAN' | 'BEHIND' | 'DIRTY' | 'BLOCKED' | 'UNSTABLE' | 'DRAFT' | 'UNKNOWN';

export function mergeStateStatus(pr: HostPullRequest): MergeStateStatus {
  if (pr.state === 'closed') return 'UNKNOWN';
  const head = headOf(pr);
  if (pr.draft) return 'DRAFT';
  if (head.conflicting) return 'DIRTY';
  if (head.behind) return 'BEHIND';
  if (reviewDecision(pr) === 'CHANGES_REQUESTED') return 'BLOCKED';
  const rollup = rollupState(head);
  if (rollup === 'FAILURE') return 'UNSTABLE';
  if (rollup === 'PENDING') return 'BLOCKED';
  return 'CLEAN';
}
