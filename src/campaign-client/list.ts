import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { CampaignStateAttribute, type CampaignProgress, type ItemCounts } from '../contracts';
import { campaignProgress } from './reads';

/** What `campaign list` shows per campaign; `--json` prints an array of these. */
export interface CampaignListEntry {
  campaignId: string;
  name?: string;
  /** The `CampaignState` search attribute, else the campaign's own answer, else the workflow status. */
  state: string;
  /** Temporal's status of the workflow: RUNNING, COMPLETED, TERMINATED… */
  workflowStatus: string;
  startedAt: string;
  closedAt?: string;
  total?: number;
  counts?: ItemCounts;
  prsOpened?: number;
  /** Where the campaign was applied from (recorded by `campaign apply`), and by whom. */
  specFile?: string;
  owner?: string;
}

/** The memo `campaign apply` records on a campaign it creates. */
export interface CampaignOrigin {
  specFile?: string;
  owner?: string;
}

const quote = (value: string) => `'${value.replace(/'/g, "\\'")}'`;

/**
 * The visibility query of campaigns (optionally those whose id starts with `prefix`, e.g. the runs
 * of one schedule); a state filter also keeps campaigns that carry no state yet.
 */
export function campaignListQuery(filter: { state?: string; prefix?: string } = {}): string {
  const parts = [`WorkflowType = 'campaignWorkflow'`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (filter.prefix) parts.push(`WorkflowId STARTS_WITH ${quote(filter.prefix)}`);
  const attribute = CampaignStateAttribute.name;
  if (filter.state) parts.push(`(${attribute} = ${quote(filter.state)} OR ${attribute} IS NULL)`);
  return parts.join(' AND ');
}

/** `fn` over `items`, at most `limit` at once, results in order. */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  });
  await Promise.all(lanes);
  return out;
}

/**
 * Campaigns from Temporal visibility, newest first, with their counts from the campaigns themselves
 * (each asked with a short deadline: a campaign no worker serves is listed without counts).
 * `progressOf` reads one campaign's progress: the dashboard passes its shared cache.
 */
export async function listCampaigns(
  client: Client,
  options: {
    state?: string;
    prefix?: string;
    limit?: number;
    answerWithinMs?: number;
    progressOf?: (campaignId: string) => Promise<CampaignProgress>;
  } = {},
): Promise<CampaignListEntry[]> {
  const progressOf = options.progressOf ?? ((id: string) => campaignProgress(client, id));
  const limit = options.limit ?? 20;
  const infos: WorkflowExecutionInfo[] = [];
  const seen = new Set<string>();
  for await (const info of client.workflow.list({ query: campaignListQuery(options), pageSize: 100 })) {
    if (seen.has(info.workflowId)) continue; // a campaign closed and applied again: its latest run
    seen.add(info.workflowId);
    infos.push(info);
    // Filtering by state happens below; read a little further so the limit holds after it.
    if (infos.length >= (options.state ? limit * 5 : limit)) break;
  }
  const entries = await mapLimited(infos, 8, async (info) => {
    let progress: CampaignProgress | undefined;
    try {
      progress = await client.withDeadline(Date.now() + (options.answerWithinMs ?? 5_000), () =>
        progressOf(info.workflowId),
      );
    } catch {
      progress = undefined;
    }
    return toEntry(info, progress);
  });
  return entries.filter((e) => !options.state || e.state === options.state).slice(0, limit);
}

function toEntry(info: WorkflowExecutionInfo, progress: CampaignProgress | undefined): CampaignListEntry {
  const attribute = info.typedSearchAttributes.get(CampaignStateAttribute);
  const origin = (info.memo?.origin ?? {}) as CampaignOrigin;
  const name = progress?.name;
  return {
    campaignId: info.workflowId,
    ...(name && { name }),
    state: attribute ?? progress?.state ?? info.status.name.toLowerCase(),
    workflowStatus: info.status.name,
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime && { closedAt: info.closeTime.toISOString() }),
    ...(progress && { total: progress.total, counts: progress.counts, prsOpened: progress.prsOpened }),
    ...(origin.specFile && { specFile: origin.specFile }),
    ...(origin.owner && { owner: origin.owner }),
  };
}
