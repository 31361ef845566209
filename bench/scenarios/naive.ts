import { setTimeout as delay } from 'node:timers/promises';
import { ReplicasClient } from '../../src/replicas';
import { DEFAULT_SIM_API_KEY, startSimulator } from '../../src/simulator';
import { round } from '../process-usage';
import { FAST_TURNS } from './campaign';
import type { Figures } from './jobs';

/**
 * What a user would write instead of replica-fleet: a concurrency-limited loop of promises that
 * creates a replica, polls it every few seconds until the turn is over, and deletes it. No
 * durability: a crash loses every item in flight. Same simulator settings as the campaign run.
 */
export async function naiveScenario(items: number, concurrency: number, pollMs = 2000): Promise<Figures> {
  const sim = await startSimulator({ config: FAST_TURNS });
  const client = new ReplicasClient({
    baseUrl: sim.url,
    apiKey: DEFAULT_SIM_API_KEY,
    connections: concurrency,
  });
  const environmentId = sim.environmentFor('acme/api');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let succeeded = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < items; i = next++) {
          const { replica } = await client.createReplica({
            name: `naive-${i}`,
            message: 'x',
            environment_id: environmentId,
          });
          for (;;) {
            await delay(pollMs);
            const { replica: now } = await client.getReplica(replica.id);
            const chats = now.chats ?? [];
            if (now.status === 'error' || (chats.length > 0 && !chats.some((c) => c.processing))) break;
          }
          await client.deleteReplica(replica.id);
          succeeded += 1;
        }
      }),
    );
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const calls = Object.values(sim.stats().requests).reduce(
      (n, byStatus) => n + Object.values(byStatus).reduce((a, b) => a + b, 0),
      0,
    );
    return {
      items,
      concurrency,
      pollSeconds: pollMs / 1000,
      succeeded,
      wallSeconds: round(wallMs / 1000),
      itemsPerSecond: round((items / wallMs) * 1000),
      apiCallsPerItem: round(calls / items, 2),
      cpuMsPerItem: round((cpu.user + cpu.system) / 1000 / items),
    };
  } finally {
    await client.close();
    await sim.close();
  }
}
