import { randomUUID } from 'node:crypto';
import { now, type SimChat, type SimMessage, type SimReplica, type SimRepository } from './model';

export interface NewReplica {
  org: string;
  name: string;
  message: string;
  repositories: SimRepository[];
  codingAgent: string;
  lifecyclePolicy: string;
  config?: Record<string, unknown>;
  webhook?: { url: string; secret?: string };
}

/** A replica as created: preparing, on the default branches, its first message pending. */
export function newReplica(input: NewReplica, seq: number): SimReplica {
  const stamp = now();
  return {
    id: randomUUID(),
    seq,
    org: input.org,
    name: input.name,
    status: 'preparing',
    waking: false,
    created_at: stamp,
    last_activity_at: stamp,
    engineStartedAt: Date.now(),
    coding_agent: input.codingAgent,
    lifecycle_policy: input.lifecyclePolicy,
    ...(input.config && { config: input.config }),
    repositories: input.repositories,
    repository_statuses: input.repositories.map((repo) => ({
      repository: repo.name,
      branch: repo.default_branch,
      default_branch: repo.default_branch,
      pr_urls: [],
      start_hooks_completed: false,
      git_diff: null,
    })),
    pull_requests: [],
    chats: [],
    lastChatMessage: null,
    webhook: input.webhook,
    pending: [newMessage({ message: input.message, codingAgent: input.codingAgent })],
    suspendedChats: [],
    turnsStarted: 0,
    turnsCompleted: 0,
  };
}

export interface NewChat {
  provider: string;
  id?: string;
  title?: string;
  createdAt?: string;
  parentChatId?: string;
}

export function newChat(input: NewChat): SimChat {
  const stamp = input.createdAt ?? now();
  return {
    id: input.id ?? randomUUID(),
    provider: input.provider,
    title: input.title ?? 'New chat',
    created_at: stamp,
    updated_at: stamp,
    parentChatId: input.parentChatId ?? null,
    processing: false,
    queue: [],
    history: [],
    senders: [],
    lastMessageText: null,
  };
}

export type NewMessage = Omit<SimMessage, 'id' | 'queuedAt'>;

/** A message with its id (`msg_…`, also its queue id); optional fields only when given. */
export function newMessage(input: NewMessage): SimMessage {
  return {
    id: `msg_${randomUUID()}`,
    message: input.message,
    queuedAt: now(),
    ...(input.senderUserId !== undefined && { senderUserId: input.senderUserId }),
    ...(input.senderEmail !== undefined && { senderEmail: input.senderEmail }),
    ...(input.codingAgent !== undefined && { codingAgent: input.codingAgent }),
    ...(input.chatId !== undefined && { chatId: input.chatId }),
  };
}
