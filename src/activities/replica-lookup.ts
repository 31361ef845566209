import type { ReplicasClient } from '../replicas';
import { apiCall } from './failures';

const PAGE_SIZE = 100;
/** Scans of the whole listing before giving up on it settling; each scan is usually one page. */
const MAX_SCANS = 4;

type Lister = Pick<ReplicasClient, 'listReplicas'>;
interface Found {
  id: string;
  status: string;
}

interface Scan {
  found?: Found;
  /** The listing's total at the end of the scan: two scans that agree on it saw the same listing. */
  total: number;
}

/**
 * One pass over `GET /v1/replica`. The API lists newest first, so once a page reaches replicas older
 * than `notBeforeMs` no later page can hold the one created by this job; a listing that is not in
 * that order (an older API) is read to its last page.
 */
async function scanOnce(client: Lister, name: string, notBeforeMs: number): Promise<Scan> {
  let previous = Number.POSITIVE_INFINITY;
  let newestFirst = true;
  for (let page = 1; ; page += 1) {
    const result = await apiCall('findReplicaByName', () => client.listReplicas({ page, limit: PAGE_SIZE }));
    const match = result.replicas.find((replica) => replica.name === name);
    if (match) return { found: { id: match.id, status: match.status }, total: result.total };
    for (const replica of result.replicas) {
      const created = Date.parse(replica.created_at);
      if (created > previous) newestFirst = false;
      previous = created;
    }
    const olderThanWanted = newestFirst && previous < notBeforeMs;
    if (olderThanWanted || page >= result.total_pages || result.replicas.length === 0) {
      return { total: result.total };
    }
  }
}

/**
 * The replica named `name`, if it exists. The listing pages by offset, so replicas deleted while it is
 * read shift later ones onto pages already read: a miss counts only once two scans in a row agree
 * (neither finds it, both see the same total).
 */
export async function findReplicaByName(
  client: Lister,
  name: string,
  notBeforeMs: number,
): Promise<Found | undefined> {
  let last: Scan | undefined;
  for (let scan = 1; scan <= MAX_SCANS; scan += 1) {
    const current = await scanOnce(client, name, notBeforeMs);
    if (current.found) return current.found;
    if (last && last.total === current.total) return undefined;
    last = current;
  }
  return undefined;
}
