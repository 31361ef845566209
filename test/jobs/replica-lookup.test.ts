import { describe, expect, it } from 'vitest';
import { findReplicaByName } from '../../src/activities/replica-lookup';

/** A newest-first listing of replicas named r0 (oldest) … rN, with `onPage` to change it between pages. */
function listing(
  count: number,
  onPage: (page: number, all: { name: string; created: number }[]) => void = () => {},
) {
  const all = Array.from({ length: count }, (_, i) => ({ name: `r${i}`, created: 1_000 + i }));
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async listReplicas({ page = 1, limit = 100 }: { page?: number; limit?: number }) {
      calls += 1;
      onPage(page, all);
      const newest = [...all].sort((a, b) => b.created - a.created);
      const slice = newest.slice((page - 1) * limit, page * limit);
      return {
        replicas: slice.map((r) => ({
          id: `id-${r.name}`,
          name: r.name,
          status: 'active',
          created_at: new Date(r.created).toISOString(),
        })),
        total: all.length,
        page,
        limit,
        total_pages: Math.max(1, Math.ceil(all.length / limit)),
      };
    },
  };
}

describe('adopt lookup by name (newest first, two scans must agree)', () => {
  it('stops at replicas older than the job: one page for a recent replica among thousands', async () => {
    const api = listing(5000);
    await expect(findReplicaByName(api as never, 'r4990', 4_990)).resolves.toMatchObject({ id: 'id-r4990' });
    expect(api.calls).toBe(1);
    const missing = listing(5000);
    await expect(findReplicaByName(missing as never, 'nope', 5_950)).resolves.toBeUndefined();
    expect(missing.calls).toBe(2); // two scans of one page each agree
  });

  it('finds a replica that deletions moved onto a page already read', async () => {
    // Newest first, 100 a page: r150 is on page 2 until 60 newer replicas vanish while page 1 is read.
    let deleted = false;
    const api = listing(300, (page, all) => {
      if (page === 2 && !deleted) {
        deleted = true;
        all.splice(all.findIndex((r) => r.name === 'r299') - 59, 60);
      }
    });
    await expect(findReplicaByName(api as never, 'r150', 0)).resolves.toMatchObject({ id: 'id-r150' });
  });
});
