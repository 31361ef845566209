import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { applyCampaign } from '../../src/campaign-client/apply';
import { runBulkAction } from '../../src/campaign-client/bulk-actions';
import { campaignProgress, campaignRecords } from '../../src/campaign-client/reads';
import {
  TASK_QUEUES,
  type CampaignProgress,
  type ItemRecord,
  type PullRequestAction,
} from '../../src/contracts';
import { actionRefusal } from '../../src/policy/pull-request-actions';
import {
  applyFlags,
  SeededRandom,
  type CodeHostStats,
  type SimConfigInput,
  type Simulator,
} from '../../src/simulator';
import { disrupt, type ExecutedKill } from './drive';
import { forgeries, sendForgery, type RealDelivery } from './forgeries';
import { runReplicaName } from './measures';
import { measurePullRequests, type ForgedSend, type PrMeasures } from './pr-measures';
import { CALM_CODE_HOST, PR_PHASE_CODE_HOST, prChaosSpec, type PrWorkloadOptions } from './pr-workload';
import type { Service } from './processes';
import { DOWN_MS, type Target } from './schedule';

export interface PrPhaseOptions extends PrWorkloadOptions {
  /** Worker kills while fix turns run, worker kills while the bulk merge runs, ingress kills. */
  kills: { fixTurns: number; bulkMerge: number; ingress: number };
  deadlineMs: number;
  /** `--set` flags of the run: their `codeHost.*` knobs win over the phase's. */
  simFlags?: string[];
}

/** When a kill of the phase fired: what was under way. */
export type PrKill = ExecutedKill & { during: 'fix turns' | 'bulk merge' | 'tracking' };

export interface BulkMergeReport {
  id: string;
  /** Seconds into the phase it was issued. */
  atS: number;
  asked: number;
  skipped: number;
  outcomes: Record<string, number>;
}

export interface PrPhaseReport {
  campaignId: string;
  items: number;
  sweepMs: number;
  /** Why the phase did not pass besides its measures, one line each. */
  problems: string[];
  measures?: PrMeasures;
  kills: PrKill[];
  bulkMerge?: BulkMergeReport;
  campaignState: string;
  wallMs: number;
  injected: {
    serverErrors: number;
    secondaryLimited: number;
    webhooks: Omit<CodeHostStats['webhooks'], 'events'>;
  };
}

export interface PrPhaseContext {
  client: Client;
  sim: Simulator;
  services: Record<Target, Service>;
  /** The ingress's `/github`, where GitHub's deliveries (and the forger's) go. */
  githubUrl: string;
  webhookSecret: string;
  log: (line: string) => void;
}

/** The time a read may take before the drive moves on (the worker or Temporal may be down). */
const READ_MS = 10_000;
/** How long a sweep's read itself may take beyond the sweep interval: GraphQL under injected 502s and limits. */
const READ_GRACE_MS = 10_000;
const FORGERY_EVERY_MS = 3_000;
/** Worker kills come at least this far apart, so each lands on work of its own. */
const KILL_GAP_MS = 5_000;
const MERGE: PullRequestAction = { kind: 'merge', methods: ['squash'], requireApproval: true };
/** The bulk merge waits for a few mergeable PRs, so a kill can land while it merges. */
const MERGE_FROM = 5;

async function readRecords(client: Client, campaignId: string): Promise<ItemRecord[]> {
  return client.connection.withDeadline(Date.now() + READ_MS, async () => {
    const records: ItemRecord[] = [];
    for await (const record of campaignRecords(client, campaignId)) records.push(record);
    return records;
  });
}

const runningFixTurns = (records: ItemRecord[]) =>
  records.reduce((n, r) => n + (r.change?.fixTurns ?? []).filter((t) => t.state === 'running').length, 0);

const mergeable = (records: ItemRecord[]) =>
  records.filter((r) => r.change && actionRefusal(r.change, MERGE) === undefined).length;

/** Outcomes of one bulk action on the records, by status (`pending` until the shard has its answer). */
function actionOutcomes(records: ItemRecord[], id: string, asked: Set<string>): Record<string, number> {
  const outcomes: Record<string, number> = {};
  for (const record of records) {
    if (!asked.has(record.key)) continue;
    const action = record.change?.action;
    const status = action?.id === id ? action.status : 'pending';
    outcomes[status] = (outcomes[status] ?? 0) + 1;
  }
  return outcomes;
}

/**
 * The pull-request phase: a campaign whose PRs are followed on the GitHub stand-in with a short sweep
 * and answered with fix turns, while GitHub drops, repeats and reorders deliveries and answers 502s
 * and secondary limits; the worker is killed while fix turns run and again during a bulk merge issued
 * mid-phase, the ingress once, and forged and unsigned deliveries knock on `/github` throughout. Once
 * nothing has changed on GitHub for a sweep, every PR's record is compared with GitHub's truth.
 */
