import { describe, expect, it } from 'vitest';
import { JOB_STATES, type ReplicaSnapshot } from '../../src/contracts';
import {
  deletesReplica,
  jobSettings,
  judgeConflict,
  judgeTurn,
  nextLookDelay,
  planWait,
} from '../../src/policy/job-policy';

const snap = (over: Partial<ReplicaSnapshot>): ReplicaSnapshot => ({
  replicaId: 'r',
  status: 'active',
  waking: false,
  processing: false,
  chatCount: 1,
  pullRequests: [],
  ...over,
});

describe('job policy', () => {
  const settings = jobSettings({ campaignId: 'c', itemKey: 'k', environmentId: 'e', message: 'm' });

  it('looks first after lookAfterMs, then doubles up to the safety interval; sooner while waking', () => {
    expect(settings).toMatchObject({
      lookAfterMs: 20_000,
      webhookSafetyPollMs: 300_000,
      cleanup: 'delete-on-success',
    });
    const delays = [0, 1, 2, 3, 4, 5, 30].map((looks) => nextLookDelay(settings, looks, false));
    expect(delays).toEqual([20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(nextLookDelay(settings, 5, true)).toBe(20_000);
  });

  it('never looks later than the safety interval, even with a larger lookAfterMs', () => {
    const s = jobSettings({
      campaignId: 'c',
      itemKey: 'k',
      environmentId: 'e',
      message: 'm',
      lookAfterMs: 90_000,
      webhookSafetyPollMs: 60_000,
    });
    expect(nextLookDelay(s, 0, false)).toBe(60_000);
  });

  it('waits on one timer until the earliest of the next look and the deadlines', () => {
    expect(planWait(1000, 5000, 9000, 20_000)).toEqual({ waitMs: 4000, then: 'look' });
    expect(planWait(1000, 9000, 5000, 20_000)).toEqual({ waitMs: 4000, then: 'turn_timeout' });
    expect(planWait(1000, 9000, 9000, 5000)).toEqual({ waitMs: 4000, then: 'job_timeout' });
    expect(planWait(1000, 5000, 5000, 20_000).then).toBe('turn_timeout');
    expect(planWait(9000, 5000, 8000, 20_000).waitMs).toBe(0);
  });

  it('judges a look during a turn', () => {
    expect(judgeTurn(snap({ processing: true }), false, '')).toEqual({ kind: 'wait', waking: false });
    expect(judgeTurn(snap({}), false, '')).toEqual({ kind: 'done' });
    expect(judgeTurn(snap({ chatCount: 0 }), false, '')).toEqual({ kind: 'wait', waking: false });
    expect(judgeTurn(snap({ status: 'preparing', chatCount: 0 }), false, '').kind).toBe('wait');
    expect(judgeTurn(snap({ status: 'sleeping', processing: true }), false, '')).toEqual({ kind: 'wake' });
    expect(judgeTurn(snap({ status: 'sleeping', processing: true, waking: true }), false, '')).toEqual({
      kind: 'wait',
      waking: true,
    });
    expect(judgeTurn(snap({ status: 'sleeping' }), false, '')).toEqual({ kind: 'done' });
    expect(judgeTurn(snap({ status: 'error' }), false, 'oom')).toEqual({ kind: 'abort', reason: 'oom' });
    expect(judgeTurn(snap({ status: 'deleted' }), true, '')).toEqual({ kind: 'done' });
    expect(judgeTurn(snap({ status: 'deleted' }), false, '').kind).toBe('abort');
  });

  it('after a 409 on a follow-up: resend when active, wake when asleep, abort on error', () => {
    expect(judgeConflict(snap({}), '')).toEqual({ kind: 'resend' });
    expect(judgeConflict(snap({ status: 'sleeping' }), '')).toEqual({ kind: 'wake' });
    expect(judgeConflict(snap({ status: 'error' }), 'oom')).toEqual({ kind: 'abort', reason: 'oom' });
  });

  it('deletes per cleanup policy', () => {
    expect(deletesReplica('delete-on-success', 'succeeded')).toBe(true);
    expect(deletesReplica('delete-on-success', 'failed')).toBe(false);
    expect(deletesReplica('delete-on-success', 'timed_out')).toBe(false);
    expect(deletesReplica('delete-on-success', 'cancelled')).toBe(true);
    expect(deletesReplica('delete', 'failed')).toBe(true);
    expect(deletesReplica('keep', 'succeeded')).toBe(false);
    // The PR may still need its workspace; the campaign deletes it once the PR is merged or closed.
    for (const state of JOB_STATES) expect(deletesReplica('after-merge', state), state).toBe(false);
  });
});
