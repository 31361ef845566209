import type { Client } from '@temporalio/client';
import picomatch from 'picomatch';
import type { CampaignSpec } from '../contracts';
import { targetOf } from '../contracts';
import { shardsQuery } from '../workflows/campaign/messages';
import { activeTargetsQuery } from '../workflows/shard/messages';

/** Another campaign still working on some of the same targets. */
export interface Overlap {
  campaignId: string;
  targets: string[];
}

/** Whether a target of a running campaign is one this spec would work on. */
function matcherOf(spec: CampaignSpec): (target: string) => boolean {
  if (spec.targets) return picomatch(spec.targets.repositories);
  const mine = new Set((spec.items ?? []).map(targetOf));
  return (target) => mine.has(target);
}

/**
 * Running campaigns (other than `campaignId`) with pending or running items on targets this spec names:
 * two campaigns on one repository would open two changes there. Each shard tells its unfinished targets.
 */
export async function overlappingCampaigns(
  client: Client,
  campaignId: string,
  spec: CampaignSpec,
): Promise<Overlap[]> {
  const matches = matcherOf(spec);
  const overlaps: Overlap[] = [];
  const query = `WorkflowType = 'campaignWorkflow' AND ExecutionStatus = 'Running'`;
  for await (const info of client.workflow.list({ query, pageSize: 100 })) {
    if (info.workflowId === campaignId) continue;
    const { shards } = await client.workflow.getHandle(info.workflowId).query(shardsQuery);
    const found = new Set<string>();
    for (const shard of shards) {
      for (const target of await client.workflow.getHandle(shard.workflowId).query(activeTargetsQuery))
        if (matches(target)) found.add(target);
    }
    if (found.size > 0) overlaps.push({ campaignId: info.workflowId, targets: [...found].sort() });
  }
  return overlaps;
}

/** `campaign "b" would work on 2 repositories campaign "a" is still working on: acme/api, acme/web; …`. */
export function describeOverlap(campaignId: string, overlap: Overlap): string {
  const shown = overlap.targets.slice(0, 5).join(', ');
  const more = overlap.targets.length > 5 ? `, … (${overlap.targets.length} in all)` : '';
  return (
    `campaign "${campaignId}" would work on ${overlap.targets.length} target(s) that campaign ` +
    `"${overlap.campaignId}" is still working on: ${shown}${more}; wait for it to finish, cancel it ` +
    `('replica-fleet campaign cancel ${overlap.campaignId}'), or apply with --allow-overlap`
  );
}
