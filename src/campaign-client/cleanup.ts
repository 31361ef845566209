import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { LIMITS, type KeptReplica } from '../contracts';
import { ReplicasApiError, type ReplicasClient } from '../replicas';
import { releaseReplicasUpdate } from '../workflows/campaign/messages';
import { campaignRecords } from './reads';
import { untilAccepted } from './until-accepted';

export type { KeptReplica };

/** What `campaign cleanup` did; `--json` prints this object. */
export interface CleanupReport {
  deleted: KeptReplica[];
  /** Already deleted (by hand, by the platform, or by an earlier cleanup): nothing to do. */
  alreadyGone: KeptReplica[];
  failed: (KeptReplica & { error: string })[];
  /** Items still running: their jobs clean up after themselves (replicas of their earlier runs are deleted). */
  skippedRunning: number;
  /**
   * Records that stopped naming a deleted replica as kept; `null` when the campaign is closed, whose
   * records are final (they keep naming the replicas, which are gone all the same).
   */
  recordsUpdated: number | null;
}

/**
 * Deletes the replicas a campaign's items kept (failures under `delete-on-success`, every one under
 * `keep`, and those of earlier runs of retried items), by the replica ids in the records, then tells
 * the campaign so its records stop naming them. Idempotent: a replica already gone counts as done.
 */
export async function cleanupKeptReplicas(
  client: Client,
  replicas: ReplicasClient,
  campaignId: string,
): Promise<CleanupReport> {
  const report: CleanupReport = {
    deleted: [],
    alreadyGone: [],
    failed: [],
    skippedRunning: 0,
    recordsUpdated: 0,
  };
  for await (const record of campaignRecords(client, campaignId)) {
    const running = record.state === 'running' || record.state === 'pending';
    if (running && record.replicaKept) report.skippedRunning += 1;
    const ids = [
      ...(record.earlierReplicas ?? []),
      ...(record.replicaKept && !running && record.replicaId ? [record.replicaId] : []),
    ];
    for (const replicaId of ids) {
      const kept = { key: record.key, replicaId };
      try {
        await replicas.deleteReplica(replicaId);
        report.deleted.push(kept);
      } catch (error) {
        if (error instanceof ReplicasApiError && error.kind === 'not_found') report.alreadyGone.push(kept);
        else report.failed.push({ ...kept, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  report.recordsUpdated = await releaseOnRecord(client, campaignId, [
    ...report.deleted,
    ...report.alreadyGone,
  ]);
  return report;
}

async function releaseOnRecord(
  client: Client,
  campaignId: string,
  gone: KeptReplica[],
): Promise<number | null> {
  let released = 0;
  for (let i = 0; i < gone.length; i += LIMITS.maxItemsPerUpdate) {
    try {
      const result = await untilAccepted(() =>
        client.workflow
          .getHandle(campaignId)
          .executeUpdate(releaseReplicasUpdate, { args: [gone.slice(i, i + LIMITS.maxItemsPerUpdate)] }),
      );
      released += result.released;
    } catch (error) {
      // A closed campaign's workflow has completed: its records are final.
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }
  return released;
}
