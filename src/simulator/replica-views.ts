import type { SimChat, SimMessage, SimReplica } from './model';

/** The API's views of the simulator's records: what list, detail, chat and queue answers carry. */
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

/** `repository_statuses[]` of the detail answer and of `replica.turn_completed`. */
export function repositoryStatuses(replica: SimReplica, include: string[] = []) {
  return replica.repository_statuses.map((status) => ({
    ...status,
    pr_urls: [...status.pr_urls],
    // The full diff is only sent with include=diffs; the statistics always are.
    git_diff: status.git_diff && {
      ...status.git_diff,
      full_diff: include.includes('diffs') ? status.git_diff.full_diff : '',
    },
  }));
}

export function chatView(chat: SimChat) {
  const { id, provider, title, created_at, updated_at, processing, lastMessageText } = chat;
  return { id, provider, title, created_at, updated_at, processing, lastMessageText };
}

/** `QueuedMessageInfo`: sender fields only when the message named them. */
export function queuedMessageView({ id, message, queuedAt, senderUserId, senderEmail }: SimMessage) {
  return {
    id,
    message,
    queuedAt,
    ...(senderUserId !== undefined && { senderUserId }),
    ...(senderEmail !== undefined && { senderEmail }),
  };
}

export function replicaDetails(replica: SimReplica, include: string[]) {
  return {
    ...replicaListItem(replica),
    coding_agent: replica.coding_agent,
    waking: replica.waking,
    repository_statuses: repositoryStatuses(replica, include),
    chats: replica.chats.map(chatView),
    lastChatMessage: replica.lastChatMessage && { ...replica.lastChatMessage },
    ...(replica.errorMessage && { error_message: replica.errorMessage }),
    ...(include.includes('environment') && { environment: environmentView(replica) }),
  };
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
