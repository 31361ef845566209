import { emptyCodeHostLoad, type CodeHostLoad } from './load-meter';

/** What `GET /__sim/stats` of the code host reports; tests and benchmarks read GitHub's side here. */
export interface CodeHostStats {
  /** `METHOD /route/{param}` (or `POST /graphql`) → status code → count. */
  requests: Record<string, Record<string, number>>;
  /** GraphQL operations by their root fields, e.g. `query repository.pullRequest` or `mutation markPullRequestReadyForReview`. */
  graphql: Record<string, number>;
  webhooks: {
    /** `event.action` → deliveries emitted (before faults). */
    events: Record<string, number>;
    sent: number;
    delivered: number;
    failed: number;
    dropped: number;
    duplicated: number;
    reordered: number;
  };
  faults: { serverErrors: number; secondaryLimited: number; primaryLimited: number };
  /** Head commits pushed (the opening one included), and check runs by conclusion. */
  commits: number;
  checkRuns: { success: number; failure: number };
  /** Concurrency and points per minute, against GitHub's secondary limits (admin requests left out). */
  load: CodeHostLoad;
}

export function emptyCodeHostStats(): CodeHostStats {
  return {
    requests: {},
    graphql: {},
    webhooks: { events: {}, sent: 0, delivered: 0, failed: 0, dropped: 0, duplicated: 0, reordered: 0 },
    faults: { serverErrors: 0, secondaryLimited: 0, primaryLimited: 0 },
    commits: 0,
    checkRuns: { success: 0, failure: 0 },
    load: emptyCodeHostLoad(),
  };
}
