import type { Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { campaignProgress } from '../../src/campaign-client/reads';
import type { CampaignProgress } from '../../src/contracts';
import type { Service } from './processes';
import { finishedCount, ProgressTrace } from './progress-trace';
import { describeDisruption, type Disruption, type Target } from './schedule';

export interface ExecutedKill extends Disruption {
  /** When the kill happened (ms from the start of its phase) and how long until the process served again. */
  atMs: number;
  backAfterMs: number;
  error?: string;
}

/** What happened while one phase of the campaign ran. */
export interface Drive {
  /** Items the phase ran; the rest of the campaign had finished before it began. */
  items: number;
  progress?: CampaignProgress;
  trace: ProgressTrace;
  /** The kills planned for the phase (none when it had no items to run). */
  planned: Disruption[];
  kills: ExecutedKill[];
  wallMs: number;
}

export interface PhaseOptions {
  /** Names the phase in the log. */
  name: string;
  /** Starts the phase (an apply, a retry); resolves to how many items it runs. */
  start: () => Promise<number>;
  planned: Disruption[];
  services: Record<Target, Service>;
  /** Epoch ms after which the campaign is no longer followed (the run then fails). */
  deadlineAtMs: number;
  /** Every spend the campaign's progress showed, in the order read: each read of the phase adds one. */
  spendSamples: number[];
  log: (line: string) => void;
}

/** Kills one process, leaves it down for the planned time, and starts it again on the same port. */
export async function disrupt(
  service: Service,
  planned: Disruption,
  startedMs: number,
): Promise<ExecutedKill> {
  const at = Date.now();
  const executed = () => ({ ...planned, atMs: at - startedMs, backAfterMs: Date.now() - at });
  try {
    await service.kill();
    await delay(planned.downMs);
    await service.start();
    return executed();
  } catch (error) {
    return { ...executed(), error: String(error) };
  }
}

/**
 * Starts a phase and follows the campaign once a second until it finishes or the deadline passes,
 * firing each planned kill once its share of the phase's items has finished (one kill at a time).
 */
export async function drivePhase(client: Client, campaignId: string, options: PhaseOptions): Promise<Drive> {
  const { services, log, name } = options;
  const startedMs = Date.now();
  const items = await options.start();
  const planned = items > 0 ? options.planned : [];
  const trace = new ProgressTrace(items, startedMs);
  const kills: ExecutedKill[] = [];
  let disrupting: Promise<void> | undefined;
  let next = 0;
  let progress: CampaignProgress | undefined;
  let loggedAt = 0;
  while (Date.now() < options.deadlineAtMs) {
    // A read nobody can answer (Temporal or the worker down) is a gap in the trace, not an error.
    const read = await client.connection
      .withDeadline(Date.now() + 5_000, () => campaignProgress(client, campaignId))
      .catch(() => undefined);
    if (read) {
      progress = read;
      options.spendSamples.push(read.spentUsd);
      // Items outside the phase finished before it began.
      trace.record(finishedCount(read) - (read.total - items));
      if (read.state !== 'running') break;
    }
    const due = planned[next];
    if (!disrupting && due && trace.finished >= due.atFinished * items) {
      next += 1;
      log(`chaos: ${name}: ${describeDisruption(due)} (now ${trace.finished} finished)`);
      disrupting = disrupt(services[due.target], due, startedMs).then((kill) => {
        kills.push(kill);
        log(
          `chaos: ${kill.target} back after ${(kill.backAfterMs / 1000).toFixed(1)} s${kill.error ? `: ${kill.error}` : ''}`,
        );
        disrupting = undefined;
      });
    }
    if (Date.now() - loggedAt >= 10_000) {
      loggedAt = Date.now();
      log(
        `chaos: ${name}: ${Math.round((loggedAt - startedMs) / 1000)} s: ${trace.finished}/${items} finished`,
      );
    }
    await delay(1_000);
  }
  const wallMs = Date.now() - startedMs;
  await disrupting;
  return { items, progress, trace, planned, kills, wallMs };
}
