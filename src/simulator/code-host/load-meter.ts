/**
 * What GitHub's secondary rate limits look at, measured on the code host: requests in flight at once
 * (GitHub allows 100) and points spent over any 60 seconds (900 for REST, 2,000 for GraphQL; a REST
 * GET costs 1 point and a write 5, a GraphQL query 1 and a mutation 5).
 */
export interface CodeHostLoad {
  /** Requests received and not yet answered. The code host answers most at once, so this stays low. */
  inFlight: number;
  maxInFlight: number;
  /**
   * Connections open at once: a client over HTTP/1.1 needs one per request it has in flight, so the
   * peak bounds from above how many requests any client had in flight together.
   */
  connections: number;
  maxConnections: number;
  /** The most REST points spent within any 60 seconds so far. */
  maxRestPointsPerMinute: number;
  maxGraphqlPointsPerMinute: number;
}

export function emptyCodeHostLoad(): CodeHostLoad {
  return {
    inFlight: 0,
    maxInFlight: 0,
    connections: 0,
    maxConnections: 0,
    maxRestPointsPerMinute: 0,
    maxGraphqlPointsPerMinute: 0,
  };
}

/**
 * Points over a sliding minute, kept as 60 one-second slots: a fixed clock minute would halve a burst
 * that straddles two of them.
 */
export class MinuteWindow {
  private readonly slots = new Array<number>(60).fill(0);
  private second = 0;
  private total = 0;

  /** Adds points at `nowMs`; returns the points of the last 60 seconds, these included. */
  add(points: number, nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    // Slots of the seconds that passed since the last request fall out of the window.
    for (let s = Math.max(this.second + 1, second - 59); s <= second; s += 1) {
      this.total -= this.slots[s % 60] as number;
      this.slots[s % 60] = 0;
    }
    this.second = Math.max(this.second, second);
    this.slots[second % 60] = (this.slots[second % 60] as number) + points;
    this.total += points;
    return this.total;
  }
}
