import type { SeededRandom } from '../random';
import type { Scheduler } from '../scheduler';
import type { CodeHostKnobs } from './knobs';
import {
  commitSha,
  headOf,
  now,
  parseNodeId,
  reviewDecision,
  rollupState,
  type HostCheckRun,
  type HostCommit,
  type HostPullRequest,
  type HostRepository,
} from './model';
import {
  AGENT,
  MAINTAINER,
  REVIEWER,
  checkRunShape,
  checkSuiteShape,
  commitShape,
  pullRequestShape,
  repositoryShape,
  reviewShape,
  userShape,
  type Urls,
} from './shapes';
import type { CodeHostStats } from './stats';
import type { GithubWebhookSender } from './webhook-sender';

/** What the Replicas simulator tells the code host when an agent's turn opens a PR or pushes to one. */
export interface OpenedPullRequest {
  repository: string;
  number: number;
  branch: string;
  title: string;
  body: string;
}

/** The check runs every head commit gets, and the commit status beside them. */
const CHECK_NAMES = ['build', 'test'] as const;
const STATUS_CONTEXT = 'ci/lint';

/** Raised by an action GitHub refuses; the REST layer answers it with its status and message. */
export class HostRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The code host's state and its simulated people: CI that runs per head commit, a reviewer and a
 * maintainer who merges or closes, all by the seeded knobs. Every change sends GitHub's webhook.
 */
export class CodeHostEngine {
  private readonly repositories = new Map<string, HostRepository>();
  private readonly pulls = new Map<string, HostPullRequest>();
  /** PRs by database id: a GraphQL read of a hundred node ids must not scan every PR for each. */
  private readonly pullsById = new Map<number, HostPullRequest>();
  /** Commits by sha: a client reading checks per commit of ten thousand PRs must not scan them all. */
  private readonly commitsBySha = new Map<string, { pr: HostPullRequest; commit: HostCommit }>();
  private nextId = 1000;

  constructor(
    readonly urls: Urls,
    private readonly knobs: CodeHostKnobs,
    private readonly random: SeededRandom,
    private readonly scheduler: Scheduler,
    private readonly stats: CodeHostStats,
    private readonly webhooks: GithubWebhookSender,
  ) {}

  /** The repositories the Replicas simulator's organisations list, e.g. `acme/api`. */
  holdRepositories(names: string[]): void {
    const createdAt = now();
    for (const fullName of names) {
      if (this.repositories.has(fullName)) continue;
      const [owner = '', name = ''] = fullName.split('/');
      this.repositories.set(fullName, {
        id: this.id(),
        owner,
        name,
        fullName,
        defaultBranch: 'main',
        createdAt,
      });
    }
  }

  repository(fullName: string): HostRepository | undefined {
    return this.repositories.get(fullName);
  }

  pullRequest(fullName: string, number: number): HostPullRequest | undefined {
    return this.pulls.get(`${fullName}#${number}`);
  }

  /** A PR by its GraphQL node id, if the id is one of this code host's PRs. */
  byNodeId(id: string): HostPullRequest | undefined {
    const parsed = parseNodeId(id);
    if (parsed?.prefix !== 'PR') return undefined;
    return this.pullsById.get(parsed.id);
  }

  allPullRequests(): HostPullRequest[] {
    return [...this.pulls.values()];
  }

  /** The commit a ref names in a repository: a head sha of one of its PRs, or a PR's branch name. */
  commit(fullName: string, ref: string): { pr: HostPullRequest; commit: HostCommit } | undefined {
    const bySha = this.commitsBySha.get(ref);
    if (bySha?.pr.repository.fullName === fullName) return bySha;
    for (const pr of this.pulls.values()) {
      if (pr.repository.fullName !== fullName) continue;
      const commit = pr.commits.find((c) => c.sha === ref) ?? (pr.headRef === ref ? headOf(pr) : undefined);
      if (commit) return { pr, commit };
    }
    return undefined;
  }

