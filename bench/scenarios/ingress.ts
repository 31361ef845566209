import { request } from 'undici';
import { signBody } from '../../src/replicas';
import { deriveWebhookSecret } from '../../src/webhooks/callback-targets';
import { startBenchJob, startBenchStack } from '../harness';
import type { Figures } from './jobs';

/** Ingress: signed deliveries to one running job, sequential, with latency percentiles. */
export async function ingressLatency(deliveries: number): Promise<Figures> {
  const stack = await startBenchStack({ timings: { provisionMs: 50, turnMs: 600_000 } });
  try {
    const handle = await startBenchJob(stack, 'ingress');
    const workflowId = handle.workflowId;
    const secret = deriveWebhookSecret(stack.masterSecret, workflowId);
    const url = `${stack.ingress.url}/webhooks/replicas/${encodeURIComponent(workflowId)}`;
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < deliveries; i += 1) {
      const body = JSON.stringify({ id: `evt_${i}`, type: 'replica.progress', replica_id: 'r', data: { i } });
      const t0 = performance.now();
      const res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-replicas-event': 'replica.progress',
          'x-replicas-event-id': `evt_${i}`,
          'x-replicas-replica-id': 'r',
          'x-replicas-signature': signBody(secret, body),
        },
        body,
      });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`delivery ${i} answered ${res.statusCode}`);
      latencies.push(performance.now() - t0);
    }
    const wallMs = performance.now() - started;
    await handle.cancel();
    await handle.result();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 10) / 10;
    return {
      deliveries,
      p50Ms: pct(0.5),
      p95Ms: pct(0.95),
      p99Ms: pct(0.99),
      perSecond: Math.round((deliveries / wallMs) * 1000),
    };
  } finally {
    await stack.close();
  }
}
