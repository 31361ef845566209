import type {
  CheckRunCompletedEvent,
  CheckSuiteCompletedEvent,
  PullRequest,
  PullRequestReview,
  Repository,
  StatusEvent,
  User,
} from '@octokit/webhooks-types';
import {
  headOf,
  nodeId,
  now,
  type HostCheckRun,
  type HostComment,
  type HostCommit,
  type HostLabel,
  type HostPullRequest,
  type HostRepository,
  type HostReview,
  type HostStatus,
} from './model';

/**
 * GitHub's JSON objects, whole: what the REST answers and webhook bodies carry. Field sets follow
 * GitHub's OpenAPI description and recorded webhook payloads; tests validate them against both.
 */
export interface Urls {
  /** The REST base, `url` fields point here (https://api.github.com on GitHub). */
  api: string;
  /** Where `html_url` fields point (https://github.com). */
  web: string;
}

/** The bot and people who act on the code host; ids are fixed so answers stay stable. */
export const ACTORS: Record<string, { id: number; type: 'User' | 'Bot' | 'Organization' }> = {
  'replicas-agent[bot]': { id: 9001, type: 'Bot' },
  'sim-maintainer': { id: 9002, type: 'User' },
  'sim-reviewer': { id: 9003, type: 'User' },
  'github-actions[bot]': { id: 9004, type: 'Bot' },
};

export const AGENT = 'replicas-agent[bot]';
export const MAINTAINER = 'sim-maintainer';
export const REVIEWER = 'sim-reviewer';

export function userShape(urls: Urls, login: string): User {
  const known = ACTORS[login];
  const id = known?.id ?? 10_000 + ([...login].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7) % 1_000_000);
  const api = `${urls.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId('U', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${encodeURIComponent(login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: known?.type ?? 'User',
    site_admin: false,
  };
}

/** The `repository` object of REST answers and webhook bodies. */
export function repositoryShape(urls: Urls, repo: HostRepository): Repository {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.web}/${repo.fullName}`;
  const host = new URL(urls.web).host;
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: true,
    owner: { ...userShape(urls, repo.owner), type: 'Organization' as const },
    html_url: html,
    description: null,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    pushed_at: repo.createdAt,
    git_url: `git://${host}/${repo.fullName}.git`,
    ssh_url: `git@${host}:${repo.fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 1024,
    stargazers_count: 0,
    watchers_count: 0,
    language: 'TypeScript',
    has_issues: true,
    has_projects: false,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: false,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    custom_properties: {},
    visibility: 'private',
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: repo.defaultBranch,
  };
}

export function labelShape(urls: Urls, repo: HostRepository, label: HostLabel) {
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${urls.api}/repos/${repo.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    // A string, not null: pull-request-simple documents the label description as a plain string.
    description: '',
    color: label.color,
    default: false,
  };
}

const link = (href: string) => ({ href });

/** Fields a PR shares across `pull-request`, `pull-request-simple` and the webhook's pull_request. */
function pullRequestBase(urls: Urls, pr: HostPullRequest) {
  const repo = pr.repository;
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.web}/${repo.fullName}/pull/${pr.number}`;
  const head = headOf(pr);
  const repoShape = repositoryShape(urls, repo);
  const owner = userShape(urls, repo.owner);
  return {
    url: `${api}/pulls/${pr.number}`,
    id: pr.id,
    node_id: nodeId('PR', pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userShape(urls, AGENT),
    body: pr.body,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: pr.assignees[0] ? userShape(urls, pr.assignees[0]) : null,
    assignees: pr.assignees.map((login) => userShape(urls, login)),
    requested_reviewers: pr.requestedReviewers.map((login) => userShape(urls, login)),
    requested_teams: pr.requestedTeams.map((slug, index) => teamShape(urls, repo, slug, index + 1)),
    labels: pr.labels.map((label) => labelShape(urls, repo, label)),
    milestone: null,
    draft: pr.draft,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    review_comments_url: `${api}/pulls/${pr.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${head.sha}`,
    head: {
      label: `${repo.owner}:${pr.headRef}`,
      ref: pr.headRef,
      sha: head.sha,
      user: owner,
      repo: repoShape,
    },
    base: {
      label: `${repo.owner}:${pr.baseRef}`,
      ref: pr.baseRef,
      sha: pr.baseSha,
      user: owner,
      repo: repoShape,
    },
    _links: {
      self: link(`${api}/pulls/${pr.number}`),
      html: link(html),
      issue: link(`${api}/issues/${pr.number}`),
      comments: link(`${api}/issues/${pr.number}/comments`),
      review_comments: link(`${api}/pulls/${pr.number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${pr.number}/commits`),
      statuses: link(`${api}/statuses/${head.sha}`),
    },
    author_association: 'CONTRIBUTOR' as const,
    auto_merge: null,
    active_lock_reason: null,
  };
}

