import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mergedShare,
  pullRequestsOpened,
  type CampaignItem,
  type CampaignProgress,
  type CampaignSpec,
  type FixSettings,
  type Fixer,
  type PullRequestCounts,
} from '../contracts';
import { parseSimConfig, type SimConfigInput } from '../simulator';
import { startEmbeddedTemporalOnFreePorts } from '../stack/embedded-temporal';
import { startLocalStack } from '../stack/local-stack';
import { installRuntimeLogger } from '../temporal/quiet-runtime';
import { applyCampaign } from './apply';
import { waitForCampaign } from './reads';
import { withCodeHostDefaults } from './spec';

export interface SimulationOutcome {
  wallMs: number;
  progress: CampaignProgress;
  /** Where the PRs ended on the GitHub stand-in, and what the fix loop did (`pullRequests.fixes`). */
  pullRequests?: SimulatedPullRequests;
  apiCalls: { total: number; byEndpoint: Record<string, number> };
  /** How long the simulator took to provision a workspace and to finish a turn. */
  simulatorTimings: { provisionMs: number; turnMs: number };
  /** Where the embedded server ran, and the ports it found taken before that. */
  embeddedTemporal: { address: string; portsTaken: number[] };
}

/** What the fix loop did over a simulated campaign's PRs. */
export interface SimulatedPullRequests {
  /** Who answered a PR that was not mergeable: `campaign`, `platform` or `off`. */
  fixes: Fixer;
  maxFixTurns: number;
  opened: number;
  merged: number;
  /** merged / opened, 0–1 (absent when no PR was opened). */
  mergedShare?: number;
  fixTurns: number;
  /** Open PRs the loop stopped on short of mergeable. */
  fixStopped: number;
}

export interface SimulationOptions {
  sim?: SimConfigInput;
  onProgress?: (progress: CampaignProgress) => void;
  /** The embedded server's gRPC port to try first; taken, free ones are tried. Default: a free one. */
  port?: number;
  /** Stops the run: everything it started is stopped, its folder removed, and it rejects. */
  signal?: AbortSignal;
  /** Told each step of the start (server, stack), for a progress line. */
  onStep?: (step: string) => void;
}

/** The prefix of the throw-away folder (under the OS temp dir, TMPDIR) each run keeps its server in. */
export const SIMULATION_DIR_PREFIX = 'replica-fleet-simulate-';

/** How often a simulated campaign sweeps its PRs on the GitHub stand-in. */
const SIMULATED_SWEEP_MS = 5_000;

/** Turns compressed to under a second: a simulation measures counts and calls, not the duration. */
const SIM_TIMINGS = { provisionMs: 200, turnMs: 600 };

/**
 * Runs a campaign end to end on a private, throw-away deployment — an embedded Temporal dev server,
 * the Replicas simulator, the webhook ingress and both workers — and reports what came out. Each
 * item runs on the simulator's environment for its repository (`acme/api` when the simulator has
 * none by that name): the spec's own environments exist only on the real platform.
 */
