import type { Client } from '@temporalio/client';
import picomatch from 'picomatch';
import type { CampaignSpec } from '../contracts';
import { targetOf } from '../contracts';
import { shardsQuery } from '../workflows/campaign/messages';
import { mapLimited } from './list';
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

/** What the check found: overlaps, and running campaigns that did not answer in time (unchecked). */
export interface OverlapCheck {
  overlaps: Overlap[];
  unanswered: string[];
}

/**
 * Running campaigns of this fleet (other than `campaignId`) with pending or running items on targets this spec names:
 * two campaigns on one repository would open two changes there. Each shard tells its unfinished targets.
 * A campaign no worker answers within `answerWithinMs` (another deployment's task queue, workers down)
 * is reported as unchecked rather than holding the apply up.
 */
export async function overlappingCampaigns(
  client: Client,
  campaignId: string,
  spec: CampaignSpec,
  options: { taskQueue: string; answerWithinMs?: number },
): Promise<OverlapCheck> {
  const answerWithinMs = options.answerWithinMs ?? 5_000;
  const matches = matcherOf(spec);
  const ids: string[] = [];
  // The fleet's own campaigns: those on its task queue (another queue is another deployment's).
  const query = `WorkflowType = 'campaignWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${options.taskQueue.replace(/'/g, "\\'")}'`;
  for await (const info of client.workflow.list({ query, pageSize: 100 }))
    if (info.workflowId !== campaignId) ids.push(info.workflowId);
  const targetsOf = async (id: string): Promise<Set<string>> => {
    const { shards } = await client.workflow.getHandle(id).query(shardsQuery);
    const found = new Set<string>();
    for (const shard of shards) {
      for (const target of await client.workflow.getHandle(shard.workflowId).query(activeTargetsQuery))
        if (matches(target)) found.add(target);
    }
    return found;
  };
  const answers = await mapLimited(ids, 8, (id) =>
    client
      .withDeadline(Date.now() + answerWithinMs, () => targetsOf(id))
      .then(
        (found) => ({ id, found }),
        () => ({ id, found: undefined }),
      ),
  );
  return {
    overlaps: answers
      .filter((a) => a.found && a.found.size > 0)
      .map((a) => ({ campaignId: a.id, targets: [...(a.found as Set<string>)].sort() })),
    unanswered: answers.filter((a) => !a.found).map((a) => a.id),
  };
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
