import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { UnknownItemError } from '../../campaign-client/item-inspect';
import { missingWorkers, UnknownCampaignError } from '../../campaign-client/reads';
import { UnknownScheduleError } from '../../campaign-client/schedules';
import { loadWorkerConfig } from '../../config/worker-config';
import type { campaignWorkflow } from '../../workflows/campaign/workflow';
import { EXIT } from '../command';
import { withTemporalClient } from '../temporal-client';

export const CONNECTION = `Connects with TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (and TLS or TEMPORAL_API_KEY settings);
campaigns run on REPLICA_FLEET_TASK_QUEUE and call the API on REPLICA_FLEET_API_TASK_QUEUE.`;

export const campaignHandle = (client: Client, id: string) =>
  client.workflow.getHandle<typeof campaignWorkflow>(id);

/**
 * Runs something against a campaign: a refusal by its validator is the user's to fix (exit 1, its
 * words); an unknown campaign, item or schedule is named plainly (exit 1).
 */
export async function onCampaign(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      console.error(`rejected: ${error.cause?.message ?? error.message}`);
      return EXIT.failed;
    }
    if (
      error instanceof UnknownCampaignError ||
      error instanceof UnknownItemError ||
      error instanceof UnknownScheduleError
    ) {
      console.error(error.message);
      return EXIT.failed;
    }
    if (error instanceof WorkflowNotFoundError) {
      console.error(
        `no running campaign "${error.workflowId}" (a closed one still shows in 'replica-fleet campaign status ${error.workflowId}'; 'replica-fleet campaign list' shows them all)`,
      );
      return EXIT.failed;
    }
    throw error;
  }
}

/** Warns on stderr when no worker polls the queues this CLI would use: the campaign could not move. */
export async function warnAboutWorkers(client: Client): Promise<void> {
  const { taskQueue, apiTaskQueue } = loadWorkerConfig();
  for (const problem of await missingWorkers(client, { taskQueue, apiTaskQueue }))
    console.error(`warning: ${problem}`);
}

/** A Temporal client for a campaign command, with its errors told the way `onCampaign` tells them. */
export const withCampaigns = (fn: (client: Client) => Promise<number>) =>
  withTemporalClient((client) => onCampaign(() => fn(client)));
