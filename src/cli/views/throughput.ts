/**
 * How fast a campaign finishes items, from the finished counts seen over the last minute (or since it
 * started, before there are two looks to compare), and when it will be done at that pace.
 */
export class Throughput {
  private samples: { atMs: number; finished: number }[] = [];

  constructor(private readonly windowMs = 60_000) {}

  add(atMs: number, finished: number): void {
    this.samples.push({ atMs, finished });
    // Keep one sample older than the window, so the rate always spans at least the whole window.
    while (this.samples.length > 2 && (this.samples[1]?.atMs ?? atMs) <= atMs - this.windowMs) {
      this.samples.shift();
    }
  }

  /** Items per second; `sinceStart` (the campaign's start and the first count) when no span exists yet. */
  perSecond(sinceStart?: { startedAtMs: number }): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last) return undefined;
    if (last.atMs - first.atMs >= 2_000 && last.finished >= first.finished) {
      return (last.finished - first.finished) / ((last.atMs - first.atMs) / 1000);
    }
    if (sinceStart && last.atMs - sinceStart.startedAtMs >= 2_000 && last.finished > 0) {
      return last.finished / ((last.atMs - sinceStart.startedAtMs) / 1000);
    }
    return undefined;
  }
}

/** Milliseconds until `remaining` items are done at `perSecond`; undefined when not moving. */
export function etaMs(remaining: number, perSecond: number | undefined): number | undefined {
  if (remaining === 0) return 0;
  if (!perSecond || perSecond <= 0) return undefined;
  return (remaining / perSecond) * 1000;
}
