import type { Client } from '@temporalio/client';
import { shardOf, shardWorkflowId } from '../contracts';
import { shardsQuery } from '../workflows/campaign/messages';

/**
 * Which shards follow a repository's PRs: the shards of the items whose jobs ran on it, found through
 * Temporal visibility (jobs carry the `Repository` search attribute) and cached for a while, since a
 * burst of deliveries for one PR would otherwise ask the same question many times. A miss costs only
 * latency: the shards' sweep reads every followed PR on its interval anyway.
 */
export class ChangeRoutes {
  private readonly byRepository = new Map<string, { shards: string[]; atMs: number }>();
  /** A campaign's shard count is fixed for its life. */
  private readonly shardCounts = new Map<string, number>();

  constructor(
    private readonly client: Pick<Client, 'workflow'>,
    private readonly ttlMs = 30_000,
  ) {}

  async shardsFor(repository: string): Promise<string[]> {
    const cached = this.byRepository.get(repository);
    if (cached && Date.now() - cached.atMs < this.ttlMs) return cached.shards;
    const shards = new Set<string>();
    const quoted = repository.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const query = `WorkflowType = 'replicaJobWorkflow' AND Repository = '${quoted}'`;
    for await (const info of this.client.workflow.list({ query, pageSize: 1000 })) {
      const slash = info.workflowId.indexOf('/');
      if (slash < 0) continue;
      const campaignId = info.workflowId.slice(0, slash);
      const count = await this.shardCount(campaignId);
      if (count !== undefined)
        shards.add(shardWorkflowId(campaignId, shardOf(info.workflowId.slice(slash + 1), count)));
    }
    const found = [...shards];
    this.byRepository.set(repository, { shards: found, atMs: Date.now() });
    return found;
  }

  /** Undefined for a campaign that no longer answers (closed): its PRs are not followed any more. */
  private async shardCount(campaignId: string): Promise<number | undefined> {
    if (!this.shardCounts.has(campaignId)) {
      try {
        const { shardCount } = await this.client.workflow.getHandle(campaignId).query(shardsQuery);
        this.shardCounts.set(campaignId, shardCount);
      } catch {
        return undefined;
      }
    }
    return this.shardCounts.get(campaignId);
  }
}
