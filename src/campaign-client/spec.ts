import { z } from 'zod';
import { codeHostConfigured } from '../config/code-host-config';
import { CAMPAIGN_ID } from './identity';
import {
  CLEANUP_POLICIES,
  CODING_AGENTS,
  ITEM_PLACEHOLDERS,
  LIFECYCLE_POLICIES,
  LIMITS,
  REPLICA_SIZES,
  SHARD_LIMITS,
  THINKING_LEVELS,
  TRACKING_DEFAULTS,
  closestWord,
  missingPlaceholders,
  placeholdersIn,
  type CampaignItem,
  type CampaignSpec,
  type Issue,
  type JobTemplate,
  SWEEP_WITHOUT_WEBHOOKS_MS,
  FIXERS,
  FIX_DEFAULTS,
  type FixCause,
  type Fixer,
  type FixSettings,
  type TrackingBlock,
} from '../contracts';
import { globProblem } from '../contracts/repository-glob';
import { readSpecDocument, type SpecDocument } from './spec-document';
import { CampaignSpecError, safeParsePlain, toProblems } from './spec-problems';

export { CampaignSpecError } from './spec-problems';

/** The most items one campaign holds: its shards' capacity at the largest shard count. */
export const MAX_ITEMS = LIMITS.maxShards * SHARD_LIMITS.maxItems;

const seconds = (what: string, min: number, max: number) =>
  z
    .number()
    .min(min, `must be at least ${min} seconds (${what})`)
    .max(max, `must be at most ${max} seconds (${what})`)
    .describe(`a number of seconds (${what})`);

/** A text field that must be there and not be empty: `what` says what it holds. */
const requiredText = (what: string) => z.string().min(1, `is required: ${what}`).describe(what);

const minutes = (what: string) =>
  z
    .number()
    .positive(`must be a positive number of minutes (${what})`)
    .describe(`a number of minutes (${what})`);

/** A UUID field: "is required: …" when absent, "must be …" when it is something else. */
const uuid = (what: string) =>
  z.uuid({ error: (issue) => (issue.input === undefined ? undefined : `must be ${what}`) }).describe(what);

