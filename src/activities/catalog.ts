import type { ReplicasClient } from '../replicas';
import { apiCall } from './failures';

/**
 * Read-side calls campaigns and operators need besides a job's own: repositories, environments,
 * chats, history, automations. Small results only, because they land in workflow history.
 */
export function createCatalogActivities(client: ReplicasClient) {
  return {
    async listRepositories() {
      const { repositories } = await apiCall('listRepositories', () => client.listRepositories());
      return repositories.map(({ id, name, url, default_branch }) => ({ id, name, url, default_branch }));
    },
    async listEnvironments() {
      const { environments } = await apiCall('listEnvironments', () => client.environments.list());
      return environments.map(({ id, name, repository_id, repository_set_id, is_global }) => ({
        id,
        name,
        repository_id,
        repository_set_id,
        is_global,
      }));
    },
    async listChats(replicaId: string) {
      const { chats } = await apiCall('listChats', () => client.listChats(replicaId));
      return chats.map(({ id, provider, title, processing }) => ({ id, provider, title, processing }));
    },
    async getHistory(input: { replicaId: string; chatId?: string; limit?: number }) {
      const history = await apiCall('getHistory', () =>
        client.getHistory(input.replicaId, { chat_id: input.chatId, limit: input.limit ?? 50 }),
      );
      return { total: history.total, hasMore: history.has_more, events: history.events };
    },
    async triggerAutomation(automationId: string) {
      const run = await apiCall('triggerAutomation', () => client.automations.trigger(automationId));
      return { executionId: run.execution_id, workspaceId: run.workspace_id };
    },
  };
}
