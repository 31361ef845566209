import { SeededRandom } from '../../src/simulator';

/** The processes a chaos run kills: the fleet worker, the webhook ingress, the Temporal dev server. */
export type Target = 'worker' | 'ingress' | 'temporal';

export interface Disruption {
  target: Target;
  /** Fires once this share of the items has finished, so kills spread over the run whatever its pace. */
  atFinished: number;
  /** How long the process stays dead before it is started again. */
  downMs: number;
}

export type KillCounts = Record<Target, number>;

/** Seconds a killed process stays down, by target: short enough that the platform still redelivers. */
export const DOWN_MS: Record<Target, [number, number]> = {
  worker: [500, 5_000],
  ingress: [1_000, 8_000],
  temporal: [1_000, 5_000],
};

/** A share of a phase's items, from and to: kills fire as the phase's finished items pass it. */
export type Spread = readonly [number, number];

/** The first pass: kills spread over most of it, not before work is under way. */
const FIRST_PASS_SPREAD: Spread = [0.04, 0.9];

/**
 * A seeded plan of kills: each kill gets its own equal slice of the run and a random point in it, and
 * the targets are shuffled over the slices, so a seed replays the same plan and no two kills overlap.
 */
export function planDisruptions(
  seed: number,
  counts: KillCounts,
  spread: Spread = FIRST_PASS_SPREAD,
): Disruption[] {
  const random = new SeededRandom(seed);
  const between = ([low, high]: readonly [number, number]) => low + random.next() * (high - low);
  const targets = (Object.keys(counts) as Target[]).flatMap((target) =>
    Array.from({ length: counts[target] }, () => target),
  );
  for (let i = targets.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random.next() * (i + 1));
    [targets[i], targets[j]] = [targets[j] as Target, targets[i] as Target];
  }
  const slice = (spread[1] - spread[0]) / Math.max(1, targets.length);
  return targets.map((target, i) => {
    const start = spread[0] + i * slice;
    return {
      target,
      atFinished: Math.round(between([start, start + slice * 0.8]) * 1000) / 1000,
      downMs: Math.round(between(DOWN_MS[target])),
    };
  });
}

export function describeDisruption(d: Disruption): string {
  return `kill -9 ${d.target} at ${Math.round(d.atFinished * 100)}% finished, down ${(d.downMs / 1000).toFixed(1)} s`;
}

/**
 * The kills of a retry phase: it runs few items (the first pass's failures), all at once, and may end
 * within a read or two, so its kills come back to back from its start, the worker's first. A dead worker
 * holds the retried runs where they are, so the kill after it still finds them in flight; a dead
 * ingress does not (the jobs poll), and the runs may end while it is down.
 */
export function planRetryDisruptions(seed: number, counts: KillCounts): Disruption[] {
  const workerFirst = (d: Disruption) => (d.target === 'worker' ? 0 : 1);
  return planDisruptions(seed, counts, [0, 0]).sort((a, b) => workerFirst(a) - workerFirst(b));
}
