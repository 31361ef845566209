import { z } from 'zod';

const ms = (fallback: number, what: string) => z.number().int().min(0).default(fallback).describe(what);
const rate = (fallback: number, what: string) => z.number().min(0).max(1).default(fallback).describe(what);

/**
 * The code-host simulator's knobs (`--set codeHost.KNOB=VALUE`), seeded by the simulator's `seed`.
 * Defaults make a calm GitHub: checks pass, nobody reviews, merges or closes on their own.
 */
export const CodeHostKnobsSchema = z
  .object({
    checkFailureRate: rate(0, 'chance the checks of a head commit fail (check runs and the commit status)'),
    checkFlakyRate: rate(0, 'chance the checks of a head commit fail first, then pass when re-requested'),
    checkDurationMs: ms(200, 'queued → in_progress → completed of each check run and status'),
    reviewApprovalRate: rate(0, 'chance a reviewer approves a PR once its checks finish'),
    reviewChangesRequestedRate: rate(0, 'chance a reviewer requests changes once its checks finish'),
    reviewDelayMs: ms(200, 'from checks finished to the review'),
    mergeRate: rate(0, 'chance a maintainer merges an approved PR whose checks passed'),
    mergeDelayMs: ms(200, "from approval (or opening, for a close) to a maintainer's merge or close"),
    closeRate: rate(0, 'chance a maintainer closes a newly opened PR without merging'),
    draftRate: rate(0, 'chance the agent opens its PR as a draft (marked ready by the client)'),
    behindRate: rate(0, 'chance a head commit is behind its base (mergeStateStatus BEHIND)'),
    conflictRate: rate(0, 'chance a head commit conflicts with its base (mergeable CONFLICTING)'),
    serverErrorRate: rate(0, 'chance a REST or GraphQL request answers 502 without doing anything'),
    secondaryLimitRate: rate(0, 'chance a request answers 403 secondary rate limit with retry-after'),
    retryAfterSeconds: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('retry-after of injected secondary limits'),
    rateLimitPerHour: z
      .number()
      .int()
      .min(1)
      .default(5000)
      .describe('primary rate-limit budget per token and hour (REST and GraphQL counted apart)'),
    webhookDropRate: rate(0, 'chance a GitHub delivery is lost (GitHub never redelivers by itself)'),
    webhookDuplicateRate: rate(0, 'chance a GitHub delivery is sent twice with the same X-GitHub-Delivery'),
    webhookReorderRate: rate(0, 'chance a GitHub delivery is held back so a later one overtakes it'),
  })
  .strict(); // a misspelt knob is refused, not ignored

export type CodeHostKnobs = z.output<typeof CodeHostKnobsSchema>;
