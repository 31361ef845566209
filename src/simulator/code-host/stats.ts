import { emptyCodeHostLoad, type CodeHostLoad } from './load-meter';
import type { ReviewDecision, RollupState } from './model';

/** One merge, with the head it merged and how that head stood at that moment. */
export interface HostMerge {
  /** The PR's web URL, as the agents' records name it. */
  pullRequest: string;
  headSha: string;
  checks: RollupState;
  review: ReviewDecision;
  /** Who merged: the token's login through the API, or the simulated maintainer. */
  by: string;
  atMs: number;
}

/** One `PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge` as answered (injected faults too). */
export interface MergeRequestRecord {
  status: number;
  atMs: number;
}

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
    /** Answers to deliveries by status code (`unreachable`: no answer at all): why deliveries failed. */
    answers: Record<string, number>;
  };
  faults: { serverErrors: number; secondaryLimited: number; primaryLimited: number };
  /** Head commits pushed (the opening one included), and check runs by conclusion. */
  commits: number;
  checkRuns: { success: number; failure: number };
  /** Concurrency and points per minute, against GitHub's secondary limits (admin requests left out). */
  load: CodeHostLoad;
  /** Every merge (through the API or by the maintainer), oldest first. */
  merges: HostMerge[];
  /** Merge requests by PR web URL, in the order answered: a client that merges twice shows here. */
  mergeRequests: Record<string, MergeRequestRecord[]>;
}

export function emptyCodeHostStats(): CodeHostStats {
  return {
    requests: {},
    graphql: {},
    webhooks: {
      events: {},
      sent: 0,
      delivered: 0,
      failed: 0,
      dropped: 0,
      duplicated: 0,
      reordered: 0,
      answers: {},
    },
    faults: { serverErrors: 0, secondaryLimited: 0, primaryLimited: 0 },
    commits: 0,
    checkRuns: { success: 0, failure: 0 },
    load: emptyCodeHostLoad(),
    merges: [],
    mergeRequests: {},
  };
}
