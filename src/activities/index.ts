import type { Client } from '@temporalio/client';
import type { CodeHost } from '../contracts';
import type { ReplicasClient } from '../replicas';
import { createCodeHostActivities } from './code-host';
import { createReplicaJobActivities, type WebhookTargetFor } from './replica-job';
import { createTargetActivities } from './targets';
import { createTemporalLookupActivities } from './temporal-lookups';

export type { WebhookTargetFor } from './replica-job';

/** Activities that ask Temporal (not the Replicas API), for the workflow task queue. */
export function createLocalActivities(temporal: Pick<Client, 'workflow'>) {
  return createTemporalLookupActivities(temporal);
}

export interface ActivityDeps {
  client: ReplicasClient;
  /** Each workflow's `webhook_url`; without it every job polls. */
  webhookTargetFor?: WebhookTargetFor;
  heartbeatEveryMs?: number;
  /** The code host PRs are followed on (GitHub); without it the campaigns report tracking as off. */
  codeHost?: CodeHost;
}

/** Every Replicas API activity, for the rate-limited API task queue. */
export function createActivities({ client, webhookTargetFor, heartbeatEveryMs, codeHost }: ActivityDeps) {
  return {
    ...createReplicaJobActivities({ client, webhookTargetFor, heartbeatEveryMs }),
    ...createTargetActivities(client),
    ...createCodeHostActivities(codeHost, { heartbeatEveryMs }),
  };
}

export type FleetActivities = ReturnType<typeof createActivities>;
