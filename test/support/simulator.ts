import { ReplicasClient } from '../../src/replicas';
import type { ObservedResponse } from '../../src/replicas/transport';
import { DEFAULT_SIM_API_KEY, startSimulator, type SimulatorOptions } from '../../src/simulator/server';
import type { SimConfigInput } from '../../src/simulator/sim-config';

/** Timings short enough for tests, long enough that each lifecycle step is observable. */
export const FAST_TIMINGS = {
  provisionMs: 30,
  turnMs: 80,
  wakeMs: 30,
  sleepAfterMs: 60_000,
  deleteAfterInactivityMs: 60_000,
  webhookRetryBaseMs: 20,
  webhookTimeoutMs: 500,
};

export function fastConfig(overrides: SimConfigInput = {}): SimConfigInput {
  return { ...overrides, timings: { ...FAST_TIMINGS, ...overrides.timings } };
}

/** A simulator on a free loopback port and a client of it that records every raw JSON answer. */
export async function startSimWithClient(options: SimulatorOptions = {}) {
  const sim = await startSimulator({ ...options, config: fastConfig(options.config) });
  const responses: ObservedResponse[] = [];
  const apiKey = options.apiKeys?.[0] ?? DEFAULT_SIM_API_KEY;
  const client = new ReplicasClient({ baseUrl: sim.url, apiKey, onResponse: (r) => responses.push(r) });
  const orgs = (await (await fetch(`${sim.url}/__sim/orgs`)).json()) as {
    organisations: { global_environment_id: string; environments: { id: string; name: string }[] }[];
  };
  const org = orgs.organisations[0];
  const environmentFor = (repository: string) => {
    const found = org?.environments.find((e) => e.name === repository);
    if (!found) throw new Error(`no environment for ${repository}`);
    return found.id;
  };
  return {
    sim,
    client,
    responses,
    environmentFor,
    orgs: orgs.organisations,
    async close() {
      await client.close();
      await sim.close();
    },
  };
}

export async function forceState(simUrl: string, replicaId: string, status: string, errorMessage?: string) {
  const res = await fetch(`${simUrl}/__sim/replicas/${replicaId}/state`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status, ...(errorMessage && { error_message: errorMessage }) }),
  });
  if (!res.ok) throw new Error(`forcing state failed: ${res.status}`);
}
