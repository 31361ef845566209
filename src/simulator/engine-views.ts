import type {
  EngineChatSummary,
  EngineRepoState,
  EngineStatusSnapshot,
} from '../replicas/schemas/engine-event';
import type { SimChat, SimReplica } from './model';

/** The engine's camelCase views (OpenAPI `EngineChatSummary`, `EngineRepoState`, `EngineStatusSnapshot`). */
export function chatSummary(chat: SimChat): EngineChatSummary {
  return {
    id: chat.id,
    provider: chat.provider,
    title: chat.title,
    createdAt: chat.created_at,
    updatedAt: chat.updated_at,
    processing: chat.processing,
    awaitingInput: false,
    parentChatId: chat.parentChatId,
    lastMessageText: chat.lastMessageText,
  };
}

export function repoStates(replica: SimReplica): EngineRepoState[] {
  return replica.repository_statuses.map((status) => ({
    name: status.repository,
    path: `/home/replicas/workspace/${status.repository.split('/').pop() ?? status.repository}`,
    defaultBranch: status.default_branch,
    currentBranch: status.branch,
    prUrls: [...status.pr_urls],
    gitDiff: status.git_diff && {
      added: status.git_diff.added,
      removed: status.git_diff.removed,
      fullDiff: status.git_diff.full_diff,
    },
    startHooksCompleted: status.start_hooks_completed,
    provider: 'github',
  }));
}

export function statusSnapshot(replica: SimReplica, sseClients: number): EngineStatusSnapshot {
  return {
    uptimeSeconds: Math.max(0, (Date.now() - replica.engineStartedAt) / 1000),
    hasActiveSSHSessions: false,
    activeSseClients: sseClients,
    chatsTotal: replica.chats.length,
    chatsProcessing: replica.chats.filter((chat) => chat.processing).length,
    reposTotal: replica.repository_statuses.length,
    hooksRunning: false,
  };
}
