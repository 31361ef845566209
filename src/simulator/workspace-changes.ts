import type { SimReplica } from './model';
import type { SeededRandom } from './random';
import type { SimConfig } from './sim-config';

/**
 * What a finished turn leaves in the repositories: the workspace branch, a diff, and (by the seeded
 * `prProbability`) a PR in each repository that has none yet. PR numbers count up per simulator.
 */
export class WorkspaceChanges {
  private prNumber = 100;

  constructor(
    private readonly config: SimConfig,
    private readonly random: SeededRandom,
  ) {}

  /** Applies a turn's changes; returns the URLs of the PRs it opened. */
  apply(replica: SimReplica): string[] {
    const opened: string[] = [];
    for (const status of replica.repository_statuses) {
      if (status.branch === status.default_branch) status.branch = `replicas/${replica.name}`;
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
        opened.push(url);
      }
    }
    return opened;
  }
}
