import { ServiceError, WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import {
  endedJob,
  type JobLookup,
  type ReplicaJobWorkflowType,
  type TemporalLookupActivities,
} from '../contracts';

/**
 * Asks Temporal itself about workflows, for the shard: jobs whose end never reached it (a result lost
 * to a reset, an id taken by an earlier run), and the records of a closed earlier run of a shard.
 */
export function createTemporalLookupActivities(client: Pick<Client, 'workflow'>): TemporalLookupActivities {
  async function describeJob(workflowId: string): Promise<JobLookup> {
    const handle = client.workflow.getHandle<ReplicaJobWorkflowType>(workflowId);
    try {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') return { workflowId, status: 'running' };
      return { workflowId, status: 'succeeded', result: await handle.result() };
    } catch (error) {
      if (error instanceof WorkflowFailedError)
        return { workflowId, status: 'ended', ...endedJob(error.cause) };
      if (error instanceof WorkflowNotFoundError) {
        return {
          workflowId,
          status: 'ended',
          state: 'failed',
          error: 'the job workflow no longer exists in Temporal',
        };
      }
      throw error;
    }
  }

  return {
    async describeJobs(workflowIds) {
      return Promise.all(workflowIds.map(describeJob));
    },

    async previousResult<W extends Workflow>(workflowId: string) {
      const query = `WorkflowId = '${workflowId.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Completed'`;
      try {
        for await (const execution of client.workflow.list({ query, pageSize: 1 })) {
          return client.workflow.getHandle<W>(workflowId, execution.runId).result();
        }
      } catch (error) {
        // A server without visibility (the time-skipping test server) has no earlier runs to offer.
        if (isUnimplemented(error)) return null;
        throw error;
      }
      return null;
    },
  };
}

/** gRPC status UNIMPLEMENTED: the server has no such method. */
const GRPC_UNIMPLEMENTED = 12;

function isUnimplemented(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return error instanceof ServiceError && cause?.code === GRPC_UNIMPLEMENTED;
}
