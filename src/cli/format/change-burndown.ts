import {
  mergedShare,
  type CampaignProgress,
  type FixCause,
  type ItemRecord,
  type TrackedChange,
} from '../../contracts';

/** Where the campaign's PRs stood at one moment; `opened = merged + closed + openRed + openGreen`. */
export interface ChangeBurndownPoint {
  atMs: number;
  /** PRs opened by then. */
  opened: number;
  merged: number;
  /** Closed without being merged. */
  closed: number;
  /** Open, and not green (checks failing or pending, or none yet). */
  openRed: number;
  /** Open with passing checks. */
  openGreen: number;
  /** Fix turns the campaign had sent its agents by then, over every PR. */
  fixTurns: number;
}

/**
 * What `results --burndown --json` prints: the series, and where it ends for the campaign — the fix
 * turns sent and the share of the PRs opened that merged (absent before any PR was read).
 */
export interface ChangeBurndown {
  points: ChangeBurndownPoint[];
  fixTurns: number;
  mergedShare?: number;
}

/** One fix turn, where the chart marks it on the time axis. */
export interface FixTurnMark {
  atMs: number;
  key: string;
  number: number;
  cause: FixCause;
}

/** The series' names in CSV (`results --format csv --burndown`), in the order of the point's fields. */
export const CHANGE_BURNDOWN_CSV_COLUMNS = [
  'at_ms',
  'opened',
  'merged',
  'closed',
  'open_red',
  'open_green',
  'fix_turns',
] as const;

interface Timeline {
  openedMs: number;
  mergedMs?: number;
  /** Only for a PR closed without merging (the code host gives a merged one a close time as well). */
  closedMs?: number;
  /** From when it counts as green while open; undefined when it never does. */
  greenMs?: number;
  openNow: boolean;
  /** When each of the campaign's fix turns on it was sent. */
  fixTurnsMs: number[];
}

const msOf = (iso: string | undefined) => {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

function timelineOf(change: TrackedChange): Timeline | undefined {
  const openedMs = msOf(change.openedAt);
  if (openedMs === undefined) return undefined;
  const mergedMs = msOf(change.mergedAt);
  return {
    openedMs,
    mergedMs,
    closedMs: mergedMs === undefined ? msOf(change.closedAt) : undefined,
    // The records keep when checks first went green and how they stand at the last reading, not their
    // history: a PR reads green from its first green on only if its checks still pass at the last
    // reading. One that went red again is red all along, since when it turned back is not known.
    greenMs: change.checks === 'passing' ? msOf(change.firstGreenAt) : undefined,
    openNow: change.lifecycle === 'open',
    fixTurnsMs: (change.fixTurns ?? []).map((turn) => turn.atMs),
  };
}

const reached = (ms: number | undefined, atMs: number) => ms !== undefined && ms <= atMs;

function pointAt(timelines: readonly Timeline[], atMs: number): ChangeBurndownPoint {
  const point = { atMs, opened: 0, merged: 0, closed: 0, openRed: 0, openGreen: 0, fixTurns: 0 };
  for (const t of timelines) {
    point.fixTurns += t.fixTurnsMs.filter((ms) => ms <= atMs).length;
    if (t.openedMs > atMs) continue;
    point.opened += 1;
    if (reached(t.mergedMs, atMs)) point.merged += 1;
    else if (reached(t.closedMs, atMs)) point.closed += 1;
    else if (reached(t.greenMs, atMs)) point.openGreen += 1;
    else point.openRed += 1;
  }
  return point;
}

/**
 * The burndown of what landed: the campaign's PRs over time, opened, merged, closed, open and red, open
 * and green, sampled evenly from `startMs` (the campaign's start) or the first PR to the last event, or
 * to `nowMs` while a PR is still open. Only PRs the code host has been read for count: an item's PR
 * that was never read has no times. Empty when there are none.
 */
export function changeBurndown(
  records: readonly ItemRecord[],
  options: { nowMs: number; startMs?: number; samples?: number },
): ChangeBurndownPoint[] {
  const timelines = records
    .map((r) => (r.change ? timelineOf(r.change) : undefined))
    .filter((t): t is Timeline => t !== undefined);
  if (timelines.length === 0) return [];
  const events = timelines.flatMap((t) => [t.openedMs, t.mergedMs, t.closedMs, t.greenMs, ...t.fixTurnsMs]);
  const times = events.filter((ms): ms is number => ms !== undefined);
  const start = Math.min(options.startMs ?? Infinity, ...times);
  const last = timelines.some((t) => t.openNow) ? Math.max(options.nowMs, ...times) : Math.max(...times);
  const end = Math.max(start, last);
  const samples = Math.max(2, options.samples ?? 50);
  return Array.from({ length: samples }, (_, i) =>
    pointAt(timelines, start + ((end - start) * i) / (samples - 1)),
  );
}

/** The burndown of a campaign's PRs since the campaign began, as every results format shows it. */
export function campaignChangeBurndown(
  progress: Pick<CampaignProgress, 'startedAt'>,
  records: readonly ItemRecord[],
  nowMs: number,
): ChangeBurndownPoint[] {
  return changeBurndown(records, { nowMs, startMs: msOf(progress.startedAt) });
}

/** The series with the campaign's fix turns and merged share where it ends (`results --burndown --json`). */
export function changeBurndownSummary(points: ChangeBurndownPoint[]): ChangeBurndown {
  const last = points.at(-1);
  return {
    points,
    fixTurns: last?.fixTurns ?? 0,
    ...(last && last.opened > 0 && { mergedShare: mergedShare(last.merged, last.opened) }),
  };
}

/** Every fix turn of these records' PRs, oldest first: the marks on the chart's time axis. */
export function fixTurnMarks(records: readonly ItemRecord[]): FixTurnMark[] {
  return records
    .flatMap((r) =>
      (r.change?.fixTurns ?? []).map((t) => ({ atMs: t.atMs, key: r.key, number: t.number, cause: t.cause })),
    )
    .sort((a, b) => a.atMs - b.atMs);
}

/** The first point, the quarter points and the last: a few rows a document can hold. */
export function milestones(points: readonly ChangeBurndownPoint[]): ChangeBurndownPoint[] {
  if (points.length <= 5) return [...points];
  const at = (f: number) => points[Math.round((points.length - 1) * f)] as ChangeBurndownPoint;
  return [0, 0.25, 0.5, 0.75, 1].map(at);
}
