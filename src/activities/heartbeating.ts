import { Context } from '@temporalio/activity';

/** How often a call heartbeats unless told otherwise (the SDK throttles what reaches the server). */
export const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Runs a call while heartbeating, so a call on a worker that dies is retried once the heartbeat
 * timeout passes (seconds) instead of after the start-to-close timeout (minutes). No heartbeat at
 * the start: the server's heartbeat clock already runs from then, and most calls end well before
 * the first beat is due, so they cost no heartbeat request at all.
 */
export async function heartbeating<T>(fn: () => Promise<T>, everyMs = HEARTBEAT_EVERY_MS): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
