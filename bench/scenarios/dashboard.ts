import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { applyCampaign } from '../../src/campaign-client/apply';
import { controlCampaign } from '../../src/campaign-client/controls';
import { waitForCampaign } from '../../src/campaign-client/reads';
import { campaignSource, startDashboard } from '../../src/dashboard/server';
import { startBenchStack } from '../harness';
import { percentile } from '../percentile';
import { round } from '../process-usage';
import type { Figures } from './jobs';

const ITEMS = 10_000;
const PAGES = 20;
const WATCH_MS = 60_000;
/** Turns long enough that the campaign runs all through the minute watched. */
const SIM = { timings: { provisionMs: 20, turnMs: 2_000 }, behaviour: { prProbability: 1 } };

/** Debian's chromium, which scripts/setup.sh installs (never a browser download). */
function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** A connection that counts the gRPC calls it makes, by method (QueryWorkflow, DescribeWorkflowExecution…). */
async function countingClient(address: string) {
  const calls: Record<string, number> = {};
  const count: Interceptor = (options, nextCall) => {
    const method = String(options.method_definition.path).split('/').at(-1) ?? '?';
    calls[method] = (calls[method] ?? 0) + 1;
    return new InterceptingCall(nextCall(options));
  };
  const connection = await Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), count],
  });
  return { client: new Client({ connection }), calls, connection };
}

/** First contentful paint of a fresh browser context (nothing cached), and the bytes it took. */
async function firstPaint(browser: Browser, url: string): Promise<{ paintMs: number; bytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const sizes: Promise<number>[] = [];
  page.on('requestfinished', (request) =>
    sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)),
  );
  await page.goto(url, { waitUntil: 'load' });
  const paintMs = await page.evaluate(
    () =>
      (performance.getEntriesByName('first-contentful-paint')[0] as { startTime: number } | undefined)
        ?.startTime ?? Number.NaN,
  );
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  await context.close();
  return { paintMs, bytes };
}

/**
 * The dashboard on a 10,000-item campaign: first paint of its page with the stack idle (the campaign
 * waits at its canary's approval gate), the page's weight, then the Temporal calls a minute costs with
 * 20 pages open on it while it runs, counted at the dashboard's gRPC connection.
 */
export async function dashboardScenario(): Promise<Figures> {
  const stack = await startBenchStack(SIM);
  const counted = await countingClient((stack.client.connection as Connection).options.address);
  // Reads as the dashboard asks for them (each costs one query or more), beside the calls counted above.
  const reads = { progress: 0, records: 0 };
  const source = campaignSource(counted.client);
  const dashboard = await startDashboard({
    client: counted.client,
    port: 0,
    source: {
      progress: (id) => ((reads.progress += 1), source.progress(id)),
      records: (id) => ((reads.records += 1), source.records(id)),
    },
  });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  const pages: Page[] = [];
  try {
    const repositories = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs'].map((r) => [
      r,
      stack.environmentFor(r),
    ]);
    const campaignId = `bench-dashboard-${ITEMS}`;
    await applyCampaign(
      stack.client,
      {
        name: 'Dashboard benchmark',
        job: { message: 'rename the logger in {{repository}}' },
        items: Array.from({ length: ITEMS }, (_, i) => {
          const [repository, environmentId] = repositories[i % repositories.length] as [string, string];
          return { key: `item-${String(i).padStart(5, '0')}`, environmentId, repository };
        }),
        concurrency: 20,
        rollout: { canary: 10, approval: true },
      },
      { campaignId, taskQueue: stack.config.taskQueue, apiTaskQueue: stack.config.apiTaskQueue },
    );
    await waitForCampaign(stack.client, campaignId, (p) => p.state === 'awaiting_approval', 500);
    const url = `${dashboard.url}/campaigns/${campaignId}`;

    // Idle: the first viewer reads every record (cold), later ones are served from the shared reads.
    const cold = await firstPaint(browser, url);
    const warm: number[] = [];
    let bytes = cold.bytes;
    for (let i = 0; i < 5; i += 1) {
      const paint = await firstPaint(browser, url);
      warm.push(paint.paintMs);
      bytes = paint.bytes;
    }

    // Running: 20 pages follow the campaign for a minute.
    await controlCampaign(stack.client, campaignId, 'approve');
    for (let i = 0; i < PAGES; i += 1) {
      const page = await browser.newPage();
      await page.goto(url);
      pages.push(page);
    }
    const before = { ...counted.calls };
    const readsBefore = { ...reads };
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
    const minutes = (Date.now() - started) / 60_000;
    const delta = (method: string) => ((counted.calls[method] ?? 0) - (before[method] ?? 0)) / minutes;
    const progress = await controlCampaign(stack.client, campaignId, 'pause');
    return {
      items: ITEMS,
      shards: progress.shards,
      firstPaintColdMs: round(cold.paintMs, 0),
      firstPaintP50Ms: round(
        percentile(
          [...warm].sort((a, b) => a - b),
          0.5,
        ),
        0,
      ),
      firstPaintMaxMs: round(Math.max(...warm), 0),
      pageWeightKB: round(bytes / 1024, 1),
      openPages: PAGES,
      itemsDoneWhileWatched: progress.counts.succeeded,
      queriesPerMinute: round(delta('QueryWorkflow'), 1),
      progressReadsPerMinute: round((reads.progress - readsBefore.progress) / minutes, 1),
      recordsReadsPerMinute: round((reads.records - readsBefore.records) / minutes, 1),
      describesPerMinute: round(delta('DescribeWorkflowExecution'), 1),
      temporalCallsPerMinute: round(
        Object.keys(counted.calls).reduce((sum, method) => sum + delta(method), 0),
        1,
      ),
    };
  } finally {
    for (const page of pages) await page.close().catch(() => undefined);
    await browser.close();
    await dashboard.close();
    await counted.connection.close();
    await stack.close();
  }
}
