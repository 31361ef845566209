import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { untilAccepted } from '../../src/campaign-client/until-accepted';
import { CAMPAIGN_CONTINUING_AS_NEW } from '../../src/contracts';

const quick = { delayMs: 1, maxMs: 200 };

/** The refusal of the campaign's validator while it continues as new. */
const refused = () =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({
      message: 'continuing as new',
      type: CAMPAIGN_CONTINUING_AS_NEW,
      nonRetryable: true,
    }),
  );

/** What the server answers an update that reached a run as it closed. */
const closing = () =>
  new ServiceError('Failed to complete update', {
    cause: Object.assign(new Error('9 FAILED_PRECONDITION: unexpected workflow task failure'), {
      code: 9,
      details: 'unexpected workflow task failure',
      metadata: {},
    }),
  });

/** Answers with each error in turn, then with `done`; counts the sends. */
function sender<T>(errors: Error[], done: T) {
  const state = { sends: 0 };
  const send = async () => {
    const error = errors[state.sends++];
    if (error) throw error;
    return done;
  };
  return { state, send };
}

describe('untilAccepted', () => {
  it('sends again while the campaign refuses for continuing as new, or its run was closing', async () => {
    const { state, send } = sender([refused(), closing(), refused()], 'applied');
    await expect(untilAccepted(send, quick)).resolves.toBe('applied');
    expect(state.sends).toBe(4);
  });

  it('throws any other refusal at once: a validator rejection is the user’s to fix', async () => {
    const rejection = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({
        message: 'nothing to approve',
        type: 'NotAwaitingApproval',
        nonRetryable: true,
      }),
    );
    const { state, send } = sender([rejection], 'applied');
    await expect(untilAccepted(send, quick)).rejects.toBe(rejection);
    expect(state.sends).toBe(1);
  });

  it('gives up after its time with the last refusal', async () => {
    const errors = Array.from({ length: 10_000 }, refused);
    const { state, send } = sender(errors, 'applied');
    await expect(untilAccepted(send, { delayMs: 5, maxMs: 30 })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    expect(state.sends).toBeGreaterThan(1);
    expect(state.sends).toBeLessThan(10_000);
  });
});
