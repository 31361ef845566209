import type { RolloutSpec } from '../contracts';

/**
 * Upper ordinal bounds of the waves, cumulative: wave `i` holds the items whose ordinal is below
 * `bounds[i]` and not below `bounds[i - 1]`. Without a rollout there is one wave. The last bound is
 * always infinite, so items added after the first apply join the last wave. Waves that would be
 * empty (a share smaller than the canary) are dropped.
 */
export function waveBounds(rollout: RolloutSpec | undefined, total: number): number[] {
  const bounds: number[] = [];
  const push = (n: number) => {
    const bound = Math.min(Math.max(0, Math.ceil(n)), total);
    if (bound > (bounds.at(-1) ?? 0)) bounds.push(bound);
  };
  if (rollout?.canary) push(rollout.canary);
  for (const wave of rollout?.waves ?? []) {
    push(typeof wave === 'number' ? wave : (total * Number.parseFloat(wave)) / 100);
  }
  if (bounds.at(-1) === total) bounds.pop();
  bounds.push(Number.POSITIVE_INFINITY);
  return bounds;
}

export function waveOf(ordinal: number, bounds: readonly number[]): number {
  const wave = bounds.findIndex((bound) => ordinal < bound);
  return wave < 0 ? bounds.length - 1 : wave;
}
