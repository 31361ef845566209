import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  CLEANUP_POLICIES,
  CODING_AGENTS,
  LIFECYCLE_POLICIES,
  LIMITS,
  REPLICA_SIZES,
  SHARD_LIMITS,
  THINKING_LEVELS,
  describeIssues,
  missingPlaceholders,
  type CampaignItem,
  type CampaignSpec,
} from '../contracts';
import { globProblem } from '../contracts/repository-glob';

/** The most items one campaign holds: its shards' capacity at the largest shard count. */
export const MAX_ITEMS = LIMITS.maxShards * SHARD_LIMITS.maxItems;

const seconds = (what: string, min: number, max: number) =>
  z
    .number()
    .min(min, `must be at least ${min} seconds (${what})`)
    .max(max, `must be at most ${max} seconds (${what})`);

/** A text field that must be there and not be empty: one message for both. */
const requiredText = (message: string) => z.string({ error: message }).min(1, message);

const minutes = (what: string) => z.number().positive(`must be a positive number of minutes (${what})`);

const ItemSchema = z
  .object({
    key: z.string().regex(/^\S+$/, 'must be non-empty and contain no whitespace, e.g. acme-api'),
    environment: z.uuid('must be the UUID of the environment to run in'),
    repository: z.string().min(1).optional(),
    vars: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** Each item key once: a spec's items and an `add-items` list follow the same rule. */
function uniqueKeys(items: { key: string }[], ctx: z.RefinementCtx, path: (string | number)[]): void {
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (seen.has(item.key))
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'key'],
        message: `"${item.key}" is used twice; keys must be unique`,
      });
    seen.add(item.key);
  }
}

export const CampaignFileSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/, 'must be 1-81 letters, digits, ".", "_" or "-"')
      .optional(),
    name: z.string().min(1).max(200).optional(),
    message: requiredText('is required: the instruction sent to every agent'),
    followUps: z.array(z.string().min(1)).optional(),
    agent: z.enum(CODING_AGENTS).optional(),
    model: z.string().min(1).optional(),
    thinkingLevel: z.enum(THINKING_LEVELS).optional(),
    size: z.enum(REPLICA_SIZES).optional(),
    lifecyclePolicy: z.enum(LIFECYCLE_POLICIES).optional(),
    cleanup: z.enum(CLEANUP_POLICIES).optional(),
    turnTimeoutMinutes: minutes('per turn').optional(),
    jobTimeoutMinutes: minutes('per item').optional(),
    webhooks: z.boolean().optional(),
    lookAfterSeconds: seconds(
      'first look at a replica after a turn starts, even with webhooks',
      1,
      3600,
    ).optional(),
    safetyPollSeconds: seconds(
      'longest gap between looks while webhooks are expected',
      10,
      86_400,
    ).optional(),
    pollIntervalSeconds: seconds(
      'polling interval when jobs poll instead of using webhooks',
      1,
      3600,
    ).optional(),
    items: z
      .array(ItemSchema)
      .min(1, 'needs at least one item')
      .max(MAX_ITEMS, `holds at most ${MAX_ITEMS} items; split the campaign`)
      .optional(),
    targets: z
      .object({
        repositories: requiredText('is required: a glob over repository names, e.g. "acme/*"').superRefine(
          (glob, ctx) => {
            const problem = glob === '' ? undefined : globProblem(glob); // '' is named just above
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          },
        ),
        templateEnvironment: z.uuid('must be the UUID of the environment to copy').optional(),
      })
      .strict()
      .optional(),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.maxConcurrency, `must be at most ${LIMITS.maxConcurrency}`)
      .optional(),
    failureThreshold: z
      .object({ percent: z.number().min(0).max(100), minFinished: z.number().int().min(1) })
      .strict()
      .optional(),
    budgetUsd: z.number().positive('must be a positive amount of US dollars').optional(),
    estimatedMinutesPerItem: minutes('expected run time of one item, for the budget').optional(),
    startsPerMinute: z.number().int().min(1).optional(),
    rollout: z
      .object({
        canary: z.number().int().min(1, 'must be at least 1 item').optional(),
        waves: z
          .array(
            z.union([
              z.number().int().min(1),
              z.string().regex(/^(100|[1-9]?\d(\.\d+)?)%$/, 'must be a share such as "25%" (1-100%)'),
            ]),
          )
          .optional(),
        approval: z.boolean().optional(),
      })
      .strict()
      .optional(),
    retentionDays: z.number().positive('must be a positive number of days').max(365).optional(),
    itemsPerShard: z
      .number()
      .int()
      .min(10)
      .max(
        SHARD_LIMITS.maxItems,
        `must be at most ${SHARD_LIMITS.maxItems} (a shard's state stays under 1 MB)`,
      )
      .optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (!spec.items === !spec.targets) {
      ctx.addIssue({
        code: 'custom',
        path: ['items'],
        message: 'give either items (a list) or targets (a glob), not both or neither',
      });
    }
    uniqueKeys(spec.items ?? [], ctx, ['items']);
    const probes: CampaignItem[] = spec.items?.map(toItem) ?? [
      { key: 'k', environmentId: 'e', repository: 'r' },
    ];
    for (const [field, template] of [
      ['message', spec.message],
      ...(spec.followUps ?? []).map((f, i) => [`followUps.${i}`, f]),
    ] as [string, string][]) {
      for (const probe of probes) {
        const missing = missingPlaceholders(template, probe);
        if (missing.length) {
          ctx.addIssue({
            code: 'custom',
            path: field.split('.'),
            message: `uses {{${missing[0]}}}, which item "${probe.key}" does not define (known: repository, environment, item.key, vars.<name>)`,
          });
          break;
        }
      }
    }
    if (
      spec.lookAfterSeconds !== undefined &&
      spec.safetyPollSeconds !== undefined &&
      spec.lookAfterSeconds > spec.safetyPollSeconds
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['lookAfterSeconds'],
        message: `must not exceed safetyPollSeconds (${spec.safetyPollSeconds}); the first look comes before the longest gap`,
      });
    }
    if (spec.rollout && !spec.rollout.canary && !spec.rollout.waves?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['rollout'],
        message: 'needs a canary or waves, e.g. { canary: 5, waves: ["25%", "100%"] }',
      });
    }
    if (spec.budgetUsd !== undefined && spec.estimatedMinutesPerItem === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['estimatedMinutesPerItem'],
        message: 'is required with budgetUsd, to project the spend of running items',
      });
    }
  });