export function pullRequestSimpleShape(urls: Urls, pr: HostPullRequest) {
  return pullRequestBase(urls, pr);
}

/** The full `pull-request` object of `GET /pulls/{n}` and the webhook's `pull_request`. */
export function pullRequestShape(urls: Urls, pr: HostPullRequest): PullRequest {
  const head = headOf(pr);
  const open = pr.state === 'open';
  return {
    ...pullRequestBase(urls, pr),
    merged: pr.merged,
    mergeable: open ? !head.conflicting : null,
    rebaseable: open ? !head.conflicting : null,
    mergeable_state: open ? mergeableState(pr) : 'unknown',
    merged_by: pr.mergedBy ? userShape(urls, pr.mergedBy) : null,
    comments: pr.comments.length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits.length,
    additions: 12 * pr.commits.length,
    deletions: 3 * pr.commits.length,
    changed_files: 1,
  };
}

/** REST's lower-case `mergeable_state`. */
function mergeableState(pr: HostPullRequest): string {
  const head = headOf(pr);
  if (pr.draft) return 'draft';
  if (head.conflicting) return 'dirty';
  if (head.behind) return 'behind';
  return 'clean';
}

function teamShape(urls: Urls, repo: HostRepository, slug: string, id: number) {
  const api = `${urls.api}/orgs/${repo.owner}/teams/${slug}`;
  return {
    id,
    node_id: nodeId('U', 50_000 + id),
    url: api,
    html_url: `${urls.web}/orgs/${repo.owner}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed' as const,
    notification_setting: 'notifications_enabled' as const,
    permission: 'pull',
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    type: 'organization' as const,
    parent: null,
  };
}

/** The PR as an issue: what the issues endpoints (labels, assignees) answer. */
export function issueShape(urls: Urls, pr: HostPullRequest) {
  const repo = pr.repository;
  const api = `${urls.api}/repos/${repo.fullName}`;
  return {
    id: pr.id,
    node_id: nodeId('PR', pr.id),
    url: `${api}/issues/${pr.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${pr.number}/labels{/name}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    events_url: `${api}/issues/${pr.number}/events`,
    html_url: `${urls.web}/${repo.fullName}/pull/${pr.number}`,
    number: pr.number,
    state: pr.state,
    title: pr.title,
    body: pr.body,
    user: userShape(urls, AGENT),
    labels: pr.labels.map((label) => labelShape(urls, repo, label)),
    assignee: pr.assignees[0] ? userShape(urls, pr.assignees[0]) : null,
    assignees: pr.assignees.map((login) => userShape(urls, login)),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: pr.comments.length,
    pull_request: {
      url: `${api}/pulls/${pr.number}`,
      html_url: `${urls.web}/${repo.fullName}/pull/${pr.number}`,
      diff_url: `${urls.web}/${repo.fullName}/pull/${pr.number}.diff`,
      patch_url: `${urls.web}/${repo.fullName}/pull/${pr.number}.patch`,
      merged_at: pr.mergedAt,
    },
    closed_at: pr.closedAt,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    draft: pr.draft,
    author_association: 'CONTRIBUTOR' as const,
  };
}

export function commentShape(urls: Urls, pr: HostPullRequest, comment: HostComment, login: string) {
  const api = `${urls.api}/repos/${pr.repository.fullName}`;
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${pr.repository.fullName}/pull/${pr.number}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userShape(urls, login),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    issue_url: `${api}/issues/${pr.number}`,
    author_association: 'CONTRIBUTOR' as const,
  };
}

