import type { SimReplica } from './model';
import type { SeededRandom } from './random';
import type { SimConfig } from './sim-config';

/** Where the agent's PRs live: the code-host simulator, told of each PR opened and each push to one. */
export interface CodeHostLink {
  pullRequestOpened(pr: {
    repository: string;
    number: number;
    branch: string;
    title: string;
    body: string;
  }): void;
  branchPushed(repository: string, number: number): void;
}

interface OpenPullRequest {
  repository: string;
  number: number;
  url: string;
  branch: string;
}

/**
 * What a finished turn leaves in the repositories: the workspace branch, a diff, and (by the seeded
 * `prProbability`) a PR in each repository that has none yet. PR numbers count up per simulator.
 * An agent told to continue a pull request (its URL in the turn's message) checks out that PR's branch
 * and pushes to it, as a real agent would; the code host opens no second PR for a branch that has one.
 */
export class WorkspaceChanges {
  private prNumber = 100;
  /** Every PR the simulated agents opened, by URL: what a later workspace can be told to continue. */
  private readonly opened = new Map<string, OpenPullRequest>();

  constructor(
    private readonly config: SimConfig,
    private readonly random: SeededRandom,
    private readonly codeHost?: CodeHostLink,
  ) {}

  /** Applies a turn's changes; returns the URLs of the PRs it opened. */
  apply(replica: SimReplica, message: string): string[] {
    const opened: string[] = [];
    for (const status of replica.repository_statuses) {
      const continued = this.namedIn(message, status.repository);
      if (continued) {
        status.branch = continued.branch;
        if (!status.pr_urls.includes(continued.url)) status.pr_urls.push(continued.url);
        if (!replica.pull_requests.some((pr) => pr.url === continued.url))
          replica.pull_requests.push({
            repository: continued.repository,
            number: continued.number,
            url: continued.url,
          });
      }
      if (status.branch === status.default_branch) status.branch = `replicas/${replica.name}`;
      // A turn on a branch that has a PR pushes a new head commit to it.
      for (const url of status.pr_urls) {
        const pr = this.opened.get(url);
        if (pr) this.codeHost?.branchPushed(pr.repository, pr.number);
      }
      status.git_diff = {
        added: 12,
        removed: 3,
        full_diff: `diff --git a/README.md b/README.md\n+${replica.name}\n`,
      };
      if (status.pr_urls.length === 0 && this.random.chance(this.config.behaviour.prProbability)) {
        this.prNumber += 1;
        const url = `https://github.com/${status.repository}/pull/${this.prNumber}`;
        status.pr_urls.push(url);
        replica.pull_requests.push({ repository: status.repository, number: this.prNumber, url });
        this.opened.set(url, {
          repository: status.repository,
          number: this.prNumber,
          url,
          branch: status.branch,
        });
        opened.push(url);
        this.codeHost?.pullRequestOpened({
          repository: status.repository,
          number: this.prNumber,
          branch: status.branch,
          title: `${replica.name}: changes in ${status.repository}`,
          body: message.slice(0, 1000),
        });
      }
    }
    return opened;
  }

  /** A PR of this repository that the message names, if the simulator opened it. */
  private namedIn(message: string, repository: string): OpenPullRequest | undefined {
    for (const url of message.match(/https?:\/\/\S+\/pull\/\d+/g) ?? []) {
      const pr = this.opened.get(url);
      if (pr?.repository === repository) return pr;
    }
    return undefined;
  }
}
