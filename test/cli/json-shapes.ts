/**
 * The documented `--json` outputs (README, "JSON output"), as schemas the CLI tests parse every
 * output with. Objects are not strict: a field may be added, none documented may go missing or
 * change type.
 */
import { z } from 'zod';
import {
  CAMPAIGN_STATES,
  FIX_CAUSES,
  ITEM_OUTCOME_FILTERS,
  ITEM_STATES,
  JOB_PHASES,
} from '../../src/contracts';

const counts = z.object(Object.fromEntries(ITEM_STATES.map((s) => [s, z.number().int().min(0)])));
const iso = z.iso.datetime();

export const ItemEventShape = z.object({
  atMs: z.number(),
  key: z.string(),
  kind: z.enum([
    'started',
    'succeeded',
    'failed',
    'timed_out',
    'cancelled',
    'skipped',
    'retried',
    'fix-turn',
  ]),
  detail: z.string().optional(),
});

export const ProgressShape = z.object({
  campaignId: z.string(),
  name: z.string().optional(),
  state: z.enum(CAMPAIGN_STATES),
  total: z.number().int(),
  counts,
  prsOpened: z.number().int(),
  outcomes: z.object({ succeededWithoutPr: z.number().int(), failedWithPr: z.number().int() }).optional(),
  pullRequests: z
    .object({
      open: z.number().int(),
      draft: z.number().int(),
      merged: z.number().int(),
      closed: z.number().int(),
      checksFailing: z.number().int(),
      checksPending: z.number().int(),
      checksPassing: z.number().int(),
      approved: z.number().int(),
      changesRequested: z.number().int(),
      expired: z.number().int().optional(),
      fixTurns: z.number().int().min(0).optional(),
      fixStopped: z.number().int().min(0).optional(),
      mergedShare: z.number().min(0).max(1).optional(),
    })
    .optional(),
  trackingProblem: z.string().optional(),
  startedAt: iso,
  finishedAt: iso.optional(),
  closesAt: iso.optional(),
  concurrency: z.number().int(),
  stopReason: z.object({ kind: z.enum(['cancelled', 'failure_threshold', 'budget', 'rejected']) }).optional(),
  spentUsd: z.number(),
  projectedUsd: z.number(),
  budgetUsd: z.number().optional(),
  rollout: z.object({ wave: z.number(), waves: z.number(), awaitingApproval: z.boolean() }).optional(),
  shards: z.number().int(),
  recent: z.array(ItemEventShape),
});

export const ItemRecordShape = z.object({
  key: z.string(),
  state: z.enum(ITEM_STATES),
  attempt: z.number().int().min(1),
  repository: z.string().optional(),
  wave: z.number().int().optional(),
  replicaId: z.string().optional(),
  branch: z.string().optional(),
  prs: z.array(z.string()).optional(),
  pullRequest: z.string().optional(),
  outcome: z.enum(ITEM_OUTCOME_FILTERS).optional(),
  error: z.string().optional(),
  turns: z.number().int().optional(),
  startedAtMs: z.number().optional(),
  endedAtMs: z.number().optional(),
  costUsd: z.number().optional(),
  lastMessage: z.string().optional(),
  replicaKept: z.boolean().optional(),
  earlierReplicas: z.array(z.string()).optional(),
  change: z
    .object({
      url: z.string(),
      lifecycle: z.enum(['open', 'closed', 'merged']),
      checks: z.string(),
      review: z.string(),
      mergeability: z.string(),
      fixTurns: z
        .array(
          z.object({
            number: z.number().int().min(1),
            cause: z.enum(FIX_CAUSES),
            ref: z.string(),
            headSha: z.string(),
            atMs: z.number(),
            state: z.enum(['running', 'sent', 'failed']),
            error: z.string().optional(),
          }),
        )
        .optional(),
      stopReason: z.string().optional(),
    })
    .optional(),
});

export const ResultsShape = z.array(ItemRecordShape);

/** `campaign results --json --burndown`. */
export const BurndownShape = z
  .object({
    points: z.array(
      z
        .object({
          atMs: z.number(),
          opened: z.number().int().min(0),
          merged: z.number().int().min(0),
          closed: z.number().int().min(0),
          openRed: z.number().int().min(0),
          openGreen: z.number().int().min(0),
          fixTurns: z.number().int().min(0),
        })
        .strict(),
    ),
    fixTurns: z.number().int().min(0),
    mergedShare: z.number().min(0).max(1).optional(),
  })
  .strict();

export const ApplyShape = z.object({
  campaignId: z.string(),
  created: z.boolean(),
  settingsChanged: z.boolean(),
  shardCount: z.number().int().min(1),
  summary: z.object({
    added: z.number().int(),
    kept: z.number().int(),
    retried: z.number().int(),
    pruned: z.number().int(),
    updated: z.number().int(),
  }),
  progress: ProgressShape.optional(),
});

export const WatchSampleShape = z.object({
  atMs: z.number(),
  itemsPerSecond: z.number().optional(),
  etaSeconds: z.number().optional(),
  progress: ProgressShape,
});

export const ListShape = z.array(
  z.object({
    campaignId: z.string(),
    name: z.string().optional(),
    state: z.string(),
    workflowStatus: z.string(),
    startedAt: iso,
    closedAt: iso.optional(),
    total: z.number().int().optional(),
    counts: counts.optional(),
    prsOpened: z.number().int().optional(),
    specFile: z.string().optional(),
    owner: z.string().optional(),
  }),
);