  open(input: OpenedPullRequest): HostPullRequest {
    const existing = this.pullRequest(input.repository, input.number);
    if (existing) return existing;
    this.holdRepositories([input.repository]);
    const repository = this.repositories.get(input.repository) as HostRepository;
    const stamp = now();
    const pr: HostPullRequest = {
      id: this.id(),
      repository,
      number: input.number,
      title: input.title,
      body: input.body,
      state: 'open',
      draft: this.random.chance(this.knobs.draftRate),
      merged: false,
      mergeCommitSha: null,
      headRef: input.branch,
      baseRef: repository.defaultBranch,
      baseSha: commitSha(repository.fullName, repository.defaultBranch),
      commits: [],
      labels: [],
      assignees: [],
      requestedReviewers: [],
      requestedTeams: [],
      reviews: [],
      comments: [],
      createdAt: stamp,
      updatedAt: stamp,
      closedAt: null,
      mergedAt: null,
      mergedBy: null,
    };
    this.pulls.set(`${repository.fullName}#${pr.number}`, pr);
    this.pullsById.set(pr.id, pr);
    const commit = this.addCommit(pr);
    this.send('pull_request', pr, 'opened', AGENT);
    this.runChecks(pr, commit);
    if (this.random.chance(this.knobs.closeRate)) {
      this.scheduler.later(this.knobs.mergeDelayMs, () => {
        if (pr.state === 'open') this.close(pr, MAINTAINER);
      });
    }
    return pr;
  }

  /** A follow-up turn pushed to the PR's branch: a new head commit, `synchronize`, checks again. */
  push(fullName: string, number: number): HostPullRequest | undefined {
    const pr = this.pullRequest(fullName, number);
    // A closed PR does not follow its branch (GitHub sends no synchronize until it is reopened).
    if (!pr || pr.state !== 'open') return pr;
    const before = headOf(pr).sha;
    const commit = this.addCommit(pr);
    this.send('pull_request', pr, 'synchronize', AGENT, { before, after: commit.sha });
    this.runChecks(pr, commit);
    return pr;
  }

  update(
    pr: HostPullRequest,
    changes: { title?: string; body?: string; state?: 'open' | 'closed' },
    actor: string,
  ) {
    const edited: Record<string, { from: string | null }> = {};
    if (changes.title !== undefined && changes.title !== pr.title) {
      edited.title = { from: pr.title };
      pr.title = changes.title;
    }
    if (changes.body !== undefined && changes.body !== pr.body) {
      edited.body = { from: pr.body };
      pr.body = changes.body;
    }
    if (Object.keys(edited).length) {
      this.touch(pr);
      this.send('pull_request', pr, 'edited', actor, { changes: edited });
    }
    if (changes.state === 'closed' && pr.state === 'open') this.close(pr, actor);
    if (changes.state === 'open' && pr.state === 'closed') {
      if (pr.merged) throw new HostRefusal(422, 'Validation Failed: cannot reopen a merged pull request');
      pr.state = 'open';
      pr.closedAt = null;
      this.touch(pr);
      this.send('pull_request', pr, 'reopened', actor);
    }
  }

  markReady(pr: HostPullRequest, actor: string): void {
    if (!pr.draft) return;
    pr.draft = false;
    this.touch(pr);
    this.send('pull_request', pr, 'ready_for_review', actor);
  }

  /** `PUT /merge`: 405 when GitHub would refuse, 409 when the head moved past the sha the caller saw. */
  merge(pr: HostPullRequest, sha: string | undefined, actor: string): HostPullRequest {
    const head = headOf(pr);
    if (pr.state !== 'open') throw new HostRefusal(405, 'Pull Request is not mergeable');
    if (sha && sha !== head.sha)
      throw new HostRefusal(409, 'Head branch was modified. Review and try the merge again.');
    if (pr.draft) throw new HostRefusal(405, 'Pull Request is still a draft');
    if (head.conflicting) throw new HostRefusal(405, 'Pull Request is not mergeable');
    if (head.behind)
      throw new HostRefusal(405, 'Head branch is out of date. Update the branch and try again.');
    this.stats.merges.push({
      pullRequest: this.webUrl(pr),
      headSha: head.sha,
      checks: rollupState(head),
      review: reviewDecision(pr),
      by: actor,
      atMs: Date.now(),
    });
    const stamp = now();
    pr.merged = true;
    pr.state = 'closed';
    pr.mergedAt = stamp;
    pr.closedAt = stamp;
    pr.mergedBy = actor;
    pr.mergeCommitSha = commitSha(pr.repository.fullName, pr.number, head.sha, 'merge');
    this.touch(pr);
    this.send('pull_request', pr, 'closed', actor);
    return pr;
  }

  /** A person's review of the head commit, as the simulated reviewer submits one (benchmarks drive it). */
  review(pr: HostPullRequest, state: 'APPROVED' | 'CHANGES_REQUESTED', actor: string = REVIEWER): void {
    if (pr.state !== 'open') throw new HostRefusal(422, 'Can not review a closed pull request');
    const review = {
      id: this.id(),
      state,
      commitId: headOf(pr).sha,
      submittedAt: now(),
      body: state === 'APPROVED' ? 'Looks good to me.' : 'Please address the failing cases before merging.',
    };
    pr.reviews.push(review);
    this.touch(pr);
    this.send('pull_request_review', pr, 'submitted', actor, { review: reviewShape(this.urls, pr, review) });
  }

