import { asRecord, pullRequestsIn, replicaParts, type PullRequestRef } from './pull-requests';

/** The webhook events the platform documents (the guide, "Webhook Callbacks"). */
export const REPLICA_EVENT_TYPES = [
  'replica.ready',
  'replica.turn_completed',
  'replica.deleted',
  'replica.error',
] as const;

/**
 * The webhook events a replica job acts on; the ingress acknowledges the others without signalling,
 * because each signal is a billed action and a workflow task. Left out on purpose:
 * - `replica.ready` arrives at provisioning, which the job does not wait for, and after a wake, which
 *   the job confirms with its own look;
 * - `replica.deleted` follows the job's own cleanup on nearly every job (and would reach it while its
 *   last activity still runs); a deletion by someone else mid-turn is found by the job's next look.
 */
export const JOB_EVENT_TYPES: readonly string[] = ['replica.turn_completed', 'replica.error'];

/**
 * A Replicas callback after the ingress verified it, normalised at the edge: the workflow reads typed
 * fields only and never parses a body. Small on purpose, because it is signalled into history.
 */
export interface ReplicaEvent {
  /** `X-Replicas-Event-Id`: stable across redeliveries; the workflow dedupes on it. */
  eventId: string;
  /** `X-Replicas-Event`, e.g. `replica.turn_completed`. */
  type: string;
  /** `X-Replicas-Replica-Id`. */
  replicaId: string;
  /** PRs the event names (`replica.turn_completed`). */
  prs?: PullRequestRef[];
  /** The platform's failure message (`replica.error`). */
  errorMessage?: string;
}

/**
 * The platform's failure message in a webhook body or a replica document, wherever it nests it: the
 * one error-message rule of the project. Reads `message`, `error_message`, `failure_message` and
 * `error` (a string, or an object with `message`).
 */
export function errorMessageIn(document: unknown): string | undefined {
  for (const part of replicaParts(document)) {
    for (const key of ['error_message', 'failure_message', 'message', 'error']) {
      const value = part[key];
      if (typeof value === 'string' && value) return value;
      const nested = asRecord(value)?.message;
      if (typeof nested === 'string' && nested) return nested;
    }
  }
  return undefined;
}

/** The typed event for a verified delivery: headers say what it is, the body what it carries. */
export function normaliseReplicaEvent(
  headers: { eventId: string; type: string; replicaId: string },
  body: unknown,
): ReplicaEvent {
  const event: ReplicaEvent = { eventId: headers.eventId, type: headers.type, replicaId: headers.replicaId };
  const prs = pullRequestsIn(body);
  if (prs.length > 0) event.prs = prs;
  if (headers.type === 'replica.error') {
    const message = errorMessageIn(body);
    if (message) event.errorMessage = message;
  }
  return event;
}
