import { round } from './process-usage';

/** The value at fraction `p` (0–1) of `sorted` (ascending), to one decimal; 0 when there is none. */
export function percentile(sorted: readonly number[], p: number): number {
  return round(sorted[Math.floor((sorted.length - 1) * p)] ?? 0);
}
