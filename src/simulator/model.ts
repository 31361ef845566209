import { randomUUID } from 'node:crypto';

export type ReplicaStatus = 'preparing' | 'active' | 'sleeping' | 'archived' | 'error';

/** Who sent a message, as `senderUserId` / `senderEmail` of the request (kept as sent with API keys). */
export interface SimSender {
  senderUserId?: string;
  senderEmail?: string;
}

/** A message waiting for its turn (`QueuedMessageInfo`), or the one a turn is processing. */
export interface SimMessage extends SimSender {
  id: string;
  message: string;
  queuedAt: string;
  /** The agent and the chat the message asked for (`coding_agent`, `chat_id`), if any. */
  codingAgent?: string;
  chatId?: string;
}

/** An item of a chat's history: the agent's own event (`{timestamp, type, payload}`). */
export type SimAgentEvent = {
  timestamp: string;
  type: string;
  payload: Record<string, unknown>;
};

export interface SimChat {
  id: string;
  provider: string;
  title: string;
  created_at: string;
  updated_at: string;
  parentChatId: string | null;
  processing: boolean;
  /** The message the running (or suspended) turn works on. */
  turn?: SimMessage;
  queue: SimMessage[];
  history: SimAgentEvent[];
  /** One record per user message that named its sender (`ChatMessageSender`). */
  senders: { senderUserId: string; senderEmail: string; recordedAt: string }[];
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
  /** Creation order, so lists stay newest first when two replicas share a timestamp. */
  seq: number;
  org: string;
  name: string;
  status: ReplicaStatus;
  waking: boolean;
  created_at: string;
  last_activity_at: string | null;
  /** When the engine last came up (uptime of `engine.status.changed`). */
  engineStartedAt: number;
  coding_agent: string;
  lifecycle_policy: string;
  /** The workspace `config` as the create request sent it; the API returns it on no replica endpoint. */
  config?: Record<string, unknown>;
  repositories: SimRepository[];
  repository_statuses: SimRepositoryStatus[];
  pull_requests: { repository: string; number: number; url: string }[];
  chats: SimChat[];
  /** The most recent input message across the chats (`lastChatMessage`). */
  lastChatMessage: { text: string; agent: string; timestamp: string } | null;
  webhook?: { url: string; secret?: string };
  errorMessage?: string;
  /** The first message and any sent while preparing, delivered once the workspace is active. */
  pending: SimMessage[];
  /** Chats whose turn the workspace fell asleep during; they resume on wake. */
  suspendedChats: string[];
  turnsStarted: number;
  turnsCompleted: number;
}

export interface Organisation {
  id: string;
  key: string;
  repositories: SimRepository[];
  repositorySets: { id: string; name: string; description: string | null; repositories: SimRepository[] }[];
  /** Generic per-organisation collections (environments, variables, automations, …) keyed by kind. */
  resources: Map<string, Map<string, Record<string, unknown>>>;
  globalEnvironmentId: string;
  /** The user the key acts for: owner of environments created with `scope: "user"`. */
  userId: string;
}

export const now = (): string => new Date().toISOString();

/** The first repositories of every organisation; tests and the demo name them. */
const FIRST_REPOSITORIES = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs', 'acme/legacy'];
/** Every fifth repository (acme/legacy the first) has no bound environment: campaign targets must create one. */
const isUnbound = (index: number) => index % 5 === 4;

/**
 * `count` repository names, the same for every organisation and every start: the first five, then
 * `acme/service-001`, `acme/service-002`, … (wider numbers past 999, so names sort in order).
 */
function repositoryNames(count: number): string[] {
  const more = Math.max(0, count - FIRST_REPOSITORIES.length);
  const width = Math.max(3, String(more).length);
  const services = Array.from(
    { length: more },
    (_, i) => `acme/service-${String(i + 1).padStart(width, '0')}`,
  );
  return [...FIRST_REPOSITORIES, ...services].slice(0, count);
}

export function newOrganisation(key: string, repositoryCount: number): Organisation {
  const repositories = repositoryNames(repositoryCount).map((name) => ({
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
    userId: randomUUID(),
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
  for (const [index, repository] of repositories.entries()) {
    if (isUnbound(index)) continue;
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
