import type { SimReplica } from '../model';

export function replicaListItem(replica: SimReplica) {
  return {
    id: replica.id,
    name: replica.name,
    status: replica.status,
    source: 'api',
    created_at: replica.created_at,
    last_activity_at: replica.last_activity_at,
    repositories: replica.repositories.map(({ id, name, url }) => ({ id, name, url })),
    pull_requests: replica.pull_requests.map((pr) => ({ ...pr })),
  };
}

export function replicaDetails(replica: SimReplica, include: string[]) {
  return {
    ...replicaListItem(replica),
    coding_agent: replica.coding_agent,
    waking: replica.waking,
    repository_statuses: replica.repository_statuses.map((status) => ({
      ...status,
      pr_urls: [...status.pr_urls],
      git_diff:
        include.includes('diffs') && status.git_diff ? { ...status.git_diff, fullDiff: '' } : status.git_diff,
    })),
    chats: replica.chats.map(({ id, provider, title, created_at, updated_at, processing }) => ({
      id,
      provider,
      title,
      created_at,
      updated_at,
      processing,
    })),
    ...(replica.errorMessage && { error_message: replica.errorMessage }),
    ...(include.includes('environment') && { environment: { id: null, name: 'default' } }),
  };
}