export type CampaignFile = z.infer<typeof CampaignFileSchema>;

export class CampaignSpecError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
    what = 'campaign spec',
  ) {
    super(`invalid ${what} ${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'CampaignSpecError';
  }
}

function toItem(item: z.infer<typeof ItemSchema>): CampaignItem {
  return {
    key: item.key,
    environmentId: item.environment,
    ...(item.repository && { repository: item.repository }),
    ...(item.vars && { vars: item.vars }),
  };
}

/** The workflow's spec from a validated file. */
export function toCampaignSpec(file: CampaignFile): CampaignSpec {
  const minutesToMs = (m: number | undefined) => (m === undefined ? undefined : Math.round(m * 60_000));
  const secondsToMs = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  const spec: CampaignSpec = {
    name: file.name,
    job: {
      message: file.message,
      followUps: file.followUps,
      codingAgent: file.agent,
      model: file.model,
      thinkingLevel: file.thinkingLevel,
      size: file.size,
      lifecyclePolicy: file.lifecyclePolicy,
      cleanup: file.cleanup,
      turnTimeoutMs: minutesToMs(file.turnTimeoutMinutes),
      jobTimeoutMs: minutesToMs(file.jobTimeoutMinutes),
      webhooks: file.webhooks,
      lookAfterMs: secondsToMs(file.lookAfterSeconds),
      webhookSafetyPollMs: secondsToMs(file.safetyPollSeconds),
      pollIntervalMs: secondsToMs(file.pollIntervalSeconds),
    },
    items: file.items?.map(toItem),
    targets: file.targets && {
      repositories: file.targets.repositories,
      templateEnvironmentId: file.targets.templateEnvironment,
    },
    concurrency: file.concurrency,
    failureThreshold: file.failureThreshold,
    budgetUsd: file.budgetUsd,
    estimatedMinutesPerItem: file.estimatedMinutesPerItem,
    startsPerMinute: file.startsPerMinute,
    rollout: file.rollout as CampaignSpec['rollout'],
    retentionMs: file.retentionDays === undefined ? undefined : Math.round(file.retentionDays * 86_400_000),
    itemsPerShard: file.itemsPerShard,
  };
  return JSON.parse(JSON.stringify(spec)) as CampaignSpec; // drops undefined fields
}

/** Validates a parsed document; every problem names its field and the fix. */
export function parseCampaignSpec(document: unknown, source = '(spec)'): { id?: string; spec: CampaignSpec } {
  const parsed = CampaignFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new CampaignSpecError(source, describeIssues(parsed.error.issues));
  }
  return { id: parsed.data.id, spec: toCampaignSpec(parsed.data) };
}

function readDocument(path: string): unknown {
  try {
    return parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CampaignSpecError(path, [`(file): ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** Reads a campaign spec from a YAML or JSON file. */
export function loadCampaignSpec(path: string): { id?: string; spec: CampaignSpec } {
  return parseCampaignSpec(readDocument(path), path);
}

/** Validates a list of items (the `add-items` file) like the `items` of a spec. */
export function parseItems(document: unknown, source = '(items)'): CampaignItem[] {
  const shape = 'must be a non-empty list of {key, environment, repository?, vars?}';
  const parsed = z
    .array(ItemSchema, { error: shape })
    .min(1, shape)
    .superRefine((items, ctx) => uniqueKeys(items, ctx, []))
    .safeParse(document);
  if (!parsed.success)
    throw new CampaignSpecError(source, describeIssues(parsed.error.issues, '(items)'), 'items file');
  return parsed.data.map(toItem);
}

/** Reads an item list from a YAML or JSON file. */
export function loadItems(path: string): CampaignItem[] {
  return parseItems(readDocument(path), path);
}
