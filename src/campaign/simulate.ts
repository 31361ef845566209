import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CampaignItem, CampaignProgress, CampaignSpec } from '../contracts';
import type { SimConfigInput } from '../simulator';
import { startEmbeddedTemporal } from '../stack/embedded-temporal';
import { startLocalStack } from '../stack/local-stack';
import { installRuntimeLogger } from '../temporal/quiet-runtime';
import { applyCampaign } from './apply';
import { waitForCampaign } from './reads';

export interface SimulationOutcome {
  wallMs: number;
  progress: CampaignProgress;
  apiCalls: { total: number; byEndpoint: Record<string, number> };
  /** How long the simulator took to provision a workspace and to finish a turn. */
  simulatorTimings: { provisionMs: number; turnMs: number };
}

/** Turns compressed to under a second: a simulation measures counts and calls, not the duration. */
const SIM_TIMINGS = { provisionMs: 200, turnMs: 600 };

async function loopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Runs a campaign end to end on a private, throw-away deployment — an embedded Temporal dev server,
 * the Replicas simulator, the webhook ingress and both workers — and reports what came out. Each
 * item runs on the simulator's environment for its repository (`acme/api` when the simulator has
 * none by that name): the spec's own environments exist only on the real platform.
 */
export async function simulateCampaign(
  spec: CampaignSpec,
  items: CampaignItem[],
  options: { sim?: SimConfigInput; onProgress?: (progress: CampaignProgress) => void } = {},
): Promise<SimulationOutcome> {
  // Failed items are an expected outcome of a simulation, not warnings; the report says how many.
  installRuntimeLogger('ERROR');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'replica-fleet-simulate-'));
  const temporal = await startEmbeddedTemporal({
    dataDir,
    port: await loopbackPort(),
    uiPort: await loopbackPort(),
    namespace: 'default',
  });
  try {
    const timings = { ...SIM_TIMINGS, ...options.sim?.timings };
    const stack = await startLocalStack({
      temporal,
      sim: { config: { ...options.sim, timings } },
      workerEnv: { REPLICA_FLEET_WORKFLOW_BUNDLE: process.env.REPLICA_FLEET_WORKFLOW_BUNDLE },
    });
    try {
      const known = new Set(stack.sim.organisations()[0]?.environments.map((e) => e.name));
      const simulated = items.map((item) => ({
        ...item,
        environmentId: stack.sim.environmentFor(
          item.repository && known.has(item.repository) ? item.repository : 'acme/api',
        ),
      }));
      // Nobody is there to approve waves: a simulated rollout opens each wave when the last is done.
      const { targets: _targets, rollout, ...rest } = spec;
      const campaignId = `simulated-${Date.now()}`;
      const startedMs = Date.now();
      await applyCampaign(
        temporal.client,
        { ...rest, items: simulated, ...(rollout && { rollout: { ...rollout, approval: false } }) },
        { campaignId, taskQueue: stack.config.taskQueue, apiTaskQueue: stack.config.apiTaskQueue },
      );
      const progress = await waitForCampaign(
        temporal.client,
        campaignId,
        (p) => {
          options.onProgress?.(p);
          return p.state !== 'running' && p.counts.running === 0;
        },
        250,
      );
      const byEndpoint: Record<string, number> = {};
      for (const [endpoint, byStatus] of Object.entries(stack.sim.stats().requests)) {
        byEndpoint[endpoint] = Object.values(byStatus).reduce((a, b) => a + b, 0);
      }
      return {
        wallMs: Date.now() - startedMs,
        progress,
        apiCalls: { total: Object.values(byEndpoint).reduce((a, b) => a + b, 0), byEndpoint },
        simulatorTimings: { provisionMs: timings.provisionMs, turnMs: timings.turnMs },
      };
    } finally {
      await stack.close();
    }
  } finally {
    await temporal.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
