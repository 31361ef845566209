import { createTargetActivities } from '../activities/targets';
import type { CampaignTargets } from '../contracts';
import type { ReplicasClient } from '../replicas';
import type { TargetPreview, TargetRow } from './plan';

const WOULD_CREATE = '(would create from template)';

/**
 * Resolves `targets` with the campaign's own resolution rules (the activity's), against a view of
 * the client whose only write — creating an environment from the template — is recorded instead of
 * sent. Everything else is a read: a plan changes nothing on the platform.
 */
export async function previewTargets(
  client: ReplicasClient,
  targets: CampaignTargets,
): Promise<TargetPreview> {
  let apiCalls = 0;
  const counted =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A) => {
      apiCalls += 1;
      return fn(...args);
    };
  const environments = Object.create(client.environments) as ReplicasClient['environments'];
  environments.list = counted(client.environments.list.bind(client.environments));
  // The resolver only reads `id` of what it creates; the rest of an environment is never looked at.
  const wouldCreate = async (body: { name: string; repository_id?: string | null }) => ({
    environment: { id: WOULD_CREATE, name: body.name, repository_id: body.repository_id ?? null },
  });
  environments.create = wouldCreate as unknown as ReplicasClient['environments']['create'];
  const readOnly = Object.create(client, {
    environments: { value: environments },
    listRepositories: { value: counted(client.listRepositories.bind(client)) },
  }) as ReplicasClient;
  const { items } = await createTargetActivities(readOnly).resolveTargets({
    targets,
    offset: 0,
    limit: Number.MAX_SAFE_INTEGER,
  });
  const repositories = items.map((item): TargetRow => {
    const base = { repository: item.repository ?? item.key, key: item.key };
    if (item.skipReason) return { ...base, action: 'skip', reason: item.skipReason };
    if (item.environmentId === WOULD_CREATE)
      return {
        ...base,
        action: 'create_environment',
        reason: 'no environment bound: would create one from the template',
      };
    return { ...base, action: 'run', environmentId: item.environmentId };
  });
  return {
    pattern: targets.repositories,
    ...(targets.templateEnvironmentId && { templateEnvironmentId: targets.templateEnvironmentId }),
    repositories,
    apiCalls,
  };
}
