import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { signBody } from '../src/replicas';
import { deriveWebhookSecret } from '../src/webhooks/callback-targets';
import { applyCampaign } from '../src/campaign/apply';
import { waitForCampaign } from '../src/campaign/reads';
import { apiCalls, historyCounts, startBenchJob, startBenchStack } from './harness';

type Figures = Record<string, number | string>;

/** Polling cost of one job: the long-poll activity against a timer plus an activity per look. */
async function pollingCost(): Promise<Figures> {
  const turnMs = 6000;
  const pollIntervalMs = 250;
  const stack = await startBenchStack({ timings: { provisionMs: 100, turnMs } });
  try {
    const handle = await startBenchJob(stack, 'polling', { webhooks: false, pollIntervalMs });
    await handle.result();
    const workflowId = handle.workflowId;
    const history = await historyCounts(stack.client, workflowId);
    const gets = stack.simulator.stats().requests['GET /v1/replica/:id'] ?? {};
    const looks = Object.values(gets).reduce((a, b) => a + b, 0);
    // The alternative schedules one timer and one activity per look (2 actions, ~5 history events).
    return {
      turnMs,
      pollIntervalMs,
      apiGets: looks,
      longPollActivities: history.activities,
      longPollTimers: history.timers,
      longPollHistoryEvents: history.events,
      timerPlusActivityActionsForSameLooks: 2 * looks + (history.activities - 1),
      timerPlusActivityHistoryEventsEstimate: history.events + 5 * looks - 6,
    };
  } finally {
    await stack.close();
  }
}

/** API calls and history of one job on the webhook happy path. */
async function webhookHappyPath(): Promise<Figures> {
  const stack = await startBenchStack({
    timings: { provisionMs: 100, turnMs: 1000 },
    behaviour: { prProbability: 1 },
  });
  try {
    const started = performance.now();
    const handle = await startBenchJob(stack, 'webhook');
    const result = await handle.result();
    const workflowId = handle.workflowId;
    const history = await historyCounts(stack.client, workflowId);
    return {
      state: result.state,
      apiCalls: apiCalls(stack),
      activities: history.activities,
      timers: history.timers,
      signals: history.signals,
      historyEvents: history.events,
      wallMs: Math.round(performance.now() - started),
    };
  } finally {
    await stack.close();
  }
}

/** A campaign of N items: throughput, API calls per item, peak live replicas, history per run. */
async function campaignThroughput(items: number, concurrency: number): Promise<Figures> {
  const stack = await startBenchStack({
    timings: { provisionMs: 50, turnMs: 200 },
    behaviour: { prProbability: 1 },
  });
  try {
    const environmentId = stack.environmentFor('acme/api');
    const campaignId = `bench-campaign-${items}`;
    const started = performance.now();
    await applyCampaign(
      stack.client,
      {
        job: { message: 'x' },
        items: Array.from({ length: items }, (_, i) => ({
          key: `i${i}`,
          environmentId,
          repository: 'acme/api',
        })),
        concurrency,
      },
      { campaignId, taskQueue: stack.config.taskQueue, apiTaskQueue: stack.config.apiTaskQueue },
    );
    const progress = await waitForCampaign(stack.client, campaignId, undefined, 250);
    const wallMs = performance.now() - started;
    const stats = stack.simulator.stats();
    return {
      items,
      concurrency,
      succeeded: progress.counts.succeeded,
      shards: progress.shards,
      wallMs: Math.round(wallMs),
      itemsPerSecond: Math.round((items / wallMs) * 1000 * 10) / 10,
      apiCallsPerItem: Math.round((apiCalls(stack) / items) * 100) / 100,
      peakLiveReplicas: stats.peakLiveReplicas,
      duplicateNames: stats.duplicateNames,
      webhooksDelivered: stats.webhooks.delivered,
    };
  } finally {
    await stack.close();
  }
}

/** Ingress: signed deliveries to one running job, sequential, with latency percentiles. */
async function ingressLatency(deliveries: number): Promise<Figures> {
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

async function main(): Promise<void> {
  const results: Record<string, Figures> = {};
  const run = async (name: string, fn: () => Promise<Figures>) => {
    process.stdout.write(`bench ${name} … `);
    results[name] = await fn();
    console.log(JSON.stringify(results[name]));
  };
  await run('polling-cost', pollingCost);
  await run('webhook-happy-path', webhookHappyPath);
  await run('campaign-200x20', () => campaignThroughput(200, 20));
  await run('campaign-1000x100', () => campaignThroughput(1000, 100));
  await run('ingress-1000', () => ingressLatency(1000));
  const out = path.join(__dirname, '..', '..', 'bench', 'results', 'latest.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
  );
  console.log(`figures saved to ${path.relative(process.cwd(), out)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