const ItemSchema = z
  .object({
    key: z
      .string()
      .regex(/^\S+$/, 'must be non-empty and contain no whitespace, e.g. acme-api')
      .describe('a key without whitespace, unique in the campaign, e.g. acme-api'),
    environment: uuid('the UUID of the environment to run in'),
    repository: z.string().min(1).optional(),
    vars: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const CampaignFileSchema = z
  .object({
    id: z.string().regex(CAMPAIGN_ID, 'must be 1-81 letters, digits, ".", "_" or "-"').optional(),
    name: z.string().min(1).max(200).optional(),
    message: requiredText('the instruction sent to every agent'),
    followUps: z.array(z.string().min(1)).optional(),
    agent: z.enum(CODING_AGENTS).optional(),
    model: z.string().min(1).optional(),
    thinkingLevel: z.enum(THINKING_LEVELS).optional(),
    size: z.enum(REPLICA_SIZES).optional(),
    lifecyclePolicy: z.enum(LIFECYCLE_POLICIES).optional(),
    cleanup: z.enum(CLEANUP_POLICIES).optional(),
    workspace: z
      .object({
        prFollowups: z
          .boolean()
          .describe('whether Replicas answers CI failures and review comments on the PRs; default true')
          .optional(),
        keepOpenOnPrMerge: z
          .boolean()
          .describe('whether the workspace stays open after its PR merges; default false')
          .optional(),
        keepOpenOnPrClose: z
          .boolean()
          .describe('whether the workspace stays open after its PR is closed unmerged; default false')
          .optional(),
      })
      .strict()
      .optional(),
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
        repositories: requiredText('a glob over repository names, e.g. "acme/*"').superRefine((glob, ctx) => {
          const problem = glob === '' ? undefined : globProblem(glob); // '' is named just above
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
        templateEnvironment: uuid('the UUID of the environment to copy').optional(),
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
      .object({
        percent: z.number().min(0).max(100).describe('the percentage of finished items that may fail, 0-100'),
        minFinished: z
          .number()
          .int()
          .min(1)
          .describe('how many items must finish before the percentage counts'),
      })
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
            z.union(
              [
                z.number().int().min(1),
                z.string().regex(/^(100|[1-9]?\d(\.\d+)?)%$/, 'must be a share such as "25%" (1-100%)'),
              ],
              { error: 'must be a count of items (e.g. 10) or a share such as "25%" (1-100%)' },
            ),
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
    /** Applied to each PR once the campaign follows it: found by label, sent to the right reviewers. */
    pullRequest: z
      .object({
        labels: z.array(z.string().min(1)).optional(),
        reviewers: z.array(z.string().min(1)).optional(),
        teamReviewers: z.array(z.string().min(1)).optional(),
        assignees: z.array(z.string().min(1)).optional(),
        draft: z.boolean().optional(),
        titlePrefix: z.string().min(1).optional(),
        bodyFooter: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Who answers a PR that is not mergeable (failing checks, changes requested, conflicts), how often. */
    pullRequests: z
      .object({
        fixes: z
          .enum(FIXERS)
          .describe(
            'campaign (the campaign sends its agent a fix turn), platform (Replicas follow-ups answer) or off',
          )
          .optional(),
        maxFixTurns: z
          .number()
          .int('must be a whole number')
          .min(0, 'must be from 0 to 10')
          .max(FIX_DEFAULTS.maxFixTurnsLimit, 'must be from 0 to 10')
          .optional(),
        messages: z
          .object({
            checksFailing: z.string().min(1).optional(),
            changesRequested: z.string().min(1).optional(),
            conflicting: z.string().min(1).optional(),
            behind: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** Follow each item's PR on the code host; `false` turns it off where a code host is configured. */
    tracking: z
      .union([
        z.literal(false),
        z
          .object({
            sweepMinutes: z.number().min(1).max(1440).optional(),
            maxDays: z.number().positive('must be a positive number of days').max(365).optional(),
            /** How stale `campaign status` PR counts may grow once items stop running; 30 by default. */
            reportSeconds: z.number().min(1).max(3600).optional(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();

export type CampaignFile = z.infer<typeof CampaignFileSchema>;

/**
 * What a spec means where a code host is configured: its PRs are followed unless it says
 * `tracking: false`, and a workspace stays while its PR is open (`cleanup: after-merge`) unless the spec
 * chose a cleanup, so the platform's follow-ups on CI and reviews keep working.
 */
export function withCodeHostDefaults(
  spec: CampaignSpec,
  where: { sweepMs?: number; webhooks?: boolean } = {},
): CampaignSpec {
  const block = spec.tracking ?? trackingOf();
  if (block === false) return spec;
  // Without webhooks the sweep alone tells of checks, reviews and merges: it comes more often.
  const sweepMs =
    block.sweepMs ??
    where.sweepMs ??
    (where.webhooks === false ? SWEEP_WITHOUT_WEBHOOKS_MS : TRACKING_DEFAULTS.sweepMs);
  const fixes = spec.fixes ?? {
    fixes: defaultFixer(spec.job.workspaceConfig?.prFollowups),
    maxFixTurns: FIX_DEFAULTS.maxFixTurns,
  };
  // Whoever answers, only one does: the platform's follow-ups are off unless they are the fixer.
  const workspaceConfig =
    fixes.fixes === 'platform' || spec.job.workspaceConfig?.prFollowups !== undefined
      ? spec.job.workspaceConfig
      : { ...spec.job.workspaceConfig, prFollowups: false };
  return {
    ...spec,
    tracking: { ...block, sweepMs },
    fixes,
    job: {
      ...spec.job,
      cleanup: spec.job.cleanup ?? 'after-merge',
      ...(workspaceConfig && { workspaceConfig }),
    },
  };
}

/** The spec's `pullRequests` block as shards run it; its templates keyed by cause. */
function fixSettingsOf(
  block: NonNullable<CampaignFile['pullRequests']>,
  prFollowups: boolean | undefined,
): FixSettings {
  const { checksFailing, changesRequested, conflicting, behind } = block.messages ?? {};
  const messages: Partial<Record<FixCause, string>> = {
    ...(checksFailing && { 'checks-failing': checksFailing }),
    ...(changesRequested && { 'changes-requested': changesRequested }),
    ...(conflicting && { conflicting }),
    ...(behind && { behind }),
  };
  return {
    fixes: block.fixes ?? defaultFixer(prFollowups),
    maxFixTurns: block.maxFixTurns ?? FIX_DEFAULTS.maxFixTurns,
    ...(Object.keys(messages).length > 0 && { messages }),
  };
}

/** Platform follow-ups asked for in the spec answer instead of the campaign; otherwise the campaign does. */
function defaultFixer(prFollowups: boolean | undefined): Fixer {
  return prFollowups === true ? 'platform' : FIX_DEFAULTS.fixes;
}

/**
 * The spec as a campaign applied from this environment runs it: with a code host configured
 * (GITHUB_TOKEN or a GitHub App) its PRs are followed, swept every 10 minutes when GitHub's webhooks
 * reach the ingress (GITHUB_WEBHOOK_SECRET set), every 2 minutes when they do not.
 */
export function specWhereApplied(
  spec: CampaignSpec,
  env: NodeJS.ProcessEnv = process.env,
  source = '(spec)',
): CampaignSpec {
  if (!codeHostConfigured(env)) {
    if (spec.fixes)
      throw new CampaignSpecError(source, [
        {
          field: 'pullRequests',
          message:
            'the fix loop follows PRs on a code host, and none is configured: set GITHUB_TOKEN (or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_FILE and GITHUB_APP_INSTALLATION_ID) where you run this, or remove the block',
        },
      ]);
    return spec;
  }
  return withCodeHostDefaults(spec, { webhooks: Boolean(env.GITHUB_WEBHOOK_SECRET?.trim()) });
}

/** A spec's tracking block as the campaign takes it: days filled in, the sweep only if the spec set one. */
export function trackingOf(
  block: { sweepMinutes?: number; maxDays?: number; reportSeconds?: number } = {},
): TrackingBlock {
  return {
    ...(block.sweepMinutes !== undefined && { sweepMs: Math.round(block.sweepMinutes * 60_000) }),
    ...(block.reportSeconds !== undefined && { reportMs: Math.round(block.reportSeconds * 1000) }),
    maxDays: block.maxDays ?? TRACKING_DEFAULTS.maxDays,
  };
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
      workspaceConfig: file.workspace,
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
    tracking:
      file.tracking === undefined || file.tracking === false ? file.tracking : trackingOf(file.tracking),
    pullRequest: file.pullRequest,
    fixes: file.pullRequests && fixSettingsOf(file.pullRequests, file.workspace?.prFollowups),
  };
  return JSON.parse(JSON.stringify(spec)) as CampaignSpec; // drops undefined fields
}

type Fields = Record<string, unknown>;
const fieldsOf = (value: unknown): Fields | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;

/** An item as far as its fields have the right types: enough to check it against keys and templates. */
function looseItem(value: unknown): CampaignItem | undefined {
  const fields = fieldsOf(value);
  if (typeof fields?.key !== 'string') return undefined;
  const vars = fieldsOf(fields.vars);
  return {
    key: fields.key,
    environmentId: typeof fields.environment === 'string' ? fields.environment : '',
    ...(typeof fields.repository === 'string' && fields.repository && { repository: fields.repository }),
    ...(vars && { vars: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) }),
  };
}

/** The items of a list with where each is: `[...at, index]`. */
function placedItems(list: unknown, at: PropertyKey[]): { path: PropertyKey[]; item: CampaignItem }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((value, i) => {
    const item = looseItem(value);
    return item ? [{ path: [...at, i], item }] : [];
  });
}

/** Each item key once: a spec's items and an `add-items` list follow the same rule. */
function duplicateKeys(items: { path: PropertyKey[]; item: CampaignItem }[]): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const { path, item } of items) {
    if (seen.has(item.key))
      issues.push({ path: [...path, 'key'], message: `"${item.key}" is used twice; keys must be unique` });
    seen.add(item.key);
  }
  return issues;
}

const KNOWN_PLACEHOLDERS = ITEM_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ');
/** Item keys named in one message before the rest are only counted. */
const KEYS_NAMED = 3;

/** A template and how a message names it: `message`, or "the campaign's follow-up 2". */
export interface NamedTemplate {
  label: string;
  text: string;
}

/**
 * One problem per placeholder a template uses that some items cannot fill, at the first such item,
 * naming the item, the placeholder and how many more lack it: the agent would read it unrendered.
 */
export function unfilledPlaceholders(
  templates: NamedTemplate[],
  items: { path: PropertyKey[]; item: CampaignItem }[],
  checked: (name: string) => boolean = () => true,
): Issue[] {
  const issues: Issue[] = [];
  for (const { label, text } of templates) {
    const lacking = new Map<string, { path: PropertyKey[]; item: CampaignItem }[]>();
    for (const placed of items)
      for (const name of missingPlaceholders(text, placed.item))
        if (checked(name)) {
          const list = lacking.get(name) ?? [];
          if (!list.length) lacking.set(name, list);
          list.push(placed);
        }
    for (const [name, [first, ...rest]] of lacking) {
      if (!first) continue;
      const what = name === 'repository' || name.startsWith('vars.') ? name : `value for {{${name}}}`;
      const more = rest.length
        ? `; ${rest.length} more item(s) lack it too: ${rest
            .slice(0, KEYS_NAMED)
            .map(({ item }) => `"${item.key}"`)
            .join(', ')}${rest.length > KEYS_NAMED ? ', …' : ''}`
        : '';
      issues.push({
        path: first.path,
        message: `item "${first.item.key}" has no ${what}, which ${label} uses as {{${name}}}${more}`,
      });
    }
  }
  return issues;
}

const isPlaceholder = (name: string) =>
  (ITEM_PLACEHOLDERS as readonly string[]).includes(name) || /^vars\.\w+$/.test(name);

/**
 * Placeholders of the spec's message and follow-ups: each must be one the project knows, and have a
 * value for every item. A `targets` campaign's items are resolved later and carry only a repository,
 * an environment and a key, so `{{vars.*}}` can never be filled there.
 */
function placeholderIssues(fields: Fields): Issue[] {
  const templates: (NamedTemplate & { path: PropertyKey[] })[] = [];
  if (typeof fields.message === 'string')
    templates.push({ path: ['message'], label: 'message', text: fields.message });
  if (Array.isArray(fields.followUps))
    fields.followUps.forEach((text, i) => {
      if (typeof text === 'string')
        templates.push({ path: ['followUps', i], label: `followUps[${i}]`, text });
    });
  const targets = fields.targets !== undefined && fields.items === undefined;
  const issues: Issue[] = [];
  for (const { path, text } of templates) {
    for (const name of placeholdersIn(text)) {
      if (!isPlaceholder(name)) {
        const near = closestWord(name, ITEM_PLACEHOLDERS);
        issues.push({
          path,
          message: `{{${name}}} is not a placeholder${near ? `; did you mean {{${near}}}?` : ''} (known: ${KNOWN_PLACEHOLDERS}, {{vars.<name>}})`,
        });
      } else if (targets && name.startsWith('vars.'))
        issues.push({
          path,
          message: `uses {{${name}}}, but the items of a targets campaign have no vars; use ${KNOWN_PLACEHOLDERS}`,
        });
    }
  }
  return [...issues, ...unfilledPlaceholders(templates, placedItems(fields.items, ['items']), isPlaceholder)];
}

/**
 * Rules between fields. They run on whatever the document holds, whether or not each field is valid,
 * so one pass names every problem (a schema's own refinements would wait for the fields to be fixed).
 */
function relationIssues(document: unknown): Issue[] {
  const fields = fieldsOf(document);
  if (!fields) return [];
  const issues: Issue[] = [];
  if ((fields.items === undefined) === (fields.targets === undefined))
    issues.push({
      path: ['items'],
      message: 'give either items (a list) or targets (a glob), not both or neither',
    });
  issues.push(...duplicateKeys(placedItems(fields.items, ['items'])), ...placeholderIssues(fields));
  const { lookAfterSeconds: lookAfter, safetyPollSeconds: safetyPoll } = fields;
  if (typeof lookAfter === 'number' && typeof safetyPoll === 'number' && lookAfter > safetyPoll)
    issues.push({
      path: ['lookAfterSeconds'],
      message: `must not exceed safetyPollSeconds (${safetyPoll}); the first look comes before the longest gap`,
    });
  const rollout = fieldsOf(fields.rollout);
  if (rollout && !rollout.canary && !(Array.isArray(rollout.waves) && rollout.waves.length))
    issues.push({
      path: ['rollout'],
      message: 'needs a canary or waves, e.g. { canary: 5, waves: ["25%", "100%"] }',
    });
  const fixes = fieldsOf(fields.pullRequests);
  if (fixes?.fixes === 'campaign' && fieldsOf(fields.workspace)?.prFollowups === true)
    issues.push({
      path: ['pullRequests', 'fixes'],
      message:
        'is campaign while workspace.prFollowups is true: the campaign and the platform would both answer each failure; choose fixes: platform, or set prFollowups: false',
    });
  if (fixes && fields.tracking === false)
    issues.push({
      path: ['pullRequests'],
      message: 'needs the campaign to follow its PRs: remove tracking: false, or remove this block',
    });
  if (fields.budgetUsd !== undefined && fields.estimatedMinutesPerItem === undefined)
    issues.push({
      path: ['estimatedMinutesPerItem'],
      message: 'is required with budgetUsd, to project the spend of running items',
    });
  return issues;
}

type LineOf = SpecDocument['lineOf'];

/** Validates a parsed document; every problem names its field, its line (with `lineOf`) and the fix. */
export function parseCampaignSpec(
  document: unknown,
  source = '(spec)',
  lineOf?: LineOf,
): { id?: string; spec: CampaignSpec } {
  const { data, issues } = safeParsePlain(CampaignFileSchema, document);
  const all = [...issues, ...relationIssues(document)];
  if (!data || all.length) throw new CampaignSpecError(source, toProblems(all, lineOf));
  return { id: data.id, spec: toCampaignSpec(data) };
}

/** Reads a campaign spec from a YAML or JSON file. */
export function loadCampaignSpec(path: string): { id?: string; spec: CampaignSpec } {
  const document = readSpecDocument(path, 'campaign spec');
  return parseCampaignSpec(document.data, path, document.lineOf);
}

const ITEMS_WHAT = 'items file';
const ItemListSchema = z
  .array(ItemSchema)
  .min(1)
  .describe('a list of {key, environment, repository?, vars?}, not empty');

/** An `add-items` file, validated, that still knows where each item is written. */
export interface ItemsFile {
  source: string;
  items: CampaignItem[];
  lineOf?: LineOf;
}

/** Validates a list of items (the `add-items` file) like the `items` of a spec. */
export function parseItems(document: unknown, source = '(items)', lineOf?: LineOf): ItemsFile {
  const { data, issues } = safeParsePlain(ItemListSchema, document);
  const all = [...issues, ...duplicateKeys(placedItems(document, []))];
  if (!data || all.length) throw new CampaignSpecError(source, toProblems(all, lineOf), ITEMS_WHAT);
  return { source, items: data.map(toItem), ...(lineOf && { lineOf }) };
}

/** Reads an item list from a YAML or JSON file. */
export function loadItems(path: string): ItemsFile {
  const document = readSpecDocument(path, ITEMS_WHAT);
  return parseItems(document.data, path, document.lineOf);
}

/**
 * Refuses items the campaign's own message or follow-ups cannot render for (exit 2 before anything is
 * sent), naming each item and placeholder.
 */
export function assertItemsRender(file: ItemsFile, job: Pick<JobTemplate, 'message' | 'followUps'>): void {
  const templates: NamedTemplate[] = [
    { label: "the campaign's message", text: job.message },
    ...(job.followUps ?? []).map((text, i) => ({ label: `the campaign's follow-up ${i + 1}`, text })),
  ];
  const placed = file.items.map((item, i) => ({ path: [i], item }));
  const issues = unfilledPlaceholders(templates, placed);
  if (issues.length) throw new CampaignSpecError(file.source, toProblems(issues, file.lineOf), ITEMS_WHAT);
}
