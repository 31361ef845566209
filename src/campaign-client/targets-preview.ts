import { createTargetActivities, isBoundTo } from '../activities/targets';
import type { CampaignTargets } from '../contracts';
import { repositoryMatcher } from '../contracts/repository-glob';
import type { ReplicasClient } from '../replicas';
import type { TargetPreview, TargetRow } from './plan';
import { CampaignSpecError } from './spec';

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

/** How many names a "names look like" hint shows. */
const SAMPLE_SIZE = 5;

/**
 * `no repository matches "acme/*-svc"; names look like: acme/api, acme/web, … (5 in all)`: the names
 * sharing the longest start with the glob first (so a typo sits next to what was meant), in the API's
 * order among equals.
 */
export function describeNoMatch(pattern: string, names: string[]): string {
  if (names.length === 0)
    return `no repository matches "${pattern}": the API lists no repositories for this key (add them in the Replicas dashboard)`;
  const literal = pattern.slice(0, pattern.search(/[*?[\]{}()!@+]|$/));
  const shared = (name: string) => {
    let n = 0;
    while (n < literal.length && name[n] === literal[n]) n += 1;
    return n;
  };
  const sample = names
    .map((name, order) => ({ name, order, shared: shared(name) }))
    .sort((a, b) => b.shared - a.shared || a.order - b.order)
    .slice(0, SAMPLE_SIZE)
    .map((s) => s.name);
  const more = names.length > sample.length ? ', …' : '';
  return `no repository matches "${pattern}"; names look like: ${sample.join(', ')}${more} (${names.length} in all)`;
}

/**
 * Refuses a `targets` glob that matches none of the organisation's repositories, before anything
 * starts: a campaign over nothing finishes at once and says nothing went wrong. Exit 2, like any
 * other spec problem, unless the caller allows an empty campaign.
 */
export async function requireMatchingRepositories(
  client: ReplicasClient,
  pattern: string,
  source: string,
): Promise<void> {
  const { repositories } = await client.listRepositories();
  const names = repositories.map((r) => r.name);
  if (names.some(repositoryMatcher(pattern))) return;
  throw new CampaignSpecError(source, [
    {
      field: 'targets.repositories',
      message: `${describeNoMatch(pattern, names)}; fix the glob ('replica-fleet replicas repos' lists every repository), or pass --allow-empty to go ahead with none`,
    },
  ]);
}

/** A repository of the organisation, as the API lists it, with the environments bound to it. */
export type RepositoryBinding = Awaited<
  ReturnType<ReplicasClient['listRepositories']>
>['repositories'][number] & {
  environments: { id: string; name: string }[];
};

/**
 * Every repository of the organisation, in the API's order, with the environments bound to it by
 * the rule campaign targets resolve them with: none bound means a target on it is skipped unless
 * the spec names a template.
 */
export async function repositoryBindings(client: ReplicasClient): Promise<RepositoryBinding[]> {
  const [{ repositories }, { environments }] = await Promise.all([
    client.listRepositories(),
    client.environments.list(),
  ]);
  return repositories.map((repo) => ({
    ...repo,
    environments: environments.filter((e) => isBoundTo(e, repo.id)).map((e) => ({ id: e.id, name: e.name })),
  }));
}
