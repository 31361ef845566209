import type { Client } from '@temporalio/client';
import { TRACKING_PULL_REQUESTS, TrackingAttribute } from '../contracts';
import { followedRepositoriesQuery } from '../workflows/shard/messages';

/**
 * Which shards follow PRs of a repository. Shards that follow PRs mark themselves with the `Tracking`
 * search attribute; the ingress lists the running ones of its task queue and asks each which
 * repositories it follows, at most once per `ttlMs` (a burst of deliveries for one PR asks once). A
 * shard that does not answer in time is skipped: its sweep reads every followed PR anyway.
 */
export class ChangeRoutes {
  private table?: { byRepository: Map<string, string[]>; atMs: number };
  private refreshing?: Promise<Map<string, string[]>>;

  constructor(
    private readonly client: Pick<Client, 'workflow' | 'withDeadline'>,
    private readonly taskQueue: string,
    private readonly ttlMs = 10_000,
    private readonly answerWithinMs = 2_000,
    private readonly missRetryMs = 1_000,
  ) {}

  async shardsFor(repository: string): Promise<string[]> {
    const age = this.table ? Date.now() - this.table.atMs : Number.POSITIVE_INFINITY;
    const known = this.table?.byRepository.has(repository) ?? false;
    // A repository not in the table may have begun to be followed since: look again, but not in a loop.
    if (age >= this.ttlMs || (!known && age >= this.missRetryMs)) {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      this.table = { byRepository: await this.refreshing, atMs: Date.now() };
    }
    return this.table?.byRepository.get(repository) ?? [];
  }

  private async refresh(): Promise<Map<string, string[]>> {
    const queue = this.taskQueue.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const query = `WorkflowType = 'shardWorkflow' AND ExecutionStatus = 'Running' AND ${TrackingAttribute.name} = '${TRACKING_PULL_REQUESTS}' AND TaskQueue = '${queue}'`;
    const shards: string[] = [];
    for await (const info of this.client.workflow.list({ query, pageSize: 100 }))
      shards.push(info.workflowId);
    const byRepository = new Map<string, string[]>();
    await Promise.all(
      shards.map(async (id) => {
        const repositories = await this.client
          .withDeadline(Date.now() + this.answerWithinMs, () =>
            this.client.workflow.getHandle(id).query(followedRepositoriesQuery),
          )
          .catch(() => [] as string[]);
        for (const repository of repositories)
          byRepository.set(repository, [...(byRepository.get(repository) ?? []), id]);
      }),
    );
    return byRepository;
  }
}