/** The GitHub App that runs the simulated CI: the `app` of check runs and suites. */
export function appShape(urls: Urls, owner: string): CheckRunCompletedEvent['check_run']['app'] {
  return {
    id: 15368,
    slug: 'github-actions',
    node_id: 'MDM6QXBwMTUzNjg=',
    owner: userShape(urls, owner),
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: 'https://help.github.com/en/actions',
    html_url: `${urls.web}/apps/github-actions`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2019-12-10T19:04:12Z',
    permissions: {
      checks: 'write',
      contents: 'write',
      metadata: 'read',
      pull_requests: 'write',
      statuses: 'write',
    },
    events: ['check_run', 'check_suite', 'pull_request', 'push'],
  };
}

/** A PR as check runs and suites list it (`pull-request-minimal`). */
function pullRequestMinimal(urls: Urls, pr: HostPullRequest) {
  const repo = {
    id: pr.repository.id,
    url: `${urls.api}/repos/${pr.repository.fullName}`,
    name: pr.repository.name,
  };
  return {
    url: `${urls.api}/repos/${pr.repository.fullName}/pulls/${pr.number}`,
    id: pr.id,
    number: pr.number,
    head: { ref: pr.headRef, sha: headOf(pr).sha, repo },
    base: { ref: pr.baseRef, sha: pr.baseSha, repo },
  };
}

export function checkRunShape(
  urls: Urls,
  pr: HostPullRequest,
  commit: HostCommit,
  run: HostCheckRun,
): Omit<CheckRunCompletedEvent['check_run'], 'status' | 'completed_at'> & {
  status: HostCheckRun['status'];
  completed_at: string | null;
} {
  const repo = pr.repository;
  return {
    id: run.id,
    node_id: nodeId('CR', run.id),
    head_sha: run.headSha,
    external_id: String(run.id),
    url: `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}`,
    html_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
    details_url: `${urls.web}/${repo.fullName}/actions/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.conclusion ? `${run.name}: ${run.conclusion}` : run.name,
      summary: run.conclusion === 'failure' ? `${run.name} failed` : null,
      text: null,
      annotations_count: 0,
      annotations_url: `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: checkSuiteShape(urls, pr, commit),
    app: appShape(urls, repo.owner),
    pull_requests: pr.state === 'open' ? [pullRequestMinimal(urls, pr)] : [],
  };
}

/** A check suite as the check_suite webhook carries it. */
export function checkSuiteShape(
  urls: Urls,
  pr: HostPullRequest,
  commit: HostCommit,
): Omit<CheckSuiteCompletedEvent['check_suite'], 'status' | 'conclusion'> & {
  status: 'queued' | 'completed';
  conclusion: 'success' | 'failure' | null;
} {
  const repo = pr.repository;
  const completed = commit.checkRuns.every((run) => run.status === 'completed');
  const failed = commit.checkRuns.some((run) => run.conclusion === 'failure');
  return {
    id: commit.suiteId,
    node_id: nodeId('CS', commit.suiteId),
    head_branch: pr.headRef,
    head_sha: commit.sha,
    status: completed ? ('completed' as const) : ('queued' as const),
    conclusion: completed ? (failed ? ('failure' as const) : ('success' as const)) : null,
    url: `${urls.api}/repos/${repo.fullName}/check-suites/${commit.suiteId}`,
    before: commit.parent,
    after: commit.sha,
    pull_requests: pr.state === 'open' ? [pullRequestMinimal(urls, pr)] : [],
    app: appShape(urls, repo.owner),
    created_at: commit.createdAt,
    updated_at: now(),
    latest_check_runs_count: commit.checkRuns.length,
    check_runs_url: `${urls.api}/repos/${repo.fullName}/check-suites/${commit.suiteId}/check-runs`,
    head_commit: {
      id: commit.sha,
      tree_id: commit.parent,
      message: commit.message,
      timestamp: commit.createdAt,
      author: { name: 'Replicas Agent', email: 'agent@replicas.invalid' },
      committer: { name: 'Replicas Agent', email: 'agent@replicas.invalid' },
    },
  };
}

