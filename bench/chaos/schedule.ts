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
const DOWN_MS: Record<Target, [number, number]> = {
  worker: [500, 5_000],
  ingress: [1_000, 8_000],
  temporal: [1_000, 5_000],
};

/** The run's share of finished items over which kills are spread: not before work is under way. */
const SPREAD = [0.04, 0.9] as const;

/**
 * A seeded plan of kills: each kill gets its own equal slice of the run and a random point in it, and
 * the targets are shuffled over the slices, so a seed replays the same plan and no two kills overlap.
 */
export function planDisruptions(seed: number, counts: KillCounts): Disruption[] {
  const random = new SeededRandom(seed);
  const between = ([low, high]: readonly [number, number]) => low + random.next() * (high - low);
  const targets = (Object.keys(counts) as Target[]).flatMap((target) =>
    Array.from({ length: counts[target] }, () => target),
  );
  for (let i = targets.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random.next() * (i + 1));
    [targets[i], targets[j]] = [targets[j] as Target, targets[i] as Target];
  }
  const slice = (SPREAD[1] - SPREAD[0]) / Math.max(1, targets.length);
  return targets.map((target, i) => {
    const start = SPREAD[0] + i * slice;
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
