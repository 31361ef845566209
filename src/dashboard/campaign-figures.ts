import { etaMs } from '../cli/views/throughput';
import type { CampaignProgress, ItemRecord } from '../contracts';

/** Items that will not run again on their own: succeeded, failed, timed out, cancelled, skipped. */
export function doneCount(p: Pick<CampaignProgress, 'counts'>): number {
  const c = p.counts;
  return c.succeeded + c.failed + c.timed_out + c.cancelled + c.skipped;
}

/** Whole percent, 0 for nothing of nothing. */
export const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 100));

/** PRs merged, of every PR the code host was read for; undefined when the campaign follows none. */
export function mergedShare(p: Pick<CampaignProgress, 'pullRequests'>) {
  const c = p.pullRequests;
  if (!c) return undefined;
  const all = c.open + c.draft + c.merged + c.closed;
  return { merged: c.merged, all, percent: percent(c.merged, all) };
}

/** When the campaign last moved: its latest item event, else its end, else its start. */
export function lastChangeMs(p: Pick<CampaignProgress, 'recent' | 'finishedAt' | 'startedAt'>): number {
  const latest = p.recent.at(-1)?.atMs;
  return latest ?? Date.parse(p.finishedAt ?? p.startedAt);
}

/** How far back items finished are counted for the pace. */
export const PACE_WINDOW_MS = 10 * 60_000;

/**
 * Items finished per minute over the last ten minutes, from the records' end times (so the first
 * page view already knows it), and when the rest are done at that pace.
 */
export function pace(
  p: CampaignProgress,
  records: readonly ItemRecord[],
  nowMs: number,
): { perMinute?: number; etaMs?: number } {
  const since = Math.max(nowMs - PACE_WINDOW_MS, Date.parse(p.startedAt));
  const span = nowMs - since;
  if (span < 10_000) return {};
  const finished = records.filter((r) => r.endedAtMs !== undefined && r.endedAtMs >= since).length;
  const perSecond = finished / (span / 1000);
  const remaining = p.counts.pending + p.counts.running;
  const eta = p.state === 'running' ? etaMs(remaining, perSecond) : undefined;
  return { perMinute: perSecond * 60, ...(eta !== undefined && { etaMs: eta }) };
}
