import { defineSearchAttributeKey } from '@temporalio/common';

// Keyword attributes so operators can filter campaigns and jobs in the Temporal UI / `temporal workflow list`.
export const CampaignIdAttribute = defineSearchAttributeKey('CampaignId', 'KEYWORD');
export const RepositoryAttribute = defineSearchAttributeKey('Repository', 'KEYWORD');
/** Where a campaign stands (running, paused, stopping, finished…), to list live campaigns at a glance. */
export const CampaignStateAttribute = defineSearchAttributeKey('CampaignState', 'KEYWORD');

/**
 * `pull-requests` on a shard that follows PRs on the code host: how the webhook ingress finds the few
 * shards to ask which repositories they follow, without scanning every job.
 */
export const TrackingAttribute = defineSearchAttributeKey('Tracking', 'KEYWORD');
export const TRACKING_PULL_REQUESTS = 'pull-requests';

/** Every attribute the workflows upsert: `replica-fleet setup`, the dev server and the tests register these. */
export const searchAttributeKeys = [
  CampaignIdAttribute,
  RepositoryAttribute,
  CampaignStateAttribute,
  TrackingAttribute,
] as const;
