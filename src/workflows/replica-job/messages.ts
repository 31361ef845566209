import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ReplicaEvent, ReplicaJobStatus } from '../../contracts';

/** A verified Replicas callback, normalised by the ingress (see `normaliseReplicaEvent`). */
export const replicaEventSignal = defineSignal<[ReplicaEvent]>('replicaEvent');

export const jobStateQuery = defineQuery<ReplicaJobStatus>('state');
