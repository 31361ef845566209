import { randomUUID } from 'node:crypto';

export type ReplicaStatus = 'preparing' | 'active' | 'sleeping' | 'archived' | 'error';

export interface SimChat {
  id: string;
  provider: string;
  title: string;
  created_at: string;
  updated_at: string;
  processing: boolean;
  queue: { id: string; message: string; queuedAt: string }[];
  history: { timestamp: string; type: string; payload: unknown }[];
  /** Preview of the most recent input message (`lastMessageText`). */
  lastMessageText: string | null;
}

export interface SimRepositoryStatus {
  repository: string;
  branch: string;
  default_branch: string;
  pr_urls: string[];
  start_hooks_completed: boolean;
  git_diff: { added: number; removed: number; full_diff: string } | null;
}

export interface SimRepository {
  id: string;
  name: string;
  url: string;
  default_branch: string;
}

export interface SimReplica {
  id: string;
  org: string;
  name: string;
  status: ReplicaStatus;
  waking: boolean;
  created_at: string;
  last_activity_at: string | null;
  coding_agent: string;
  lifecycle_policy: string;
  repositories: SimRepository[];
  repository_statuses: SimRepositoryStatus[];
  pull_requests: { repository: string; number: number; url: string }[];
  chats: SimChat[];
  webhook?: { url: string; secret?: string };
  errorMessage?: string;
  /** The first message, delivered once the workspace is active. */
  pendingMessage?: string;
  /** A turn the workspace fell asleep during; it resumes on wake. */
  suspendedTurn?: { chatId: string };
}

export interface Organisation {
  id: string;
  key: string;
  repositories: SimRepository[];
  repositorySets: { id: string; name: string; description: string | null; repositories: SimRepository[] }[];
  /** Generic per-organisation collections (environments, variables, automations, …) keyed by kind. */
  resources: Map<string, Map<string, Record<string, unknown>>>;
  globalEnvironmentId: string;
}

export const now = (): string => new Date().toISOString();

const DEFAULT_REPOSITORIES = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs', 'acme/legacy'];
/** Repositories seeded without a bound environment (campaign targets must create one). */
const UNBOUND = new Set(['acme/legacy']);

export function newOrganisation(key: string): Organisation {
  const repositories = DEFAULT_REPOSITORIES.map((name) => ({
    id: randomUUID(),
    name,
    url: `https://github.com/${name}`,
    default_branch: 'main',
  }));
  const org: Organisation = {
    id: randomUUID(),
    key,
    repositories,
    repositorySets: [
      { id: randomUUID(), name: 'acme-all', description: 'every acme repository', repositories },
    ],
    resources: new Map(),
    globalEnvironmentId: randomUUID(),
  };
  const environments = resourcesOf(org, 'environments');
  const stamp = now();
  const environment = (id: string, name: string, repositoryId: string | null, isGlobal = false) => ({
    id,
    organization_id: org.id,
    user_id: null,
    name,
    description: null,
    is_global: isGlobal,
    repository_id: repositoryId,
    repository_set_id: null,
    system_prompt: null,
    mobile_testing_enabled: false,
    personal_preferences: null,
    source_environment_id: null,
    created_at: stamp,
    updated_at: stamp,
  });
  environments.set(org.globalEnvironmentId, environment(org.globalEnvironmentId, 'Global', null, true));
  // One environment per repository, so campaigns can target repositories by environment id.
  for (const repository of repositories) {
    if (UNBOUND.has(repository.name)) continue;
    const id = randomUUID();
    environments.set(id, environment(id, repository.name, repository.id));
  }
  return org;
}

export function resourcesOf(org: Organisation, kind: string): Map<string, Record<string, unknown>> {
  let map = org.resources.get(kind);
  if (!map) {
    map = new Map();
    org.resources.set(kind, map);
  }
  return map;
}
