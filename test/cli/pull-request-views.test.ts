import { describe, expect, it } from 'vitest';
import { pullRequestRow } from '../../src/campaign-client/pull-requests';
import { pullRequestsTable } from '../../src/cli/commands/campaign-prs';
import { pullRequestsText } from '../../src/cli/format/progress';
import type { CampaignProgress, ItemRecord } from '../../src/contracts';

const progress = (over: Partial<CampaignProgress>): CampaignProgress => ({
  campaignId: 'c',
  state: 'finished',
  total: 4,
  counts: { pending: 0, running: 0, succeeded: 4, failed: 0, cancelled: 0, timed_out: 0, skipped: 0 },
  prsOpened: 4,
  startedAt: '2026-12-01T00:00:00.000Z',
  concurrency: 1,
  spentUsd: 0,
  projectedUsd: 0,
  shards: 1,
  recent: [],
  ...over,
});

describe('pull request views', () => {
  it('states the merged share and the open PRs by checks and review, or why PRs are not followed', () => {
    const counts = {
      open: 1,
      draft: 0,
      merged: 3,
      closed: 0,
      checksFailing: 1,
      checksPending: 0,
      checksPassing: 0,
      approved: 0,
      changesRequested: 1,
    };
    expect(pullRequestsText(progress({ pullRequests: counts }))).toBe(
      'PRs: 3 merged, 1 open, 0 draft, 0 closed (merged 75% of 4 opened); open: 1 checks failing, 1 changes requested',
    );
    // PRs no longer followed were opened all the same: the share is of every PR opened.
    expect(
      pullRequestsText(
        progress({
          pullRequests: {
            ...counts,
            open: 0,
            checksFailing: 0,
            changesRequested: 0,
            expired: 1,
            fixTurns: 3,
          },
        }),
      ),
    ).toBe(
      'PRs: 3 merged, 0 open, 0 draft, 0 closed, 1 no longer followed (merged 75% of 4 opened); 3 fix turn(s) sent',
    );
    expect(pullRequestsText(progress({}))).toBeUndefined();
    expect(pullRequestsText(progress({ trackingProblem: 'no code host' }))).toBe(
      'PRs not followed: no code host',
    );
  });

  it('lists one row per PR with the failing checks named; an unread PR is unknown', () => {
    const record: ItemRecord = {
      key: 'acme__api',
      state: 'succeeded',
      attempt: 1,
      pullRequest: 'https://github.com/acme/api/pull/7',
      change: {
        url: 'https://github.com/acme/api/pull/7',
        lifecycle: 'open',
        draft: false,
        headSha: 'abc',
        checks: 'failing',
        failingChecks: ['lint'],
        review: 'changes-requested',
        mergeability: 'unstable',
        openedAt: '2026-12-01T00:00:00.000Z',
        readAtMs: 0,
      },
    };
    const row = pullRequestRow(record);
    expect(row).toMatchObject({ repository: 'acme/api', number: 7, state: 'open', checks: 'failing' });
    const table = pullRequestsTable([row!], Date.parse('2026-12-01T02:00:00.000Z'));
    expect(table).toMatch(
      /acme__api\s+acme\/api\s+#7\s+open\s+failing: lint\s+changes-requested\s+unstable\s+2h/,
    );
    expect(pullRequestRow({ ...record, change: undefined })).toMatchObject({
      state: 'unknown',
      checks: 'unknown',
    });
    expect(pullRequestRow({ key: 'x', state: 'succeeded', attempt: 1 })).toBeUndefined();
  });
});
