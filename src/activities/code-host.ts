import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CodeHost, CodeHostActivities } from '../contracts';
import { CodeHostError } from '../code-host';
import { heartbeating } from './heartbeating';

/**
 * Reads of the code host for the campaign's PR tracking. Without a code host the answer says so (the
 * campaign reports it once instead of failing). Rate limits and outages are retried by Temporal, after
 * the host's own `retry-after` when it gave one; other failures are the campaign's to report.
 */
export function createCodeHostActivities(
  codeHost: CodeHost | undefined,
  options: { heartbeatEveryMs?: number } = {},
): CodeHostActivities {
  const activities: CodeHostActivities = {
    async readChanges(handles) {
      if (!codeHost) return { configured: false, readings: [] };
      try {
        return { configured: true, readings: await codeHost.readPullRequests(handles) };
      } catch (error) {
        throw asFailure(error);
      }
    },
    async markChangeReady(handle) {
      if (!codeHost) return;
      try {
        await codeHost.markReady(handle);
      } catch (error) {
        throw asFailure(error);
      }
    },
    async actOnChange(handle, action, { actionId, headSha }) {
      if (!codeHost) return { status: 'refused', detail: 'no code host is configured on the worker' };
      // An earlier attempt may have landed although its answer never came back: ask before acting again.
      const retried = Context.current().info.attempt > 1;
      const marker = `<!-- replica-fleet action ${actionId} -->`;
      const commentOnce = async (body: string) => {
        if (retried && (await codeHost.hasComment(handle, marker))) return;
        await codeHost.comment(handle, `${body}\n\n${marker}`);
      };
      try {
        switch (action.kind) {
          case 'merge': {
            if (retried && (await codeHost.merged(handle))) return { status: 'done', detail: 'merged' };
            const outcome = await codeHost.merge(handle, { sha: headSha, methods: action.methods });
            if (outcome.status === 'merged') return { status: 'done', detail: `merged (${outcome.method})` };
            if (outcome.status === 'head-moved')
              return { status: 'refused', detail: `its head moved since it was checked: ${outcome.detail}` };
            return { status: 'refused', detail: outcome.detail };
          }
          case 'close':
            if (action.comment) await commentOnce(action.comment);
            await codeHost.close(handle);
            return { status: 'done', detail: 'closed' };
          case 'comment':
            await commentOnce(action.body);
            return { status: 'done', detail: 'commented' };
        }
      } catch (error) {
        throw asFailure(error);
      }
    },
    async decorateChange(handle, decoration) {
      if (!codeHost) return [];
      try {
        return await codeHost.decoratePullRequest(handle, decoration);
      } catch (error) {
        throw asFailure(error);
      }
    },
  };
  return {
    ...activities,
    // Heartbeats while it waits on GitHub's pacing and limits: a write on a worker that dies is retried
    // (asking first whether it landed) within the heartbeat timeout, not after the start-to-close one.
    actOnChange: (handle, action, context) =>
      heartbeating(() => activities.actOnChange(handle, action, context), options.heartbeatEveryMs),
  };
}

/** A code-host error as Temporal retries it: limits and outages again (after `retry-after`), the rest not. */
function asFailure(error: unknown): unknown {
  if (!(error instanceof CodeHostError)) return error;
  return ApplicationFailure.create({
    type: `CodeHost:${error.kind}`,
    message: error.message,
    nonRetryable: !error.retryable,
    ...(error.details.retryAfterSeconds !== undefined && {
      nextRetryDelay: error.details.retryAfterSeconds * 1000,
    }),
  });
}
