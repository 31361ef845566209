import type { Client } from '@temporalio/client';
import { ReplicasApiError, type ReplicasClient } from '../replicas';
import { campaignRecords } from './reads';

export interface KeptReplica {
  key: string;
  replicaId: string;
}

/** What `campaign cleanup` did; `--json` prints this object. */
export interface CleanupReport {
  deleted: KeptReplica[];
  /** Already deleted (by hand, by the platform, or by an earlier cleanup): nothing to do. */
  alreadyGone: KeptReplica[];
  failed: (KeptReplica & { error: string })[];
  /** Items still running: their jobs clean up after themselves. */
  skippedRunning: number;
}

/**
 * Deletes the replicas a campaign's finished items kept (failures under `delete-on-success`, every
 * one under `keep`), by the replica id in each record. Idempotent: a replica already gone counts as
 * done, so running it twice is safe.
 */
export async function cleanupKeptReplicas(
  client: Client,
  replicas: ReplicasClient,
  campaignId: string,
): Promise<CleanupReport> {
  const report: CleanupReport = { deleted: [], alreadyGone: [], failed: [], skippedRunning: 0 };
  for await (const record of campaignRecords(client, campaignId)) {
    if (!record.replicaKept || !record.replicaId) continue;
    if (record.state === 'running' || record.state === 'pending') {
      report.skippedRunning += 1;
      continue;
    }
    const kept = { key: record.key, replicaId: record.replicaId };
    try {
      await replicas.deleteReplica(record.replicaId);
      report.deleted.push(kept);
    } catch (error) {
      if (error instanceof ReplicasApiError && error.kind === 'not_found') report.alreadyGone.push(kept);
      else report.failed.push({ ...kept, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}
