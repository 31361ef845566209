import { describe, expect, it } from 'vitest';
import {
  ACCEPTED_COMMANDS,
  CAMPAIGN_COMMANDS,
  type CampaignCommand,
} from '../../src/campaign-client/accepted-commands';
import { formatProgress } from '../../src/cli/format/progress';
import { statusLine } from '../../src/cli/views/watch-view';
import { CAMPAIGN_STATES, type CampaignHeader, type CampaignState } from '../../src/contracts';
import { CampaignBook, type CampaignCarry } from '../../src/policy/campaign-book';
import { shardReport } from '../fixtures/shard-reports';

const header: CampaignHeader = { job: { message: 'm' }, concurrency: 10 };

/** A campaign of 10 items with nothing running, brought into `state` the way its controls do. */
function bookIn(state: Exclude<CampaignState, 'closed'>): CampaignBook {
  const book = CampaignBook.create(header, '2026-11-24T00:00:00.000Z');
  book.beginApply(header, 10);
  for (const shard of book.carried.shards) shard.started = true;
  book.finishApply();
  const done = state === 'finished' || state === 'tracking';
  book.acceptReport(shardReport(0, { counts: done ? { succeeded: 9, failed: 1 } : { pending: 10 } }));
  // Every item done, one PR still open on the code host: the campaign follows it.
  if (state === 'tracking')
    book.acceptReport(
      shardReport(0, {
        counts: { succeeded: 9, failed: 1 },
        pullRequests: {
          open: 1,
          draft: 0,
          merged: 8,
          closed: 0,
          checksFailing: 0,
          checksPending: 0,
          checksPassing: 1,
          approved: 0,
          changesRequested: 0,
        },
      }),
    );
  if (state === 'paused') book.pause();
  if (state === 'cancelled') book.cancel();
  // A rollout's wave boundary, reached: what `evaluate` does when a wave with approval ends.
  if (state === 'awaiting_approval') book.carried.awaitingApproval = true;
  book.evaluate(1_000);
  expect(book.state()).toBe(state);
  return book;
}

/** Each command as the campaign workflow validates it: the book's refusal, tried on a copy. */
const VALIDATORS: Record<CampaignCommand, (book: CampaignBook) => string | undefined> = {
  apply: (b) => b.applyRefusal(),
  'add-items': (b) => b.applyRefusal(),
  'retry-failed': (b) => b.retryFailed(),
  pause: (b) => b.pause(),
  resume: (b) => b.resume(),
  approve: (b) => b.approve(),
  reject: (b) => b.reject(),
  cancel: (b) => b.cancel(),
  close: (b) => b.close(),
  // Its validator checks the number only.
  'set-concurrency': () => undefined,
};

const copy = (book: CampaignBook) => new CampaignBook(structuredClone(book.carried) as CampaignCarry);

describe('the commands each campaign state accepts', () => {
  it.each(CAMPAIGN_STATES.filter((s) => s !== 'closed'))(
    '%s: the table names exactly what the campaign accepts',
    (state) => {
      const book = bookIn(state as Exclude<CampaignState, 'closed'>);
      const accepted = CAMPAIGN_COMMANDS.filter((command) => VALIDATORS[command](copy(book)) === undefined);
      expect([...ACCEPTED_COMMANDS[state]].sort()).toEqual([...accepted].sort());
    },
  );

  it('closed: the workflow has ended; only an apply (or add-items) reaches it, and reopens it', () => {
    expect(ACCEPTED_COMMANDS.closed).toEqual(['apply', 'add-items']);
  });

  it('status of a cancelled campaign offers only close, never an apply or a retry', () => {
    const cancelled = bookIn('cancelled').progress('lint-2026-11');
    expect(cancelled.closesAt).toBeDefined();
    const text = formatProgress(cancelled);
    expect(text).toMatch(
      /closes itself at \S+; it takes no more items \('replica-fleet campaign close lint-2026-11' closes it now\)$/,
    );
    expect(text).not.toMatch(/appl|retr|extend/);
  });

  it('status of a finished campaign names the commands that would run items again', () => {
    const text = formatProgress(bookIn('finished').progress('lint-2026-11'));
    expect(text).toMatch(
      /closes itself at \S+ unless items run again first \(campaign apply, add-items, retry-failed\)$/,
    );
    expect(text).not.toContain('extend');
  });

  it('the watch line offers retry-failed for failures of a finished campaign, not of a cancelled one', () => {
    const line = (state: 'finished' | 'cancelled') => {
      const p = bookIn(state).progress('lint-2026-11');
      return statusLine({ progress: { ...p, counts: { ...p.counts, failed: 1 } }, nowMs: 2_000 });
    };
    expect(line('finished')).toContain("'campaign retry-failed lint-2026-11' re-runs them");
    expect(line('cancelled')).toContain(
      "'replica-fleet campaign results lint-2026-11 --state failed' lists them",
    );
    expect(line('cancelled')).not.toContain('retry-failed');
  });
});
