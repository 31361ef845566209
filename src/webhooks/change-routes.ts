import type { Client } from '@temporalio/client';
import { TRACKING_PULL_REQUESTS, TrackingAttribute, parsePullRequestUrl } from '../contracts';
import { followedPullRequestsQuery } from '../workflows/shard/messages';

interface RouteTable {
  byUrl: Map<string, string[]>;
  byRepository: Map<string, string[]>;
  atMs: number;
}

/**
 * Which shards follow a PR. Shards that follow PRs mark themselves with the `Tracking` search
 * attribute; the ingress lists the running ones of its task queue and asks each which PRs it follows,
 * at most once per `ttlMs` (a burst of deliveries asks once). A delivery that names its PRs goes to the
 * shards that follow them; one that does not (a commit status), or names a PR not in the table yet,
 * goes to every shard following a PR of its repository. A shard that does not answer in time is
 * skipped: its sweep reads every followed PR anyway.
 */
export class ChangeRoutes {
  private table?: RouteTable;
  private refreshing?: Promise<Omit<RouteTable, 'atMs'>>;

  constructor(
    private readonly client: Pick<Client, 'workflow' | 'withDeadline'>,
    private readonly taskQueue: string,
    private readonly ttlMs = 10_000,
    private readonly answerWithinMs = 2_000,
    private readonly missRetryMs = 1_000,
  ) {}

  /** The shards to tell of a delivery about `urls` (possibly none) in `repository`. */
  async shardsFor(repository: string, urls: readonly string[] = []): Promise<string[]> {
    const age = this.table ? Date.now() - this.table.atMs : Number.POSITIVE_INFINITY;
    const known =
      urls.length > 0
        ? urls.every((url) => this.table?.byUrl.has(url))
        : (this.table?.byRepository.has(repository) ?? false);
    // A PR not in the table may have begun to be followed since: look again, but not in a loop.
    if (age >= this.ttlMs || (!known && age >= this.missRetryMs)) {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      this.table = { ...(await this.refreshing), atMs: Date.now() };
    }
    const table = this.table as RouteTable;
    const shards = new Set<string>();
    for (const url of urls) for (const id of table.byUrl.get(url) ?? []) shards.add(id);
    if (urls.length === 0 || !urls.every((url) => table.byUrl.has(url)))
      for (const id of table.byRepository.get(repository) ?? []) shards.add(id);
    return [...shards];
  }

  private async refresh(): Promise<Omit<RouteTable, 'atMs'>> {
    const queue = this.taskQueue.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const query = `WorkflowType = 'shardWorkflow' AND ExecutionStatus = 'Running' AND ${TrackingAttribute.name} = '${TRACKING_PULL_REQUESTS}' AND TaskQueue = '${queue}'`;
    const shards: string[] = [];
    for await (const info of this.client.workflow.list({ query, pageSize: 100 }))
      shards.push(info.workflowId);
    const byUrl = new Map<string, string[]>();
    const byRepository = new Map<string, string[]>();
    const add = (map: Map<string, string[]>, key: string, id: string) => {
      const ids = map.get(key) ?? [];
      if (!ids.includes(id)) map.set(key, [...ids, id]);
    };
    await Promise.all(
      shards.map(async (id) => {
        const urls = await this.client
          .withDeadline(Date.now() + this.answerWithinMs, () =>
            this.client.workflow.getHandle(id).query(followedPullRequestsQuery),
          )
          .catch(() => [] as string[]);
        for (const url of urls) {
          add(byUrl, url, id);
          const repository = parsePullRequestUrl(url)?.repository;
          if (repository) add(byRepository, repository, id);
        }
      }),
    );
    return { byUrl, byRepository };
  }
}