  /** Closes an open PR without merging, as a maintainer does. */
  closeBy(pr: HostPullRequest, actor: string = MAINTAINER): void {
    if (pr.state === 'open') this.close(pr, actor);
  }

  /** Re-running a check run: a flaky failure passes the second time, a real one fails again. */
  rerequest(fullName: string, checkRunId: number): void {
    for (const pr of this.pulls.values()) {
      if (pr.repository.fullName !== fullName) continue;
      for (const commit of pr.commits) {
        const run = commit.checkRuns.find((r) => r.id === checkRunId);
        if (!run) continue;
        if (run.status !== 'completed') throw new HostRefusal(422, 'This check run is not rerequestable');
        this.send('check_run', pr, 'rerequested', AGENT, {
          check_run: checkRunShape(this.urls, pr, commit, run),
        });
        const again = this.startRun(pr, commit, run.name, run.conclusion === 'failure' && !run.flaky);
        commit.checkRuns = commit.checkRuns.map((r) => (r === run ? again : r));
        return;
      }
    }
    throw new HostRefusal(404, 'Not Found');
  }

  private close(pr: HostPullRequest, actor: string): void {
    pr.state = 'closed';
    pr.closedAt = now();
    this.touch(pr);
    this.send('pull_request', pr, 'closed', actor);
  }

  private addCommit(pr: HostPullRequest): HostCommit {
    const parent = pr.commits.length ? headOf(pr).sha : pr.baseSha;
    const commit: HostCommit = {
      sha: commitSha(
        pr.repository.fullName,
        pr.number,
        pr.commits.length,
        this.knobs.checkDurationMs,
        parent,
      ),
      parent,
      message: pr.commits.length ? `Follow-up changes (${pr.commits.length + 1})` : pr.title,
      createdAt: now(),
      suiteId: this.id(),
      checkRuns: [],
      statuses: [],
      behind: this.random.chance(this.knobs.behindRate),
      conflicting: this.random.chance(this.knobs.conflictRate),
    };
    pr.commits.push(commit);
    this.commitsBySha.set(commit.sha, { pr, commit });
    this.stats.commits += 1;
    this.touch(pr);
    return commit;
  }

  /** Queued check runs and a pending status now; each completes after `checkDurationMs`. */
  private runChecks(pr: HostPullRequest, commit: HostCommit): void {
    const fails = this.random.chance(this.knobs.checkFailureRate);
    const flaky = !fails && this.random.chance(this.knobs.checkFlakyRate);
    this.send('check_suite', pr, 'requested', 'github-actions[bot]', {
      check_suite: checkSuiteShape(this.urls, pr, commit),
    });
    for (const name of CHECK_NAMES) {
      const failing = name === 'test' && (fails || flaky);
      const run = this.startRun(pr, commit, name, failing);
      run.flaky = failing && flaky;
      commit.checkRuns.push(run);
    }
    const stamp = now();
    const status = {
      id: this.id(),
      context: STATUS_CONTEXT,
      sha: commit.sha,
      state: 'pending' as 'pending' | 'success' | 'failure',
      description: 'Linting',
      createdAt: stamp,
      updatedAt: stamp,
    };
    commit.statuses.push(status);
    this.sendStatus(pr, commit, status.id);
    this.scheduler.later(this.knobs.checkDurationMs, () => {
      status.state = fails ? 'failure' : 'success';
      status.description = fails ? 'Lint found problems' : 'Lint passed';
      status.updatedAt = now();
      this.sendStatus(pr, commit, status.id);
      this.settled(pr, commit);
    });
  }

  private startRun(pr: HostPullRequest, commit: HostCommit, name: string, failing: boolean): HostCheckRun {
    const run: HostCheckRun = {
      id: this.id(),
      suiteId: commit.suiteId,
      name,
      headSha: commit.sha,
      status: 'queued',
      conclusion: null,
      startedAt: now(),
      completedAt: null,
      flaky: false,
    };
    this.send('check_run', pr, 'created', 'github-actions[bot]', {
      check_run: checkRunShape(this.urls, pr, commit, run),
    });
    this.scheduler.later(Math.floor(this.knobs.checkDurationMs / 2), () => {
      if (run.status === 'queued') run.status = 'in_progress';
    });
    this.scheduler.later(this.knobs.checkDurationMs, () => {
      run.status = 'completed';
      run.conclusion = failing ? 'failure' : 'success';
      run.completedAt = now();
      this.stats.checkRuns[run.conclusion] += 1;
      this.send('check_run', pr, 'completed', 'github-actions[bot]', {
        check_run: checkRunShape(this.urls, pr, commit, run),
      });
      this.settled(pr, commit);
    });
    return run;
  }