export async function runPullRequestPhase(
  context: PrPhaseContext,
  options: PrPhaseOptions,
): Promise<PrPhaseReport> {
  const { client, sim, services, log } = context;
  const campaignId = `chaos-${options.seed}-prs`;
  const random = new SeededRandom(options.seed + 2);
  const downMs = (target: Target) => {
    const [low, high] = DOWN_MS[target];
    return Math.round(low + random.next() * (high - low));
  };
  const knobs = applyFlags({ codeHost: PR_PHASE_CODE_HOST }, options.simFlags ?? []) as SimConfigInput;
  sim.configure({ codeHost: knobs.codeHost });
  sim.codeHost.setWebhook({ url: context.githubUrl, secret: context.webhookSecret });
  const marker = `forged-${randomUUID()}`;
  let real: RealDelivery | undefined;
  const stopListening = sim.codeHost.onDelivery((delivery) => {
    if (delivery.event === 'pull_request' || delivery.event === 'pull_request_review') real = delivery;
  });

  const spec = prChaosSpec(options, (repository) => sim.environmentFor(repository));
  const keyOfName = new Map(
    (spec.items ?? []).map((item) => [runReplicaName(campaignId, item.key, 1), item.key]),
  );
  /** Each PR the campaign's replicas opened, with its item, from the Replicas simulator's record. */
  const itemOfPr = () => {
    const map = new Map<string, string>();
    for (const replica of Object.values(sim.stats().createdReplicas)) {
      const key = keyOfName.get(replica.name);
      if (key) for (const url of replica.pullRequests) map.set(url, key);
    }
    return map;
  };

  const startedMs = Date.now();
  const deadline = startedMs + options.deadlineMs;
  const left = { ...options.kills };
  const kills: PrKill[] = [];
  const forged: ForgedSend[] = [];
  const problems: string[] = [];
  let disrupting: Promise<void> | undefined;
  let lastKillEndMs = 0;
  const kill = (target: Target, during: PrKill['during'], share: number) => {
    const planned = { target, atFinished: Math.round(share * 1000) / 1000, downMs: downMs(target) };
    log(
      `chaos: pull requests: kill -9 ${target} during ${during}, down ${(planned.downMs / 1000).toFixed(1)} s`,
    );
    disrupting = disrupt(services[target], planned, startedMs).then((done) => {
      kills.push({ ...done, during });
      log(
        `chaos: ${target} back after ${(done.backAfterMs / 1000).toFixed(1)} s${done.error ? `: ${done.error}` : ''}`,
      );
      lastKillEndMs = Date.now();
      disrupting = undefined;
    });
  };

  await applyCampaign(client, spec, {
    campaignId,
    taskQueue: TASK_QUEUES.workflows,
    apiTaskQueue: TASK_QUEUES.api,
  });
  log(
    `chaos: pull requests: campaign ${campaignId}, ${options.items} items, sweep ${options.sweepMs / 1000} s, up to ${options.maxFixTurns} fix turns per PR`,
  );

  let progress: CampaignProgress | undefined;
  let records: ItemRecord[] = [];
  let merge: { id: string; asked: Set<string>; atMs: number; skipped: number } | undefined;
  let forgedAtMs = 0;
  let loggedAtMs = 0;
  let measures: PrMeasures | undefined;
  let n = 0;
  while (Date.now() < deadline) {
    progress =
      (await client.connection
        .withDeadline(Date.now() + READ_MS, () => campaignProgress(client, campaignId))
        .catch(() => undefined)) ?? progress;
    records = (await readRecords(client, campaignId).catch(() => undefined)) ?? records;
    const ours = itemOfPr();
    const host = sim.codeHost.stats();
    const apiMerges = host.merges.filter((m) => ours.has(m.pullRequest)).length;
    const jobsDone = progress !== undefined && progress.state !== 'running';
    const running = runningFixTurns(records);
    const outcomes = merge ? actionOutcomes(records, merge.id, merge.asked) : {};
    const share = Math.min(1, ours.size / Math.max(1, options.items));

    // Forged and unsigned deliveries, a few every few seconds, made from what GitHub really sent.
    if (real && Date.now() - forgedAtMs >= FORGERY_EVERY_MS) {
      forgedAtMs = Date.now();
      n += 1;
      for (const forgery of forgeries(real, marker, n))
        forged.push(await sendForgery(context.githubUrl, forgery));
    }

    // One kill at a time: the ingress once PRs are being followed, the worker while fix turns run,
    // the bulk merge once every job has ended, and the worker again while it merges.
    if (!disrupting) {
      const rested = Date.now() - lastKillEndMs >= KILL_GAP_MS;
      if (left.ingress > 0 && ours.size >= 0.3 * options.items) {
        left.ingress -= 1;
        kill('ingress', 'tracking', share);
      } else if (left.fixTurns > 0 && running > 0 && rested) {
        left.fixTurns -= 1;
        kill('worker', 'fix turns', share);
      } else if (
        !merge &&
        jobsDone &&
        left.ingress === 0 &&
        // Fix turns that still owe a kill get it first; the merge then runs beside the later ones.
        (left.fixTurns === 0 || running === 0) &&
        mergeable(records) >= MERGE_FROM
      ) {
        try {
          const issued = await runBulkAction(client, campaignId, MERGE, {}, { wait: false });
          const asked = issued.outcomes.filter((o) => o.status !== 'skipped').map((o) => o.key);
          merge = {
            id: issued.id,
            asked: new Set(asked),
            atMs: Date.now(),
            skipped: issued.outcomes.length - asked.length,
          };
          log(`chaos: pull requests: campaign merge ${issued.id}: ${asked.length} PRs to merge`);
        } catch (error) {
          log(`chaos: pull requests: campaign merge not issued yet: ${String(error)}`);
        }
      } else if (
        merge &&
        left.bulkMerge > 0 &&
        rested &&
        apiMerges >= Math.min(3, merge.asked.size) &&
        (outcomes.pending ?? 0) > 0
      ) {
        left.bulkMerge -= 1;
        kill('worker', 'bulk merge', share);
      }
    }

    if (Date.now() - loggedAtMs >= 10_000) {
      loggedAtMs = Date.now();
      const fixTurns = records.reduce((sum, r) => sum + (r.change?.fixTurns?.length ?? 0), 0);
      log(
        `chaos: pull requests: ${Math.round((loggedAtMs - startedMs) / 1000)} s: ${ours.size} PRs, ${apiMerges} merged, ${fixTurns} fix turns (${running} running)${merge ? `, bulk merge ${JSON.stringify(outcomes)}` : ''}; campaign ${progress?.state ?? 'unknown'}`,
      );
    }

    // Settled: every job ended, the merge answered for each PR, no fix turn running, and GitHub quiet for
    // a sweep (and the read) since the last change of any of the campaign's PRs. A kill that found no
    // work to land on by then is a problem of the run, reported below.
    const settled =
      !disrupting && merge !== undefined && jobsDone && running === 0 && (outcomes.pending ?? 0) === 0;
    const lastChange = Math.max(
      0,
      ...host.pullRequests.filter((pr) => ours.has(pr.url)).map((pr) => pr.changedAtMs),
    );
    const allowedLagMs = options.sweepMs + READ_GRACE_MS;
    if (settled && Date.now() - lastChange > allowedLagMs) {
      // Judged on one consistent view: the records read after GitHub's, with nothing changed between.
      const truth = sim.codeHost.stats();
      const final = await readRecords(client, campaignId).catch(() => undefined);
      const after = sim.codeHost.stats();
      const changed = (s: typeof truth) => s.pullRequests.map((pr) => pr.changedAtMs).join();
      if (final && changed(truth) === changed(after)) {
        measures = measurePullRequests({
          records: final,
          itemOfPr: itemOfPr(),
          turnsByReplica: sim.stats().turnsByReplica,
          turnsPerJob: 1 + (spec.job.followUps?.length ?? 0),
          pullRequests: truth.pullRequests,
          merges: truth.merges,
          mergeRequests: truth.mergeRequests,
          forged,
          forgedMarker: marker,
          checkedAtMs: Date.now(),
          allowedLagMs,
        });
        records = final;
        break;
      }
    }
    await delay(1_000);
  }
  await disrupting;
  stopListening();
  sim.configure({ codeHost: CALM_CODE_HOST });
  const wallMs = Date.now() - startedMs;

  if (!measures)
    problems.push(
      `pull requests: the phase did not settle within ${options.deadlineMs / 1000} s (${kills.length} kills, bulk merge ${merge ? 'issued' : 'not issued'}, ${runningFixTurns(records)} fix turns running)`,
    );
  for (const [what, count] of Object.entries(left))
    if (count > 0) problems.push(`pull requests: ${count} planned kill(s) during ${what} did not happen`);
  for (const k of kills)
    if (k.error) problems.push(`pull requests: ${k.target} did not come back: ${k.error}`);
  if (measures && measures.fixTurns.recorded === 0)
    problems.push('pull requests: no fix turn was sent, so the fix loop was not exercised');
  if (forged.every((f) => f.status === 'unreachable'))
    problems.push('pull requests: no forged delivery reached the ingress');

  const host = sim.codeHost.stats();
  return {
    campaignId,
    items: options.items,
    sweepMs: options.sweepMs,
    problems,
    ...(measures && { measures }),
    kills,
    ...(merge && {
      bulkMerge: {
        id: merge.id,
        atS: Math.round((merge.atMs - startedMs) / 100) / 10,
        asked: merge.asked.size,
        skipped: merge.skipped,
        outcomes: actionOutcomes(records, merge.id, merge.asked),
      },
    }),
    campaignState: progress?.state ?? 'unknown',
    wallMs,
    injected: {
      serverErrors: host.faults.serverErrors,
      secondaryLimited: host.faults.secondaryLimited,
      webhooks: {
        sent: host.webhooks.sent,
        delivered: host.webhooks.delivered,
        failed: host.webhooks.failed,
        dropped: host.webhooks.dropped,
        duplicated: host.webhooks.duplicated,
        reordered: host.webhooks.reordered,
        answers: host.webhooks.answers,
      },
    },
  };
}
