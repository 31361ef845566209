/** Every outcome the ingress can record; exported so dashboards and tests agree on the label values. */
export const INGRESS_OUTCOMES = [
  'signalled',
  'ignored',
  'unauthorized',
  'bad_request',
  'too_large',
  'unsupported_media_type',
  'gone',
  'unavailable',
  'not_found',
  'method_not_allowed',
  'duplicate',
] as const;

export type IngressOutcome = (typeof INGRESS_OUTCOMES)[number];

/** Seconds; spans a fast local signal up to the longest sensible signal timeout. */
export const SIGNAL_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface IngressMetrics {
  countRequest(outcome: IngressOutcome): void;
  observeSignalSeconds(seconds: number): void;
  requestCount(outcome: IngressOutcome): number;
  /** Prometheus text exposition format 0.0.4. */
  render(): string;
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A two-metric registry is all the ingress needs; a client library would be a dependency for little gain. */
export function createIngressMetrics(): IngressMetrics {
  const requests = new Map<IngressOutcome, number>(INGRESS_OUTCOMES.map((o) => [o, 0]));
  const bucketCounts = SIGNAL_SECONDS_BUCKETS.map(() => 0);
  let sum = 0;
  let count = 0;

  return {
    countRequest(outcome) {
      requests.set(outcome, (requests.get(outcome) ?? 0) + 1);
    },
    observeSignalSeconds(seconds) {
      SIGNAL_SECONDS_BUCKETS.forEach((le, i) => {
        if (seconds <= le) bucketCounts[i] = (bucketCounts[i] ?? 0) + 1;
      });
      sum += seconds;
      count += 1;
    },
    requestCount(outcome) {
      return requests.get(outcome) ?? 0;
    },
    render() {
      const lines = [
        '# HELP replica_fleet_webhook_requests_total Webhook requests by outcome.',
        '# TYPE replica_fleet_webhook_requests_total counter',
        ...[...requests].map(([o, n]) => `replica_fleet_webhook_requests_total{outcome="${o}"} ${n}`),
        '# HELP replica_fleet_webhook_signal_seconds Time spent signalling Temporal per verified delivery, failures included.',
        '# TYPE replica_fleet_webhook_signal_seconds histogram',
        ...SIGNAL_SECONDS_BUCKETS.map(
          (le, i) => `replica_fleet_webhook_signal_seconds_bucket{le="${le}"} ${bucketCounts[i] ?? 0}`,
        ),
        `replica_fleet_webhook_signal_seconds_bucket{le="+Inf"} ${count}`,
        `replica_fleet_webhook_signal_seconds_sum ${sum}`,
        `replica_fleet_webhook_signal_seconds_count ${count}`,
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}
