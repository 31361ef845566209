import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { request } from 'undici';
import { signBody } from '../../src/replicas';
import { deriveWebhookSecret } from '../../src/webhooks/callback-targets';
import { startBenchJob, startBenchStack } from '../harness';
import { percentile } from '../percentile';
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
    // An event type jobs act on, so each delivery is verified, normalised and signalled (the job drops
    // it: the replica id is not its own, and its turn runs for ten minutes).
    for (let i = 0; i < deliveries; i += 1) {
      const type = 'replica.turn_completed';
      const body = JSON.stringify({ id: `evt_${i}`, type, replica_id: 'r', data: { i } });
      const t0 = performance.now();
      const res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-replicas-event': type,
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
    // A cancelled job ends cancelled; anything else is a failure of the benchmark.
    await handle.result().catch((error: unknown) => {
      if (!(error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure)) throw error;
    });
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => percentile(latencies, p);
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
