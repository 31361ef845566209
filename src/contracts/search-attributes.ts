import { defineSearchAttributeKey } from '@temporalio/common';

// Keyword attributes so operators can filter campaigns and jobs in the Temporal UI / `temporal workflow list`.
export const CampaignIdAttribute = defineSearchAttributeKey('CampaignId', 'KEYWORD');
export const RepositoryAttribute = defineSearchAttributeKey('Repository', 'KEYWORD');
/** Where a campaign stands (running, paused, stopping, finished…), to list live campaigns at a glance. */
export const CampaignStateAttribute = defineSearchAttributeKey('CampaignState', 'KEYWORD');

/** Every attribute the workflows upsert: `replica-fleet setup`, the dev server and the tests register these. */
export const searchAttributeKeys = [
  CampaignIdAttribute,
  RepositoryAttribute,
  CampaignStateAttribute,
] as const;
