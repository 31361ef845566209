/**
 * replica-fleet's own Prometheus series. The worker records them through the Temporal SDK runtime's
 * meter (`metricMeter` in workflow code, `Runtime.instance().metricMeter` elsewhere), so they come out
 * of the worker's `/metrics` beside the SDK's `temporal_*` series; the webhook ingress serves its own.
 * Names carry their `_total`/unit suffix themselves: the exporter adds none. Labels stay bounded:
 * routes are templated (`:id`), states come from closed enums, campaigns are few.
 */
export interface FleetMetric {
  name: string;
  kind: 'counter' | 'gauge' | 'histogram';
  labels: readonly string[];
  help: string;
}

const metric = (name: string, kind: FleetMetric['kind'], labels: readonly string[], help: string) =>
  ({ name, kind, labels, help }) satisfies FleetMetric;

export const FLEET_METRICS = {
  jobsStarted: metric('replica_fleet_jobs_started_total', 'counter', [], 'Replica jobs started.'),
  jobsFinished: metric(
    'replica_fleet_jobs_finished_total',
    'counter',
    ['state'],
    'Replica jobs that reached a final state, by that state (succeeded, failed, cancelled…).',
  ),
  jobWakes: metric(
    'replica_fleet_job_wakes_total',
    'counter',
    [],
    'Wake requests sent to sleeping workspaces (none when a look already woke one: the API wakes a workspace on interaction).',
  ),
  jobAborts: metric(
    'replica_fleet_job_aborts_total',
    'counter',
    [],
    'Jobs aborted after a 409 answer showed the workspace in error.',
  ),
  apiRequests: metric(
    'replica_fleet_api_requests_total',
    'counter',
    ['route', 'status'],
    'Replicas API requests by route template and HTTP status; status="error" when no answer came.',
  ),
  campaignItems: metric(
    'replica_fleet_campaign_items',
    'gauge',
    ['campaign', 'state'],
    'Items of a campaign by state (pending, running, succeeded, failed…).',
  ),
  campaignSpendUsd: metric(
    'replica_fleet_campaign_spend_usd',
    'gauge',
    ['campaign'],
    'Estimated spend of a campaign so far, in US dollars.',
  ),
  processResidentMemory: metric(
    'replica_fleet_process_resident_memory_bytes',
    'gauge',
    [],
    'Resident memory of the worker process, sampled at each scrape.',
  ),
  processHeapUsed: metric(
    'replica_fleet_process_heap_used_bytes',
    'gauge',
    [],
    'V8 heap in use by the worker process, sampled at each scrape.',
  ),
  webhookRequests: metric(
    'replica_fleet_webhook_requests_total',
    'counter',
    ['outcome'],
    'Webhook deliveries by outcome (served by the ingress, not the worker).',
  ),
  webhookSignalSeconds: metric(
    'replica_fleet_webhook_signal_seconds',
    'histogram',
    [],
    'Time the ingress spent signalling Temporal per verified delivery (served by the ingress).',
  ),
} as const;
