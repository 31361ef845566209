import type { ReplicasClient } from '../replicas';
import { createCatalogActivities } from './catalog';
import { createReplicaJobActivities, type WebhookSettings } from './replica-job';
import { createTargetActivities } from './targets';

export interface ActivityDeps {
  client: ReplicasClient;
  config: { webhooks?: WebhookSettings; heartbeatEveryMs?: number };
}

/** Every Replicas API activity, for the rate-limited API task queue. */
export function createActivities({ client, config }: ActivityDeps) {
  return {
    ...createReplicaJobActivities({
      client,
      webhooks: config.webhooks,
      heartbeatEveryMs: config.heartbeatEveryMs,
    }),
    ...createCatalogActivities(client),
    ...createTargetActivities(client),
  };
}

export type FleetActivities = ReturnType<typeof createActivities>;
