import { metricMeter } from '@temporalio/workflow';
import { FLEET_METRICS, type FleetMetric } from '../contracts/metrics';
import type { CampaignProgress } from '../contracts';

// Workflow metrics go through the SDK's meter, which skips them while a workflow replays, so a
// counter counts each event once however often the workflow is replayed.
const counter = (metric: FleetMetric) => metricMeter.createCounter(metric.name, undefined, metric.help);
const gauge = (metric: FleetMetric, unit?: string) =>
  metricMeter.createGauge(metric.name, 'float', unit, metric.help);

export const jobMetrics = {
  started: () => counter(FLEET_METRICS.jobsStarted).add(1),
  finished: (state: string) => counter(FLEET_METRICS.jobsFinished).add(1, { state }),
  woke: () => counter(FLEET_METRICS.jobWakes).add(1),
  aborted: () => counter(FLEET_METRICS.jobAborts).add(1),
};

/** The campaign's counts by state and its spend, as gauges labelled with the campaign id. */
export function recordCampaign(progress: CampaignProgress): void {
  const items = gauge(FLEET_METRICS.campaignItems);
  for (const [state, n] of Object.entries(progress.counts))
    items.set(n, { campaign: progress.campaignId, state });
  gauge(FLEET_METRICS.campaignSpendUsd, 'USD').set(progress.spentUsd, { campaign: progress.campaignId });
}
