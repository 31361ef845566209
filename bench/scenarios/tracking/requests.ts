import type { CodeHost } from '../../../src/simulator';

/** Code-host requests answered so far: GraphQL apart from REST, as the simulator counted them. */
export interface RequestCount {
  atMs: number;
  graphql: number;
  rest: number;
}

export function requestCount(codeHost: CodeHost): RequestCount {
  let graphql = 0;
  let rest = 0;
  for (const [endpoint, byStatus] of Object.entries(codeHost.stats().requests)) {
    const n = Object.values(byStatus).reduce((a, b) => a + b, 0);
    if (endpoint === 'POST /graphql') graphql += n;
    else rest += n;
  }
  return { atMs: performance.now(), graphql, rest };
}

export function between(from: RequestCount, to: RequestCount): RequestCount {
  return { atMs: to.atMs - from.atMs, graphql: to.graphql - from.graphql, rest: to.rest - from.rest };
}

/**
 * Counts requests over `intervals` sweep intervals with nothing happening on the code host: what
 * following N open PRs costs by itself. Each shard sweeps on a timer of its own, so one interval holds
 * about one sweep of every shard; the figures are given per interval and in total.
 */
export async function quietIntervals(codeHost: CodeHost, sweepMs: number, intervals: number) {
  const marks = [requestCount(codeHost)];
  for (let i = 0; i < intervals; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, sweepMs));
    marks.push(requestCount(codeHost));
  }
  const perInterval = marks.slice(1).map((mark, i) => between(marks[i] as RequestCount, mark));
  const total = between(marks[0] as RequestCount, marks[marks.length - 1] as RequestCount);
  return { perInterval, total };
}