export function statusShape(urls: Urls, repo: HostRepository, status: HostStatus) {
  return {
    url: `${urls.api}/repos/${repo.fullName}/statuses/${status.sha}`,
    avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4',
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: `${urls.web}/${repo.fullName}/actions/runs/${status.id}`,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
  };
}

/** `combined-commit-status` of `GET /commits/{ref}/status`. */
export function combinedStatusShape(urls: Urls, repo: HostRepository, commit: HostCommit) {
  const states = commit.statuses.map((s) => s.state);
  const state = states.some((s) => s === 'failure' || s === 'error')
    ? 'failure'
    : states.includes('pending') || states.length === 0
      ? 'pending'
      : 'success';
  return {
    state,
    statuses: commit.statuses.map((status) => statusShape(urls, repo, status)),
    sha: commit.sha,
    total_count: commit.statuses.length,
    repository: repositoryShape(urls, repo),
    commit_url: `${urls.api}/repos/${repo.fullName}/commits/${commit.sha}`,
    url: `${urls.api}/repos/${repo.fullName}/commits/${commit.sha}/status`,
  };
}

/** The commit object of a `status` webhook. */
export function commitShape(urls: Urls, repo: HostRepository, commit: HostCommit): StatusEvent['commit'] {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const person = { name: 'Replicas Agent', email: 'agent@replicas.invalid', date: commit.createdAt };
  return {
    sha: commit.sha,
    node_id: nodeId('CS', commit.suiteId),
    commit: {
      author: person,
      committer: person,
      message: commit.message,
      tree: { sha: commit.parent, url: `${api}/git/trees/${commit.parent}` },
      url: `${api}/git/commits/${commit.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
    },
    url: `${api}/commits/${commit.sha}`,
    html_url: `${urls.web}/${repo.fullName}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    author: userShape(urls, AGENT),
    committer: userShape(urls, AGENT),
    parents: [
      {
        sha: commit.parent,
        url: `${api}/commits/${commit.parent}`,
        html_url: `${urls.web}/${repo.fullName}/commit/${commit.parent}`,
      },
    ],
  };
}

export function reviewShape(urls: Urls, pr: HostPullRequest, review: HostReview): PullRequestReview {
  const html = `${urls.web}/${pr.repository.fullName}/pull/${pr.number}`;
  return {
    id: review.id,
    node_id: nodeId('PRR', review.id),
    user: userShape(urls, REVIEWER),
    body: review.body,
    commit_id: review.commitId,
    submitted_at: review.submittedAt,
    state: review.state === 'APPROVED' ? ('approved' as const) : ('changes_requested' as const),
    html_url: `${html}#pullrequestreview-${review.id}`,
    pull_request_url: `${urls.api}/repos/${pr.repository.fullName}/pulls/${pr.number}`,
    author_association: 'MEMBER' as const,
    _links: {
      html: link(`${html}#pullrequestreview-${review.id}`),
      pull_request: link(`${urls.api}/repos/${pr.repository.fullName}/pulls/${pr.number}`),
    },
  };
}
