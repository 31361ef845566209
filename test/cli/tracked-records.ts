import type { CampaignProgress, FixTurn, ItemRecord, TrackedChange } from '../../src/contracts';

/** The campaign of these records began here; samples every ten minutes land on the events below. */
export const BEGAN = Date.parse('2026-12-01T09:00:00Z');
const at = (minutes: number) => new Date(BEGAN + minutes * 60_000).toISOString();
const fixTurn = (number: number, minutes: number): FixTurn => ({
  number,
  cause: 'checks-failing',
  ref: `head-${number}`,
  headSha: `head-${number}`,
  atMs: BEGAN + minutes * 60_000,
  state: 'sent',
});

function item(key: string, change: Partial<TrackedChange> & Pick<TrackedChange, 'openedAt'>): ItemRecord {
  const url = `https://github.com/acme/${key}/pull/${key.length}`;
  return {
    key,
    state: 'succeeded',
    attempt: 1,
    repository: `acme/${key}`,
    prs: [url],
    pullRequest: url,
    startedAtMs: BEGAN,
    endedAtMs: Date.parse(change.openedAt),
    change: {
      url,
      lifecycle: 'open',
      draft: false,
      headSha: 'abc',
      checks: 'pending',
      review: 'review-required',
      mergeability: 'blocked',
      readAtMs: BEGAN + 60 * 60_000,
      ...change,
    },
  };
}

/**
 * Four PRs a campaign follows, and an item whose PR was never read: `api` merged after going green
 * (one fix turn at 12 min), `web` closed red, `docs` open and green, `infra` open and red again after a
 * first green, its fix loop stopped after two turns (at 14 and 24 min).
 */
export const trackedRecords: ItemRecord[] = [
  item('api', {
    lifecycle: 'merged',
    checks: 'passing',
    review: 'approved',
    mergeability: 'clean',
    openedAt: at(10),
    firstGreenAt: at(20),
    approvedAt: at(25),
    mergedAt: at(30),
    closedAt: at(30),
    fixTurns: [fixTurn(1, 12)],
  }),
  item('web', {
    lifecycle: 'closed',
    checks: 'failing',
    failingChecks: ['lint'],
    openedAt: at(15),
    closedAt: at(40),
  }),
  item('docs', {
    checks: 'passing',
    review: 'approved',
    mergeability: 'clean',
    openedAt: at(20),
    firstGreenAt: at(25),
    approvedAt: at(28),
  }),
  item('infra', {
    checks: 'failing',
    failingChecks: ['test', 'e2e <slow>'],
    review: 'changes-requested',
    openedAt: at(5),
    firstGreenAt: at(8),
    fixTurns: [fixTurn(1, 14), fixTurn(2, 24)],
    stopReason: '2 fix turns used; checks still failing: test, e2e <slow>',
  }),
  {
    key: 'unread',
    state: 'succeeded',
    attempt: 1,
    prs: ['https://github.com/acme/unread/pull/1'],
    pullRequest: 'https://github.com/acme/unread/pull/1',
  },
];

export const trackedProgress: CampaignProgress = {
  campaignId: 'landing-2026-12',
  name: 'Land the <linter> upgrade',
  state: 'finished',
  total: trackedRecords.length,
  counts: { pending: 0, running: 0, succeeded: 5, failed: 0, timed_out: 0, cancelled: 0, skipped: 0 },
  prsOpened: 5,
  startedAt: new Date(BEGAN).toISOString(),
  finishedAt: at(20),
  concurrency: 2,
  spentUsd: 0.2,
  projectedUsd: 0.2,
  shards: 1,
  recent: [],
  pullRequests: {
    open: 2,
    draft: 0,
    merged: 1,
    closed: 1,
    checksFailing: 1,
    checksPending: 0,
    checksPassing: 1,
    approved: 1,
    changesRequested: 1,
    fixTurns: 3,
    fixStopped: 1,
    mergedShare: 0.25,
  },
};

/** An hour after the campaign began: two PRs are still open, so the series runs up to now. */
export const NOW = BEGAN + 60 * 60_000;
