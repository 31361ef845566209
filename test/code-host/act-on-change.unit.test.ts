import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createCodeHostActivities } from '../../src/activities/code-host';
import type { CodeHost, PullRequestAction } from '../../src/contracts';

/** A code host that records what it was asked; `landed` says an earlier attempt already did it. */
function recordingHost(landed: boolean) {
  const calls: string[] = [];
  const host = {
    merged: async () => (calls.push('merged?'), landed),
    hasComment: async () => (calls.push('commented?'), landed),
    merge: async () => (calls.push('merge'), { status: 'merged', method: 'squash', sha: 'm' }),
    comment: async () => (calls.push('comment'), { url: 'u' }),
    close: async () => void calls.push('close'),
  } as unknown as CodeHost;
  return { host, calls };
}

const handle = { url: 'https://github.com/acme/api/pull/7' };
const context = { actionId: 'merge-1', headSha: 'abc' };
const merge: PullRequestAction = { kind: 'merge', methods: ['squash'], requireApproval: true };

describe('a bulk action on one PR (the activity)', () => {
  it('acts at once on a first attempt, marking its comment with the action id', async () => {
    const { host, calls } = recordingHost(false);
    const act = createCodeHostActivities(host).actOnChange;
    const env = new MockActivityEnvironment({ attempt: 1 });
    expect(await env.run(act, handle, merge, context)).toEqual({
      status: 'done',
      detail: 'merged (squash)',
    });
    expect(
      await env.run(act, handle, { kind: 'close', comment: 'bye' } as PullRequestAction, context),
    ).toEqual({
      status: 'done',
      detail: 'closed',
    });
    expect(calls).toEqual(['merge', 'comment', 'close']);
  });

  it('on a retry, asks first whether the earlier attempt landed, and neither merges nor comments again', async () => {
    const { host, calls } = recordingHost(true);
    const act = createCodeHostActivities(host).actOnChange;
    const env = new MockActivityEnvironment({ attempt: 2 });
    expect(await env.run(act, handle, merge, context)).toEqual({
      status: 'done',
      detail: 'merged',
    });
    expect(
      await env.run(act, handle, { kind: 'comment', body: 'ping' } as PullRequestAction, context),
    ).toMatchObject({
      status: 'done',
    });
    expect(calls).toEqual(['merged?', 'commented?']);
  });

  it('heartbeats while GitHub keeps it waiting, so a write on a worker that dies is retried within the heartbeat timeout', async () => {
    let release = () => {};
    const slow = {
      merge: () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 'merged', method: 'squash', sha: 'm' });
        }),
    } as unknown as CodeHost;
    const act = createCodeHostActivities(slow, { heartbeatEveryMs: 5 }).actOnChange;
    const env = new MockActivityEnvironment({ attempt: 1 });
    let beats = 0;
    env.on('heartbeat', () => {
      beats += 1;
      if (beats === 3) release();
    });
    // Resolves only once three beats went out while the merge was waiting.
    expect(await env.run(act, handle, merge, context)).toEqual({ status: 'done', detail: 'merged (squash)' });
    const after = beats;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(beats).toBe(after);
  });
});
