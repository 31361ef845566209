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
      // The full diff is only sent with include=diffs; the statistics always are.
      git_diff: status.git_diff && {
        ...status.git_diff,
        full_diff: include.includes('diffs') ? status.git_diff.full_diff : '',
      },
    })),
    chats: replica.chats.map(
      ({ id, provider, title, created_at, updated_at, processing, lastMessageText }) => ({
        id,
        provider,
        title,
        created_at,
        updated_at,
        processing,
        lastMessageText,
      }),
    ),
    lastChatMessage: lastChatMessage(replica),
    ...(replica.errorMessage && { error_message: replica.errorMessage }),
    ...(include.includes('environment') && { environment: environmentView(replica) }),
  };
}

function lastChatMessage(replica: SimReplica) {
  const latest = [...replica.chats]
    .filter((chat) => chat.lastMessageText !== null)
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0];
  return latest
    ? { text: latest.lastMessageText, agent: latest.provider, timestamp: latest.updated_at }
    : null;
}

const agent = (available: boolean) => ({ available, auth_method: available ? 'api_key' : 'none' });

function environmentView(replica: SimReplica) {
  return {
    engine_version: 'sim-1',
    files_uploaded: [],
    env_vars_set: [],
    skills_installed: [],
    integrations: { github: true, gitlab: false, linear: false, slack: false, google: false },
    coding_agents: {
      claude: agent(true),
      codex: agent(true),
      cursor: agent(false),
      opencode: agent(false),
      pi: agent(false),
    },
    hooks: {
      global_warm_hook: { status: 'none', details: null },
      repositories: replica.repositories.map((repo) => ({
        repository_name: repo.name,
        warm_hook: 'none',
        start_hook: 'none',
      })),
    },
    last_updated_at: replica.last_activity_at ?? replica.created_at,
  };
}
