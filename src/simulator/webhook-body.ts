import { randomUUID } from 'node:crypto';

/**
 * The JSON body of a delivery: the envelope receivers of the platform read (`id`, `type`,
 * `replica_id`), the replica as an object at the time of the event, and the event's `data`.
 */
export function webhookBody(replica: { id: string }, type: string, data: Record<string, unknown>) {
  return {
    id: `evt_${randomUUID()}`,
    type,
    replica_id: replica.id,
    replica,
    created_at: new Date().toISOString(),
    data,
  };
}