export const ItemShape = z.object({
  campaignId: z.string(),
  record: ItemRecordShape,
  job: z
    .object({
      phase: z.enum(JOB_PHASES),
      turns: z.number(),
      eventsReceived: z.number(),
      replicaId: z.string().optional(),
    })
    .optional(),
  replica: z
    .object({
      id: z.string(),
      status: z.string(),
      lastChatMessage: z.object({ text: z.string(), agent: z.string(), timestamp: z.string() }).optional(),
      pullRequests: z.array(z.string()),
      branches: z.array(z.object({ repository: z.string(), branch: z.string().nullable() })),
    })
    .optional(),
  replicaNote: z.string().optional(),
  lastAgentMessage: z.string().optional(),
});

const kept = z.object({ key: z.string(), replicaId: z.string() });
export const CleanupShape = z.object({
  deleted: z.array(kept),
  alreadyGone: z.array(kept),
  failed: z.array(kept.extend({ error: z.string() })),
  skippedRunning: z.number().int(),
  recordsUpdated: z.number().int().nullable(),
});

const range = z.object({ min: z.number(), max: z.number() });
export const PlanShape = z.object({
  name: z.string().optional(),
  items: z.object({
    total: z.number().int(),
    run: z.number().int(),
    skipped: z.number().int(),
    environmentsToCreate: z.number().int(),
  }),
  targets: z
    .object({
      pattern: z.string(),
      templateEnvironmentId: z.string().optional(),
      repositories: z.array(
        z.object({
          repository: z.string(),
          key: z.string(),
          action: z.enum(['run', 'create_environment', 'skip']),
          environmentId: z.string().optional(),
          reason: z.string().optional(),
        }),
      ),
      apiCalls: z.number().int(),
    })
    .optional(),
  turnsPerItem: z.number().int(),
  concurrency: z.number().int(),
  startsPerMinute: z.number().optional(),
  waves: z.array(z.object({ wave: z.number(), items: z.number(), approval: z.boolean() })).optional(),
  minutesPerItem: range.extend({ estimated: z.boolean() }),
  durationMinutes: range,
  spend: z.object({
    size: z.string(),
    ratePerMinuteUsd: z.number(),
    projectedUsd: z.number(),
    rangeUsd: range,
    ceilingUsd: z.number(),
    budgetUsd: z.number().optional(),
    itemsWithinBudget: z.number().int().optional(),
    fixTurns: z
      .object({
        maxPerPr: z.number().int().min(0),
        needPercent: z.number(),
        expectedPerPr: z.number().min(0),
        expectedTurns: z.number().int().min(0),
        minutesPerTurn: z.number(),
        perTurnUsd: z.number(),
        projectedUsd: z.number(),
        maxUsd: z.number(),
      })
      .optional(),
    projectedWithFixTurnsUsd: z.number().optional(),
  }),
  apiCalls: z.object({
    webhooks: range.optional(),
    polling: range,
    minimumSeconds: z.number(),
    ratePerSecond: z.number(),
  }),
  assumptions: z.array(z.string()),
  simulation: z
    .object({
      wallMs: z.number(),
      progress: ProgressShape,
      pullRequests: z
        .object({
          fixes: z.enum(['campaign', 'platform', 'off']),
          maxFixTurns: z.number().int().min(0),
          opened: z.number().int().min(0),
          merged: z.number().int().min(0),
          mergedShare: z.number().min(0).max(1).optional(),
          fixTurns: z.number().int().min(0),
          fixStopped: z.number().int().min(0),
        })
        .optional(),
      apiCalls: z.object({ total: z.number().int(), byEndpoint: z.record(z.string(), z.number()) }),
      simulatorTimings: z.object({ provisionMs: z.number(), turnMs: z.number() }),
      embeddedTemporal: z.object({ address: z.string(), portsTaken: z.array(z.number().int()) }),
    })
    .optional(),
});

export const ValidateShape = z.union([
  z.object({
    valid: z.literal(true),
    id: z.string().optional(),
    name: z.string().optional(),
    items: z.number().int().nullable(),
    targets: z.string().optional(),
    concurrency: z.number().int(),
  }),
  z.object({
    valid: z.literal(false),
    errors: z.array(z.string()),
    problems: z.array(
      z.object({ field: z.string(), line: z.number().int().optional(), message: z.string() }),
    ),
  }),
]);

export const ScheduleShape = z.object({
  scheduleId: z.string(),
  name: z.string().optional(),
  paused: z.boolean(),
  note: z.string().optional(),
  cron: z.array(z.string()).optional(),
  every: z.string().optional(),
  specFile: z.string().optional(),
  nextRuns: z.array(iso),
  recentRuns: z.array(z.object({ scheduledAt: iso, campaignId: z.string() })),
});

export const ScheduleDescriptionShape = ScheduleShape.extend({
  overlap: z.string(),
  catchupWindowMs: z.number(),
  runsTaken: z.number().int(),
  runsSkippedForOverlap: z.number().int(),
  createdAt: iso,
});

/** `replicas repos --json`: the API's repository objects, each with the environments bound to it. */
export const RepositoriesShape = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    default_branch: z.string(),
    environments: z.array(z.object({ id: z.string(), name: z.string() })),
  }),
);
