import { repositoryItemKey, type CampaignActivities, type ResolvedTargets } from '../contracts';
import { repositoryMatcher } from '../contracts/repository-glob';
import type { ReplicasClient } from '../replicas';
import { apiCall } from './failures';

/** Name of the environment created for a repository from a template; the key of idempotency. */
export function targetEnvironmentName(repository: string): string {
  return `replica-fleet:${repository}`;
}

/** An environment bound to the repository itself (not the Global one): where a target runs. */
export const isBoundTo = (
  environment: { repository_id: string | null; is_global: boolean },
  repositoryId: string,
): boolean => environment.repository_id === repositoryId && !environment.is_global;

/**
 * Resolves `targets` into items, one page of matching repositories at a time (sorted by name, so pages
 * are stable): each on an environment bound to it, found again by name on re-runs, or created from the
 * template. A repository with neither becomes a skipped item that says why; the rest run.
 */
export function createTargetActivities(client: ReplicasClient): CampaignActivities {
  return {
    async resolveTargets({ targets, offset, limit }): Promise<ResolvedTargets> {
      const isMatch = repositoryMatcher(targets.repositories);
      const { repositories } = await apiCall('listRepositories', () => client.listRepositories());
      const matching = repositories
        .filter((repo) => isMatch(repo.name))
        .sort((a, b) => a.name.localeCompare(b.name));
      const page = matching.slice(offset, offset + limit);
      if (page.length === 0) return { items: [], total: matching.length };
      const { environments } = await apiCall('listEnvironments', () => client.environments.list());
      const items: ResolvedTargets['items'] = [];
      for (const repo of page) {
        const key = repositoryItemKey(repo.name);
        let environment =
          environments.find((e) => isBoundTo(e, repo.id)) ??
          environments.find((e) => e.name === targetEnvironmentName(repo.name));
        if (!environment && targets.templateEnvironmentId) {
          const created = await apiCall('createEnvironment', () =>
            client.environments.create({
              name: targetEnvironmentName(repo.name),
              repository_id: repo.id,
              source_environment_id: targets.templateEnvironmentId,
            }),
          );
          environment = created.environment;
          environments.push(created.environment);
        }
        items.push(
          environment
            ? { key, environmentId: environment.id, repository: repo.name }
            : {
                key,
                environmentId: '',
                repository: repo.name,
                skipReason: `repository ${repo.name} has no environment bound to it; bind one, or set targets.templateEnvironment to create one from a template, then apply again`,
              },
        );
      }
      return { items, total: matching.length };
    },
  };
}
