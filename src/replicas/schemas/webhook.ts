import { z } from 'zod';
import { Timestamp, loose } from './common';
import { ReplicaListItem, RepositoryStatus } from './replica';

/**
 * A `webhook_url` delivery body. The guide names the events and what each carries (per-repository
 * branches and new PR URLs on `replica.turn_completed`, the failure message on `replica.error`, empty
 * data on `replica.deleted`); the exact body is not published, so everything beyond the envelope is
 * optional and unknown fields are kept. Receivers should read PRs and messages from either shape.
 */
export const ReplicaWebhookBody = loose({
  id: z.string().optional(),
  type: z.string().optional(),
  replica_id: z.string().optional(),
  /** The replica as in list responses, at the time of the event. */
  replica: ReplicaListItem.partial().extend({ id: z.string() }).optional(),
  created_at: Timestamp.optional(),
  data: loose({
    chat_id: z.string().nullable().optional(),
    repository_statuses: z.array(RepositoryStatus).optional(),
    /** PR URLs this turn opened. */
    pr_urls: z.array(z.string()).optional(),
    message: z.string().optional(),
  }).optional(),
});
export type ReplicaWebhookBody = z.infer<typeof ReplicaWebhookBody>;
