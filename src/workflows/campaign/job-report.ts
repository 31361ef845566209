import { defineSignal } from '@temporalio/workflow';
import type { ReplicaJobResult } from '../../contracts';

/**
 * A child job's final report to its campaign. Sent by workflow id, so it reaches the campaign's
 * current run even after the campaign continued-as-new.
 */
export interface JobReport {
  workflowId: string;
  result: ReplicaJobResult;
}

export const jobFinishedSignal = defineSignal<[JobReport]>('jobFinished');
