import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ReplicaJobStatus } from './types';

/** A Replicas webhook delivery, as the ingress forwards it after verifying its signature. */
export interface ReplicaEvent {
  /** `X-Replicas-Event-Id`: stable across redeliveries; the workflow dedupes on it. */
  eventId: string;
  /** `X-Replicas-Delivery`. */
  deliveryId: string;
  /** `X-Replicas-Event`, e.g. `replica.turn_completed`. */
  type: string;
  /** `X-Replicas-Replica-Id`. */
  replicaId: string;
  /** The parsed JSON body, unchanged. */
  payload: unknown;
  /** ISO time the ingress received it. */
  receivedAt: string;
}

export const REPLICA_EVENT_SIGNAL = 'replicaEvent';
export const replicaEventSignal = defineSignal<[ReplicaEvent]>(REPLICA_EVENT_SIGNAL);

export const jobStateQuery = defineQuery<ReplicaJobStatus>('state');
