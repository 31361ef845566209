import { applyCampaign } from '../../src/campaign-client/apply';
import { campaignPullRequests } from '../../src/campaign-client/pull-requests';
import { waitForCampaign } from '../../src/campaign-client/reads';
import { shardWorkflowId, type CampaignProgress, type CampaignSpec } from '../../src/contracts';
import { DEFAULT_GITHUB_TOKEN } from '../../src/simulator';
import { startBenchStack } from '../harness';
import { peakRssMiB, round, rssMiB } from '../process-usage';
import { FAST_TURNS } from './campaign';
import type { Figures } from './jobs';
import { trackingActions } from './tracking/actions';
import { planChanges, rightAfterDrops, timeToVisible } from './tracking/changes';
import { naivePollCycle } from './tracking/naive-poll';
import { between, quietIntervals, requestCount } from './tracking/requests';

/** The shortest sweep a spec may ask for (`tracking: {sweepMinutes: 1}`); the default is 10 minutes. */
const SWEEP_MS = 60_000;
const DEFAULT_SWEEP_MS = 10 * 60_000;
/** Sweep intervals counted with nothing happening on the code host. */
const QUIET_INTERVALS = 3;
/** PRs changed while `campaign prs` is watched, and again while deliveries are lost. */
const SAMPLE = 200;
const CHANGE_PACE_MS = 150;
const DROP_RATE = 0.1;
/** The naive poller's requests in flight: half of GitHub's 100 concurrent, as a careful script would. */
const NAIVE_CONCURRENCY = 50;
const NAIVE_CYCLE_MS = 5 * 60_000;
/**
 * Repositories the simulator holds (its most), 4,000 of them with an environment: a campaign over
 * repositories has one PR in each, and GitHub's deliveries are routed by repository to the shards that
 * follow a PR there. Ten thousand PRs in four repositories would send every delivery to every shard.
 */
const REPOSITORIES = 5000;
/**
 * A PR's life for the actions per PR: a reviewer's verdict, a re-review and a merge or close make a
 * few changes, and most campaign PRs settle within a week (tracking gives up after `maxDays`, 30).
 */
const LIFE = { changes: 4, days: 7 };

/** Where a long run is, on stderr: the figures go to stdout once it ends. */
const note = (what: string) => process.stderr.write(`\n  ${new Date().toISOString().slice(11, 19)} ${what}`);

/**
 * A GitHub whose CI passes and whose people stay idle, so every PR stays open and followed; the
 * benchmark plays the reviewers and maintainers itself (approve, request changes, close, merge), so it
 * knows when each change happens. The hourly budget is lifted: at a one-minute sweep ten thousand PRs
 * take 6,000 GraphQL requests an hour, over GitHub's 5,000, where the default ten-minute sweep takes 600.
 */
const CODE_HOST = {
  checkDurationMs: 200,
  reviewApprovalRate: 0,
  reviewChangesRequestedRate: 0,
  mergeRate: 0,
  closeRate: 0,
  rateLimitPerHour: 10_000_000,
};

/**
 * A campaign of `items` items whose every item opens a PR that stays open, followed with webhooks on
 * and a one-minute sweep, on the local stack with the worker in its own process:
 * 1. code-host requests per sweep interval with nothing happening, and the projection to requests per
 *    hour at the default ten-minute sweep; peak concurrent requests and points per minute;
 * 2. from a delivery leaving the code host to `campaign prs` showing the change (p50, p99, max);
 * 3. with 10% of deliveries lost: PRs right one sweep interval after the last change, and when all were;
 * 4. Temporal actions of following PRs, per PR; 5. worker RSS; 6. a naive REST poller beside it.
 */
