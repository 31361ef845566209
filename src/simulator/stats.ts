/** What `GET /__sim/stats` reports; tests and benchmarks read API cost and webhook behaviour from it. */
export interface SimStats {
  /** `METHOD /route/:param` → status code → count. */
  requests: Record<string, Record<string, number>>;
  replicasCreated: number;
  /** Replicas existing now, and the most that ever existed at once (concurrency checks). */
  liveReplicas: number;
  peakLiveReplicas: number;
  /** Creates whose name an existing replica of the same organisation already had. */
  duplicateNames: number;
  /** Turns the agent started (a turn resumed after a wake is the same turn), and turns it finished. */
  turnsStarted: number;
  turnsCompleted: number;
  /** Replica id → turns started on it, so a test can assert that each message ran exactly once. */
  turnsByReplica: Record<string, number>;
  /**
   * Every replica ever created (deleted ones too), by id: its name, the PR URLs its turns opened and
   * the message it failed with, so a run can check that no PR or platform error went unreported.
   */
  createdReplicas: Record<string, CreatedReplica>;
  /** Wakes begun by `POST /wake` (`requested`) and by reading a sleeping replica (`onRead`). */
  wakes: { requested: number; onRead: number };
  webhooks: {
    events: number;
    sent: number;
    delivered: number;
    failed: number;
    retried: number;
    dropped: number;
    duplicated: number;
    reordered: number;
    gaveUp: number;
  };
  faults: {
    serverErrors: number;
    rateLimited: number;
    droppedResponses: number;
    sleptMidTurn: number;
    errored: number;
  };
}

export interface CreatedReplica {
  name: string;
  pullRequests: string[];
  error?: string;
}

export function emptyStats(): SimStats {
  return {
    requests: {},
    replicasCreated: 0,
    liveReplicas: 0,
    peakLiveReplicas: 0,
    duplicateNames: 0,
    turnsStarted: 0,
    turnsCompleted: 0,
    turnsByReplica: {},
    createdReplicas: {},
    wakes: { requested: 0, onRead: 0 },
    webhooks: {
      events: 0,
      sent: 0,
      delivered: 0,
      failed: 0,
      retried: 0,
      dropped: 0,
      duplicated: 0,
      reordered: 0,
      gaveUp: 0,
    },
    faults: { serverErrors: 0, rateLimited: 0, droppedResponses: 0, sleptMidTurn: 0, errored: 0 },
  };
}

export function countRequest(stats: SimStats, endpoint: string, status: number): void {
  const byStatus = (stats.requests[endpoint] ??= {});
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
}
