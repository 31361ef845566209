import { z } from 'zod';
import { describeIssues } from '../contracts';
import { CodeHostKnobsSchema } from './code-host/knobs';

/** The most repositories an organisation of the simulator holds: enough to rehearse a glob over thousands. */
const MAX_REPOSITORIES = 5000;

const ms = (fallback: number, what: string) => z.number().int().min(0).default(fallback).describe(what);
const rate = (what: string) => z.number().min(0).max(1).default(0).describe(what);

/** Every knob of the simulator; `sim --help` prints these descriptions. All times in milliseconds. */
export const SimConfigSchema = z
  .object({
    seed: z
      .number()
      .int()
      .default(1)
      .describe('seed of every random choice (faults, PRs), for reproducible runs'),
    timings: z
      .object({
        provisionMs: ms(2000, 'preparing → active after creation'),
        turnMs: ms(3000, 'how long a turn keeps chats[].processing = true'),
        wakeMs: ms(1000, 'sleeping → waking → active'),
        sleepAfterMs: ms(600_000, 'inactivity before an idle workspace goes to sleep (lifecycle default)'),
        sleepAfterWakeMs: ms(600_000, 'inactivity before a woken workspace sleeps again'),
        deleteAfterInactivityMs: ms(
          600_000,
          'inactivity before delete_after_inactivity deletes the workspace',
        ),
        sseHeartbeatMs: ms(15_000, 'interval of SSE heartbeat comments'),
        webhookTimeoutMs: ms(10_000, 'a delivery not answered 2xx within this counts as failed'),
        webhookRetryBaseMs: ms(1000, 'first redelivery delay; doubles per attempt'),
        webhookMaxAttempts: z
          .number()
          .int()
          .min(1)
          .default(8)
          .describe('deliveries per event before giving up'),
      })
      .strict() // a misspelt knob is refused, not ignored
      .prefault({}),
    behaviour: z
      .object({
        prProbability: z
          .number()
          .min(0)
          .max(1)
          .default(0.8)
          .describe('chance a turn opens a PR per repository'),
        errorRate: rate('chance a turn ends with the workspace in error (replica.error)'),
        sleepMidTurnRate: rate('chance a workspace falls asleep during a turn (the turn resumes after wake)'),
      })
      .strict() // a misspelt knob is refused, not ignored
      .prefault({}),
    faults: z
      .object({
        serverErrorRate: rate('chance a /v1 request answers 500 without doing anything'),
        rateLimitRate: rate('chance a /v1 request answers 429 with Retry-After'),
        retryAfterSeconds: z.number().int().min(0).default(1).describe('Retry-After value of injected 429s'),
        latencyMs: ms(0, 'extra latency on every /v1 request'),
        dropResponseRate: rate(
          'chance a mutating /v1 request is committed but the connection drops before the answer',
        ),
        webhookDropRate: rate('chance a delivery attempt is silently not sent (redelivered later)'),
        webhookDuplicateRate: rate('chance an event is delivered twice (same event id)'),
        webhookReorderRate: rate('chance an event is held back so a later one overtakes it'),
        webhookDelayMs: ms(0, 'extra delay before each delivery'),
      })
      .strict() // a misspelt knob is refused, not ignored
      .prefault({}),
    repositories: z
      .object({
        count: z
          .number()
          .int()
          .min(0)
          .max(MAX_REPOSITORIES, `must be at most ${MAX_REPOSITORIES}`)
          .default(5)
          .describe(
            'repositories of each organisation (at most 5000): acme/api, acme/web, acme/infra, acme/docs, acme/legacy, then acme/service-001, -002, …; every fifth has no environment bound (taken at start and on POST /__sim/reset)',
          ),
      })
      .strict() // a misspelt knob is refused, not ignored
      .prefault({}),
    /** The GitHub stand-in that holds the PRs the agents open: checks, reviews, merges, faults. */
    codeHost: CodeHostKnobsSchema.prefault({}),
  })
  .strict();

export type SimConfig = z.output<typeof SimConfigSchema>;
export type SimConfigInput = z.input<typeof SimConfigSchema>;

export function parseSimConfig(input: unknown): SimConfig {
  const parsed = SimConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, '(config)');
    throw new Error(`invalid simulator config: ${problems.join('; ')}`);
  }
  return parsed.data;
}

const KNOB_GROUPS = ['timings', 'behaviour', 'faults', 'repositories', 'codeHost'] as const;

/** `sim --help` text for every knob, generated from the schema so it never drifts. */
export function describeSimConfig(): string {
  const lines: string[] = [];
  const shape = SimConfigSchema.shape;
  lines.push(`  seed  ${shape.seed.description ?? ''} (default 1)`);
  for (const group of KNOB_GROUPS) {
    const inner =
      (shape[group] as unknown as { unwrap(): z.ZodObject }).unwrap?.() ??
      (shape[group] as unknown as z.ZodObject);
    const defaults = SimConfigSchema.parse({})[group] as Record<string, unknown>;
    for (const [key, schema] of Object.entries(inner.shape)) {
      lines.push(
        `  ${group}.${key}  ${(schema as z.ZodType).description ?? ''} (default ${String(defaults[key])})`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Merges changes into a live config in place (the engine and dispatcher hold the same object), after
 * validating the merged result; unknown or out-of-range knobs are rejected and nothing changes.
 */
export function applyConfig(config: SimConfig, changes: SimConfigInput): void {
  const merged = parseSimConfig({
    seed: changes.seed ?? config.seed,
    timings: { ...config.timings, ...changes.timings },
    behaviour: { ...config.behaviour, ...changes.behaviour },
    faults: { ...config.faults, ...changes.faults },
    repositories: { ...config.repositories, ...changes.repositories },
    codeHost: { ...config.codeHost, ...changes.codeHost },
  });
  for (const group of KNOB_GROUPS) Object.assign(config[group], merged[group]);
}

/** Applies `group.knob=value` flags over a config document; values must be numbers. */
export function applyFlags(config: Record<string, unknown>, flags: string[]): Record<string, unknown> {
  const out = structuredClone(config);
  for (const flag of flags) {
    const match = new RegExp(`^(seed|(${KNOB_GROUPS.join('|')})\\.(\\w+))=(-?\\d+(?:\\.\\d+)?)$`).exec(flag);
    if (!match) {
      throw new Error(
        `--set ${flag}: expected KNOB=NUMBER with KNOB one of seed, ${KNOB_GROUPS.map((g) => `${g}.*`).join(', ')} (see 'replica-fleet sim --help')`,
      );
    }
    const value = Number(match[4]);
    if (match[1] === 'seed') out.seed = value;
    else {
      const group = (out[match[2] as string] ??= {}) as Record<string, unknown>;
      group[match[3] as string] = value;
    }
  }
  return out;
}