export async function trackingScenario(items: number): Promise<Figures> {
  const stack = await startBenchStack(
    { ...FAST_TURNS, codeHost: CODE_HOST, repositories: { count: REPOSITORIES } },
    { workerProcess: true },
  );
  const codeHost = stack.simulator.codeHost;
  const worker = () => stack.pids.worker as number;
  try {
    // Every repository with an environment bound takes items in turn: a few PRs per repository.
    const environments = (stack.simulator.organisations()[0]?.environments ?? []).filter((e) =>
      e.name.includes('/'),
    );
    const spec: CampaignSpec = {
      job: { message: 'rename the logger in {{repository}}', cleanup: 'after-merge' },
      items: Array.from({ length: items }, (_, i) => {
        const environment = environments[i % environments.length] as { id: string; name: string };
        return { key: `item-${i}`, environmentId: environment.id, repository: environment.name };
      }),
      concurrency: Math.min(500, items),
      tracking: { sweepMs: SWEEP_MS, maxDays: 30 },
    };
    const campaignId = `bench-tracking-${items}`;
    const started = performance.now();
    await applyCampaign(stack.client, spec, {
      campaignId,
      taskQueue: stack.config.taskQueue,
      apiTaskQueue: stack.config.apiTaskQueue,
    });
    // Every item ended and every PR read once: from here on the shards only follow PRs.
    const followed = (p: CampaignProgress) =>
      p.counts.succeeded + p.counts.failed === items &&
      p.prsOpened > 0 &&
      p.pullRequests?.open === p.prsOpened;
    note(`applied ${items} items; waiting for every item to end and every PR to be read`);
    const progress = await waitForCampaign(
      stack.client,
      campaignId,
      followed,
      1000,
      AbortSignal.timeout(Math.max(10 * 60_000, items * 200)),
    );
    const runSeconds = round((performance.now() - started) / 1000);
    const quietFromMs = Date.now();
    const shards = Array.from({ length: progress.shards }, (_, i) => shardWorkflowId(campaignId, i));

    // 1. Nothing happens on the code host: what following the open PRs costs by itself.
    note(
      `${progress.prsOpened} PRs followed after ${runSeconds} s; ${QUIET_INTERVALS} quiet sweep intervals`,
    );
    const quiet = await quietIntervals(codeHost, SWEEP_MS, QUIET_INTERVALS);
    const sweepWindow: [number, number] = [quietFromMs, Date.now()];
    const workerRssAfterBurst = rssMiB(worker());
    const workerPeakRssBurst = peakRssMiB(worker());
    // 5. A worker that only follows PRs: RSS never shrinks after the start burst's hundreds of jobs,
    // so a fresh worker takes over (as after a deploy) and is measured once every shard swept on it.
    note('a fresh worker takes over; one sweep interval on it');
    await stack.restartWorker();
    await quietIntervals(codeHost, SWEEP_MS, 1);
    const workerRssTracking = rssMiB(worker());
    const graphqlPerSweep = quiet.total.graphql / QUIET_INTERVALS;
    const restPerSweep = quiet.total.rest / QUIET_INTERVALS;

    // 2. and 3. People change PRs: seen with every delivery, then with a tenth of them lost.
    const rows = await campaignPullRequests(stack.client, campaignId);
    const sample = Math.min(SAMPLE, Math.floor(rows.length / 4));
    const beforeChanges = requestCount(codeHost);
    const changesFromMs = Date.now();
    note(
      `${sample} changes watched through campaign prs, then ${sample} with ${DROP_RATE * 100}% of deliveries lost`,
    );
    const watched = planChanges(rows, sample);
    const latency = await timeToVisible(stack.client, codeHost, campaignId, watched, {
      paceMs: CHANGE_PACE_MS,
      timeoutMs: 5 * 60_000,
    });
    const lossy = planChanges(rows, sample, new Set(watched.map((c) => c.url)));
    const drops = await rightAfterDrops(
      stack.client,
      codeHost,
      (rate) => stack.simulator.configure({ codeHost: { webhookDropRate: rate } }),
      campaignId,
      lossy,
      { dropRate: DROP_RATE, paceMs: CHANGE_PACE_MS, sweepMs: SWEEP_MS, timeoutMs: 3 * SWEEP_MS },
    );
    const changes = between(beforeChanges, requestCount(codeHost));
    const changesToMs = Date.now();
    // What the changes cost beyond the sweeps that ran meanwhile, at the quiet window's rate.
    const sweepsMeanwhile = changes.atMs / SWEEP_MS;
    const changeDriven = Math.max(
      0,
      changes.graphql + changes.rest - (graphqlPerSweep + restPerSweep) * sweepsMeanwhile,
    );
    const changeCount = watched.length + lossy.length;
    const changeDrivenPerHour = (changeDriven / changes.atMs) * 3_600_000;
    const perHourAtDefault = graphqlPerSweep * (3_600_000 / DEFAULT_SWEEP_MS) + changeDrivenPerHour;
    // A simulated day of these PRs as LIFE has them: changes too sparse to share a read, so each is
    // counted one request (an upper bound: most deliveries are taken without any read).
    const dayChangesPerHour = (progress.prsOpened * LIFE.changes) / (LIFE.days * 24);
    const perHourSimulatedDay = graphqlPerSweep * (3_600_000 / DEFAULT_SWEEP_MS) + dayChangesPerHour;
    const load = { ...codeHost.stats().load };

    // 4. Temporal actions of following PRs.
    note('counting actions in the shard and campaign histories');
    const actions = await trackingActions(
      stack.client,
      { campaign: campaignId, shards },
      { quietFromMs, sweeps: sweepWindow, changes: [changesFromMs, changesToMs], sweepMs: SWEEP_MS },
    );
    const prs = progress.prsOpened;
    const sweepActionsPerInterval = actions.inSweeps / QUIET_INTERVALS;
    // The changes' own actions: those of their window less the sweeps that ran meanwhile.
    const actionsPerChange = Math.max(
      0,
      (actions.inChanges - sweepActionsPerInterval * ((changesToMs - changesFromMs) / SWEEP_MS)) /
        changeCount,
    );
    const oneOffPerPr = actions.whileItemsRan / prs;
    const sweepsPerDay = 86_400_000 / DEFAULT_SWEEP_MS;
    const sweepActionsPerPrPerDay = (sweepActionsPerInterval / prs) * sweepsPerDay;
    const lifeActions = oneOffPerPr + LIFE.changes * actionsPerChange + LIFE.days * sweepActionsPerPrPerDay;
    const workerPeakRss = peakRssMiB(worker());

    // 6. The naive alternative: one full REST cycle over every PR, on the same code host.
    note(`one naive REST cycle over ${rows.length} PRs`);
    const naive = await naivePollCycle(
      codeHost.url,
      DEFAULT_GITHUB_TOKEN,
      rows.map((row) => ({ repository: row.repository, number: row.number })),
      NAIVE_CONCURRENCY,
    );
    const naiveLoad = codeHost.stats().load;
    const naivePerHour = naive.requests * (3_600_000 / NAIVE_CYCLE_MS);

    return {
      items,
      prs: progress.prsOpened,
      shards: progress.shards,
      shardRuns: actions.shardRuns,
      runSeconds,
      sweepSeconds: SWEEP_MS / 1000,
      quietIntervals: QUIET_INTERVALS,
      graphqlPerSweepInterval: round(graphqlPerSweep, 1),
      restPerSweepInterval: round(restPerSweep, 1),
      requestsByInterval: JSON.stringify(
        quiet.perInterval.map((i) => ({ graphql: i.graphql, rest: i.rest })),
      ),
      changesMade: changeCount,
      changeWindowSeconds: round(changes.atMs / 1000),
      changeWindowRequests: JSON.stringify({ graphql: changes.graphql, rest: changes.rest }),
      changeDrivenRequests: round(changeDriven, 1),
      changeDrivenRequestsPerChange: round(changeDriven / changeCount, 3),
      changeDrivenRequestsPerHour: round(changeDrivenPerHour),
      changesPerHour: round((changeCount / changes.atMs) * 3_600_000),
      projectedRequestsPerHourAtDefaultSweep: round(perHourAtDefault),
      simulatedDayChangesPerHour: round(dayChangesPerHour),
      projectedRequestsPerHourSimulatedDay: round(perHourSimulatedDay),
      simulatedDayFormula: `GraphQL reads per sweep interval x 6 + one request per change at ${LIFE.changes} changes a PR over ${LIFE.days} days`,
      projectionFormula:
        'GraphQL reads per sweep interval x 6 (10-minute sweep) + change-driven requests per hour (measured at changesPerHour)',
      peakConcurrentRequests: load.maxInFlight,
      peakOpenConnections: load.maxConnections,
      peakRestPointsPerMinute: load.maxRestPointsPerMinute,
      peakGraphqlPointsPerMinute: load.maxGraphqlPointsPerMinute,
      visibleChanges: latency.changes,
      visibleNotSeen: latency.notSeenInTime,
      visibleP50Ms: latency.p50Ms,
      visibleP99Ms: latency.p99Ms,
      visibleMaxMs: latency.maxMs,
      prsReads: latency.prsReads,
      prsReadP50Ms: latency.prsReadP50Ms,
      prsReadMaxMs: latency.prsReadMaxMs,
      lossyChanges: drops.changes,
      deliveriesDropped: drops.deliveriesDropped,
      prsRightOneSweepAfterLastChange: `${drops.rightOneSweepAfterLastChange}/${drops.prs}`,
      allRightSecondsAfterLastChange: drops.allRightSecondsAfterLastChange ?? 'not within 3 sweeps',
      trackingActionsWhileItemsRan: actions.whileItemsRan,
      trackingActionsWhileItemsRanByKind: JSON.stringify(actions.whileItemsRanByKind),
      actionsAfterItems: actions.afterItems,
      actionsAfterItemsByKind: JSON.stringify(actions.afterItemsByKind),
      trackingActionsPerPrMeasured: round((actions.whileItemsRan + actions.afterItems) / prs, 2),
      trackingActionsPerPrOneOff: round(oneOffPerPr, 2),
      actionsPerSweepInterval: round(sweepActionsPerInterval, 1),
      actionsPerChange: round(actionsPerChange, 2),
      sweepActionsPerPrPerDayAtDefault: round(sweepActionsPerPrPerDay, 2),
      trackingActionsPerPrLife: round(lifeActions, 2),
      lifeFormula: `one-off + ${LIFE.changes} changes x actionsPerChange + ${LIFE.days} days x sweepActionsPerPrPerDayAtDefault`,
      workerRssMiBAfterBurst: workerRssAfterBurst,
      workerPeakRssMiBBurst: workerPeakRssBurst,
      workerRssMiBTracking: workerRssTracking,
      workerPeakRssMiBTracking: workerPeakRss,
      naiveRequestsPerCycle: naive.requests,
      naiveFailed: naive.failed,
      naiveCycleSeconds: naive.cycleSeconds,
      naiveConcurrency: naive.concurrency,
      naiveRequestsPerHour: naivePerHour,
      naivePeakRestPointsPerMinute: naiveLoad.maxRestPointsPerMinute,
      naivePeakOpenConnections: naiveLoad.maxConnections,
    };
  } finally {
    await stack.close();
  }
}
