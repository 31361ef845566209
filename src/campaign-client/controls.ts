import type { Client } from '@temporalio/client';
import type { CampaignProgress } from '../contracts';
import type { campaignWorkflow } from '../workflows/campaign/workflow';
import {
  approveUpdate,
  cancelUpdate,
  closeUpdate,
  pauseUpdate,
  rejectUpdate,
  resumeUpdate,
  retryFailedUpdate,
  setConcurrencyUpdate,
} from '../workflows/campaign/messages';
import { untilAccepted } from './until-accepted';

/**
 * The controls that answer with the campaign as they leave it, by the names the CLI and the dashboard
 * give them. Each is one update the campaign's validator accepts or refuses for its state.
 */
export const PROGRESS_CONTROLS = {
  pause: pauseUpdate,
  resume: resumeUpdate,
  cancel: cancelUpdate,
  approve: approveUpdate,
  reject: rejectUpdate,
  close: closeUpdate,
} as const;
export type ProgressControl = keyof typeof PROGRESS_CONTROLS;

const handleOf = (client: Client, campaignId: string) =>
  client.workflow.getHandle<typeof campaignWorkflow>(campaignId);

/** Sends one control (sent again while the campaign continues as new); the campaign as it leaves it. */
export function controlCampaign(
  client: Client,
  campaignId: string,
  control: ProgressControl,
): Promise<CampaignProgress> {
  return untilAccepted(() => handleOf(client, campaignId).executeUpdate(PROGRESS_CONTROLS[control]));
}

/** `retry-failed`: failed and timed-out items queued again; how many. */
export function retryFailedItems(client: Client, campaignId: string): Promise<{ requeued: number }> {
  return untilAccepted(() => handleOf(client, campaignId).executeUpdate(retryFailedUpdate));
}

/** `set-concurrency`: how many items may run at once, as the campaign took it. */
export function setCampaignConcurrency(
  client: Client,
  campaignId: string,
  concurrency: number,
): Promise<{ concurrency: number }> {
  return untilAccepted(() =>
    handleOf(client, campaignId).executeUpdate(setConcurrencyUpdate, { args: [concurrency] }),
  );
}