  /** Once every check of a commit finished: the suite completes, and a reviewer may look. */
  private settled(pr: HostPullRequest, commit: HostCommit): void {
    if (rollupState(commit) === 'PENDING') return;
    this.send('check_suite', pr, 'completed', 'github-actions[bot]', {
      check_suite: checkSuiteShape(this.urls, pr, commit),
    });
    if (pr.state !== 'open' || commit !== headOf(pr)) return;
    if (pr.reviews.some((review) => review.commitId === commit.sha)) return this.maybeMerge(pr);
    const roll = this.random.next();
    const approve = roll < this.knobs.reviewApprovalRate;
    const changes = !approve && roll < this.knobs.reviewApprovalRate + this.knobs.reviewChangesRequestedRate;
    if (!approve && !changes) return;
    this.scheduler.later(this.knobs.reviewDelayMs, () => {
      if (pr.state !== 'open' || headOf(pr) !== commit) return;
      this.review(pr, approve ? 'APPROVED' : 'CHANGES_REQUESTED');
      this.maybeMerge(pr);
    });
  }

  /** A maintainer merges an approved PR whose head is green and mergeable, by the seeded merge rate. */
  private maybeMerge(pr: HostPullRequest): void {
    const head = headOf(pr);
    if (reviewDecision(pr) !== 'APPROVED' || rollupState(head) !== 'SUCCESS') return;
    if (!this.random.chance(this.knobs.mergeRate)) return;
    this.scheduler.later(this.knobs.mergeDelayMs, () => {
      if (pr.state !== 'open' || headOf(pr) !== head) return;
      try {
        this.merge(pr, head.sha, MAINTAINER);
      } catch (error) {
        if (!(error instanceof HostRefusal)) throw error;
        // A conflicting or behind head waits for the next push, as a maintainer would.
      }
    });
  }

  /** The PR's `html_url`, the name records and stats know it by. */
  webUrl(pr: HostPullRequest): string {
    return `${this.urls.web}/${pr.repository.fullName}/pull/${pr.number}`;
  }

  private sendStatus(pr: HostPullRequest, commit: HostCommit, statusId: number): void {
    const status = commit.statuses.find((s) => s.id === statusId);
    if (!status) return;
    pr.changedAtMs = Date.now();
    this.webhooks.emit('status', {
      id: status.id,
      sha: commit.sha,
      name: pr.repository.fullName,
      target_url: `${this.urls.web}/${pr.repository.fullName}/actions/runs/${status.id}`,
      context: status.context,
      description: status.description,
      state: status.state,
      commit: commitShape(this.urls, pr.repository, commit),
      branches: [
        {
          name: pr.headRef,
          commit: {
            sha: commit.sha,
            url: `${this.urls.api}/repos/${pr.repository.fullName}/commits/${commit.sha}`,
          },
          protected: false,
        },
      ],
      created_at: status.createdAt,
      updated_at: status.updatedAt,
      repository: repositoryShape(this.urls, pr.repository),
      sender: userShape(this.urls, 'github-actions[bot]'),
    });
  }

  /** A webhook about a PR: `pull_request` events carry `number` and the PR; the others carry their own object. */
  private send(
    event: string,
    pr: HostPullRequest,
    action: string,
    actor: string,
    extra: Record<string, unknown> = {},
  ): void {
    // Every change anyone could see sends a delivery: the time of the last one is when the PR last changed.
    pr.changedAtMs = Date.now();
    const about =
      event === 'pull_request'
        ? { number: pr.number, pull_request: pullRequestShape(this.urls, pr) }
        : event === 'pull_request_review'
          ? { pull_request: pullRequestShape(this.urls, pr) }
          : {};
    this.webhooks.emit(event, {
      action,
      ...about,
      ...extra,
      repository: repositoryShape(this.urls, pr.repository),
      sender: userShape(this.urls, actor),
    });
  }

  private touch(pr: HostPullRequest): void {
    pr.updatedAt = now();
  }

  private id(): number {
    this.nextId += 1;
    return this.nextId;
  }
}
