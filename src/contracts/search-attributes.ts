import { defineSearchAttributeKey } from '@temporalio/common';

// Keyword attributes so operators can filter campaigns and jobs in the Temporal UI / `temporal workflow list`.
export const CampaignIdAttribute = defineSearchAttributeKey('CampaignId', 'KEYWORD');
export const ReplicaIdAttribute = defineSearchAttributeKey('ReplicaId', 'KEYWORD');
export const JobStateAttribute = defineSearchAttributeKey('JobState', 'KEYWORD');
export const RepositoryAttribute = defineSearchAttributeKey('Repository', 'KEYWORD');

export const searchAttributeKeys = [
  CampaignIdAttribute,
  ReplicaIdAttribute,
  JobStateAttribute,
  RepositoryAttribute,
] as const;
