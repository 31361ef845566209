import { ApplicationFailure } from '@temporalio/activity';
import picomatch from 'picomatch';
import {
  repositoryItemKey,
  type CampaignActivities,
  type CampaignItem,
  type CampaignTargets,
} from '../contracts';
import type { ReplicasClient } from '../replicas';
import { apiCall } from './failures';

/** Name of the environment created for a repository from a template; the key of idempotency. */
export function targetEnvironmentName(repository: string): string {
  return `replica-fleet:${repository}`;
}

/**
 * Resolves `targets` into items: repositories matching the glob, each on an environment bound to it.
 * Re-running finds the environments it created earlier by name instead of creating them again.
 */
export function createTargetActivities(client: ReplicasClient): CampaignActivities {
  return {
    async resolveTargets(targets: CampaignTargets): Promise<CampaignItem[]> {
      const isMatch = picomatch(targets.repositories);
      const { repositories } = await apiCall('listRepositories', () => client.listRepositories());
      const matching = repositories.filter((repo) => isMatch(repo.name));
      const { environments } = await apiCall('listEnvironments', () => client.environments.list());
      const items: CampaignItem[] = [];
      for (const repo of matching) {
        let environment =
          environments.find((e) => e.repository_id === repo.id && !e.is_global) ??
          environments.find((e) => e.name === targetEnvironmentName(repo.name));
        if (!environment) {
          if (!targets.templateEnvironmentId) {
            throw ApplicationFailure.nonRetryable(
              `repository ${repo.name} has no environment bound to it; set targets.templateEnvironmentId to create one from a template`,
              'CampaignTargets',
            );
          }
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
        items.push({
          key: repositoryItemKey(repo.name),
          environmentId: environment.id,
          repository: repo.name,
        });
      }
      return items;
    },
  };
}
