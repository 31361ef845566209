import { burndown, CHART_STATES } from '../cli/format/burndown';
import { campaignChangeBurndown } from '../cli/format/change-burndown';
import type { CampaignProgress, ItemRecord } from '../contracts';

/** One chart as the browser draws it: times in epoch seconds, one series of values per line. */
export interface ChartSeries {
  times: number[];
  series: { name: string; label: string; values: number[] }[];
}

export interface ChartData {
  /** Items by state over time. */
  items: ChartSeries;
  /** The campaign's PRs over time, once the code host has been read for one. */
  prs?: ChartSeries;
}

/** Enough points for a smooth line on a page, few enough to send at every change. */
const SAMPLES = 80;

/**
 * The campaign page's two burndowns, from the same series `campaign results` draws: items by state
 * (`burndown`) and PRs opened, merged, closed, open red and open green (`campaignChangeBurndown`).
 */
export function chartData(
  progress: CampaignProgress,
  records: readonly ItemRecord[],
  nowMs: number,
): ChartData {
  const startMs = Date.parse(progress.startedAt);
  const points = burndown(records, { nowMs, startMs, samples: SAMPLES });
  const items: ChartSeries = {
    times: points.map((p) => Math.round(p.atMs / 1000)),
    series: CHART_STATES.map((state) => ({
      name: state,
      label: state.replace(/_/g, ' '),
      values: points.map((p) => p.counts[state]),
    })),
  };
  const changes = campaignChangeBurndown(progress, records, nowMs);
  if (changes.length === 0) return { items };
  const line = (name: string, label: string, pick: (p: (typeof changes)[number]) => number) => ({
    name,
    label,
    values: changes.map(pick),
  });
  return {
    items,
    prs: {
      times: changes.map((p) => Math.round(p.atMs / 1000)),
      series: [
        line('opened', 'opened', (p) => p.opened),
        line('merged', 'merged', (p) => p.merged),
        line('closed', 'closed', (p) => p.closed),
        line('open_red', 'open, red', (p) => p.openRed),
        line('open_green', 'open, green', (p) => p.openGreen),
      ],
    },
  };
}
