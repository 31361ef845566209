import type { ItemRecord, ItemState } from '../../contracts';

/** Stacking order of the chart, bottom to top: what is done at the bottom, what is left on top. */
export const CHART_STATES = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'skipped',
  'running',
  'pending',
] as const satisfies readonly ItemState[];

export interface BurndownPoint {
  atMs: number;
  counts: Record<ItemState, number>;
}

/** Where one item stood at `atMs`, from its timings and where it stands now. */
function stateAt(record: ItemRecord, atMs: number): ItemState {
  const final = record.state !== 'pending' && record.state !== 'running';
  // A finished item without an end time (none is expected) counts as finished all along.
  if (final && (record.endedAtMs === undefined || record.endedAtMs <= atMs)) return record.state;
  return record.startedAtMs !== undefined && record.startedAtMs <= atMs ? 'running' : 'pending';
}

/**
 * Items by state over time, sampled evenly from the first start (or `startMs`) to the last end (or
 * `nowMs` while anything runs). Drawn from each item's current run only: a retried item's earlier
 * run is not in its record.
 */
export function burndown(
  records: readonly ItemRecord[],
  options: { nowMs: number; startMs?: number; samples?: number },
): BurndownPoint[] {
  const times = records.flatMap((r) => [r.startedAtMs, r.endedAtMs]).filter((t) => t !== undefined);
  const live = records.some((r) => r.state === 'running');
  const start = options.startMs ?? (times.length ? Math.min(...times) : options.nowMs);
  const end = Math.max(start, live || !times.length ? options.nowMs : Math.max(...times));
  const samples = Math.max(2, options.samples ?? 120);
  const points: BurndownPoint[] = [];
  for (let i = 0; i < samples; i += 1) {
    const atMs = start + ((end - start) * i) / (samples - 1);
    const counts = Object.fromEntries(CHART_STATES.map((s) => [s, 0])) as Record<ItemState, number>;
    for (const record of records) counts[stateAt(record, atMs)] += 1;
    points.push({ atMs, counts });
  }
  return points;
}