export async function simulateCampaign(
  spec: CampaignSpec,
  items: CampaignItem[],
  options: SimulationOptions = {},
): Promise<SimulationOutcome> {
  // Failed items are an expected outcome of a simulation, not warnings; the report says how many.
  // Signals are the caller's to answer: the SDK's default would stop the workers and leave this
  // run waiting for a campaign nobody works on.
  installRuntimeLogger('ERROR', { shutdownSignals: [] });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), SIMULATION_DIR_PREFIX));
  try {
    return await simulateIn(dataDir, spec, items, options);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function simulateIn(
  dataDir: string,
  spec: CampaignSpec,
  items: CampaignItem[],
  options: SimulationOptions,
): Promise<SimulationOutcome> {
  const { signal } = options;
  options.onStep?.('starting an embedded Temporal server');
  const temporal = await startEmbeddedTemporalOnFreePorts({
    dataDir,
    firstPort: options.port,
    namespace: 'default',
    signal,
  });
  try {
    signal?.throwIfAborted();
    options.onStep?.(
      `Temporal at ${temporal.address} (pid ${temporal.pid}); starting the simulator and the workers`,
    );
    const timings = { ...SIM_TIMINGS, ...options.sim?.timings };
    const stack = await startLocalStack({
      temporal,
      sim: { config: { ...options.sim, timings } },
      workerEnv: { REPLICA_FLEET_WORKFLOW_BUNDLE: process.env.REPLICA_FLEET_WORKFLOW_BUNDLE },
    });
    try {
      signal?.throwIfAborted();
      const known = new Set(stack.sim.organisations()[0]?.environments.map((e) => e.name));
      const simulated = items.map((item) => ({
        ...item,
        environmentId: stack.sim.environmentFor(
          item.repository && known.has(item.repository) ? item.repository : 'acme/api',
        ),
      }));
      // Nobody is there to approve waves: a simulated rollout opens each wave when the last is done.
      // The stack's GitHub stand-in is a configured code host: PRs are followed, swept every 5 s.
      const {
        targets: _targets,
        rollout,
        ...rest
      } = withCodeHostDefaults(spec, { sweepMs: SIMULATED_SWEEP_MS });
      const campaignId = `simulated-${Date.now()}`;
      const startedMs = Date.now();
      await applyCampaign(
        temporal.client,
        { ...rest, items: simulated, ...(rollout && { rollout: { ...rollout, approval: false } }) },
        { campaignId, taskQueue: stack.config.taskQueue, apiTaskQueue: stack.config.apiTaskQueue },
      );
      options.onStep?.(`running campaign ${campaignId} (${simulated.length} items)`);
      const quiet = new QuietPullRequests(quietWindowMs(options.sim));
      const progress = await waitForCampaign(
        temporal.client,
        campaignId,
        (p) => {
          options.onProgress?.(p);
          // Done when no item runs, every item's PR has been read from the code host once, and the PRs
          // have stopped moving: no check pending, no fix turn running, nothing new for a while.
          return (
            p.state !== 'running' && p.counts.running === 0 && prsRead(p) && quiet.settled(p, Date.now())
          );
        },
        250,
        signal,
      );
      const byEndpoint: Record<string, number> = {};
      for (const [endpoint, byStatus] of Object.entries(stack.sim.stats().requests)) {
        byEndpoint[endpoint] = Object.values(byStatus).reduce((a, b) => a + b, 0);
      }
      return {
        wallMs: Date.now() - startedMs,
        progress,
        ...(progress.pullRequests && {
          pullRequests: simulatedPullRequests(rest.fixes, progress.pullRequests),
        }),
        apiCalls: { total: Object.values(byEndpoint).reduce((a, b) => a + b, 0), byEndpoint },
        simulatorTimings: { provisionMs: timings.provisionMs, turnMs: timings.turnMs },
        embeddedTemporal: { address: temporal.address, portsTaken: temporal.portsTaken },
      };
    } finally {
      await stack.close();
    }
  } finally {
    await temporal.stop();
  }
}

/**
 * The PRs of a simulated campaign stop moving once no check is pending and no fix turn runs, and their
 * counts stayed the same for `windowMs` (long enough for a check, a review and a merge the stand-in may
 * still have scheduled to land).
 */
class QuietPullRequests {
  private signature = '';
  private sinceMs = 0;

  constructor(private readonly windowMs: number) {}

  settled(p: CampaignProgress, nowMs: number): boolean {
    const c = p.pullRequests;
    if (!c) return true;
    const signature = JSON.stringify(c);
    if (signature !== this.signature) {
      this.signature = signature;
      this.sinceMs = nowMs;
    }
    return c.checksPending === 0 && !c.fixRunning && nowMs - this.sinceMs >= this.windowMs;
  }
}

/**
 * A check, a review and a merge the GitHub stand-in may still deliver, and a second for the news; where
 * deliveries are lost, a sweep as well.
 */
function quietWindowMs(sim: SimConfigInput | undefined): number {
  const knobs = parseSimConfig(sim).codeHost;
  const sweep = knobs.webhookDropRate > 0 ? SIMULATED_SWEEP_MS : 0;
  return knobs.checkDurationMs + knobs.reviewDelayMs + knobs.mergeDelayMs + sweep + 1_000;
}

function simulatedPullRequests(fixes: FixSettings | undefined, c: PullRequestCounts): SimulatedPullRequests {
  const opened = pullRequestsOpened(c);
  const share = mergedShare(c.merged, opened);
  return {
    fixes: fixes?.fixes ?? 'off',
    maxFixTurns: fixes?.maxFixTurns ?? 0,
    opened,
    merged: c.merged,
    ...(share !== undefined && { mergedShare: share }),
    fixTurns: c.fixTurns ?? 0,
    fixStopped: c.fixStopped ?? 0,
  };
}

/** Whether every item that has a PR has it read from the code host (always, when PRs are not followed). */
function prsRead(p: CampaignProgress): boolean {
  if (!p.pullRequests) return true;
  const withPr = p.counts.succeeded - (p.outcomes?.succeededWithoutPr ?? 0) + (p.outcomes?.failedWithPr ?? 0);
  const c = p.pullRequests;
  return c.open + c.draft + c.merged + c.closed + (c.expired ?? 0) >= withPr;
}
