import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignItem, CampaignProgress, ResultsPage } from '../../contracts';

/** No new starts until `resume`; running items carry on. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Cancels running items (their cleanup runs) and marks the rest cancelled. */
export const cancelCampaignSignal = defineSignal('cancel');

export const setConcurrencyUpdate = defineUpdate<{ concurrency: number }, [number]>('setConcurrency');
/** Re-queues failed and timed-out items (each gets a fresh replica); answers how many. */
export const retryFailedUpdate = defineUpdate<{ requeued: number }>('retryFailed');
export const addItemsUpdate = defineUpdate<{ added: number; total: number }, [CampaignItem[]]>('addItems');

export const progressQuery = defineQuery<CampaignProgress>('progress');
export const resultsQuery = defineQuery<ResultsPage, [{ offset?: number; limit?: number }?]>('results');
