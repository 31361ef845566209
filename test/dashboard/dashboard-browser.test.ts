import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignSchedule } from '../../src/campaign-client/schedules';
import { jobWorkflowId } from '../../src/contracts';
import { campaignSource, startDashboard, type Dashboard } from '../../src/dashboard/server';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import { chromiumPath } from '../cli/chromium';
import { harnessEnv, jsonOf, runCli } from '../cli/cli-child';
import { ProgressShape } from '../cli/json-shapes';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';
import { forceState } from '../support/simulator';
import { uniqueTaskQueue } from '../support/temporal';

/** Screenshots of every page, kept as test artefacts (git-ignored). */
const SHOTS = path.resolve(__dirname, '..', '..', 'artifacts', 'screenshots');
/** Agent output is untrusted: an error carrying markup must show as text and run nothing. */
const HOSTILE = 'sandbox exploded <img src=x onerror="window.__owned=1"><script>window.__owned=2</script>';

describe('the campaign dashboard in Chromium (real Temporal, simulator, ingress)', () => {
  const t = useJobHarness({
    webhooks: true,
    sim: { behaviour: { prProbability: 1 }, timings: { turnMs: 300 } },
  });
  const id = uniqueTaskQueue('dash');
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;
  const reads = { progress: 0, records: 0 };
  const html: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const source = campaignSource(t.env.client);
    dashboard = await startDashboard({
      client: t.env.client,
      replicas: t.h.client,
      port: 0,
      allowActions: true,
      // Counts what reaches Temporal, whatever the number of pages.
      source: {
        progress: (campaignId) => {
          if (campaignId === id) reads.progress += 1;
          return source.progress(campaignId);
        },
        records: (campaignId) => {
          if (campaignId === id) reads.records += 1;
          return source.records(campaignId);
        },
      },
    });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('response', async (response) => {
      if (response.headers()['content-type']?.startsWith('text/html')) html.push(await response.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const count = async (state: string) => Number(await page.textContent(`[data-count="${state}"]`));
  const statusJson = async () => {
    const run = await runCli(['campaign', 'status', id, '--json'], harnessEnv(t.h));
    expect(run.code, run.stderr).toBe(0);
    return ProgressShape.parse(jsonOf(run));
  };
  const countsOnPage = async () =>
    Object.fromEntries(
      await Promise.all(
        ['pending', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'].map(
          async (s) => [s, await count(s)] as const,
        ),
      ),
    );

  it('the campaign page: counts equal `campaign status --json`; an item finishing shows without a reload; many pages cost one read', async () => {
    // The first item's turn lasts until the test makes its workspace fail; the others wait (concurrency 1).
    let replicaId: string | undefined;
    await t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      await t.h.apply(
        {
          name: 'Upgrade the linter',
          job: { message: 'Upgrade the linter in {{repository}}' },
          items: t.h.items(5),
          concurrency: 1,
        },
        { id },
      );
      await eventually(async () => {
        replicaId = await t.env.client.workflow
          .getHandle(jobWorkflowId(id, 'item-0000'))
          .query(jobStateQuery)
          .then(
            (s) => s.replicaId,
            () => undefined,
          );
        return replicaId !== undefined;
      });
      await eventually(async () =>
        Boolean((await t.h.client.getReplica(replicaId as string)).replica.chats?.some((c) => c.processing)),
      );
      await t.h.settle(id, (p) => p.counts.running === 1);
    });

    await page.goto(`${dashboard.url}/campaigns/${id}`);
    const cli = await statusJson();
    expect(cli.counts).toMatchObject({ running: 1, pending: 4 });
    expect(await countsOnPage()).toEqual(cli.counts);
    expect(await page.textContent('[data-fact="done"]')).toBe(`0 of ${cli.total}`);
    await shot('campaign-running');

    // Four more pages watch the same campaign for a few seconds: reads stay at one per 2 s.
    const others = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const other = await browser.newPage();
        await other.goto(`${dashboard.url}/campaigns/${id}`);
        return other;
      }),
    );
    const before = { ...reads };
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // a window of time is what is measured
    const seconds = (Date.now() - started) / 1000;
    expect(reads.progress - before.progress).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);
    expect(dashboard.feeds.watched()[id]).toBe(5);
    await Promise.all(others.map((o) => o.close()));

    // The page is marked; a reload would lose the mark.
    await page.evaluate('window.__mark = 1');
    await forceState(t.h.sim.url, replicaId as string, 'error', HOSTILE);
    await page.waitForSelector('tr[data-key="item-0000"][data-state="failed"]', { timeout: 20_000 });
    await t.h.settle(id, (p) => p.counts.pending + p.counts.running === 0);
    await page.locator('[data-count="succeeded"]', { hasText: /^4$/ }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate('window.__mark')).toBe(1);
    const done = await statusJson();
    expect(await countsOnPage()).toEqual(done.counts);
    expect(done.counts).toMatchObject({ succeeded: 4, failed: 1 });
    // The hostile error is text in the table, and ran nothing.
    expect(await page.textContent('tr[data-key="item-0000"] .note')).toContain('<img src=x');
    expect(await page.$('tr[data-key="item-0000"] img')).toBeNull();
    expect(await page.evaluate('window.__owned')).toBeUndefined();
    await shot('campaign');
  }, 180_000);

  it('a filter narrows the table; the search and sort are done on the server', async () => {
    await page.goto(`${dashboard.url}/campaigns/${id}`);
    expect(await page.locator('table.items tbody tr').count()).toBe(5);
    await page.selectOption('select[name="state"]', 'failed');
    await Promise.all([page.waitForURL(/state=failed/), page.click('form.filters button[type="submit"]')]);
    const keys = await page
      .locator('table.items tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(keys).toEqual(['item-0000']);
    expect(await page.textContent('.table-count')).toContain('1 of 5 items match');
    await page.goto(`${dashboard.url}/campaigns/${id}?q=item-0003`);
    expect(
      await page
        .locator('table.items tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key'))),
    ).toEqual(['item-0003']);
    await page.goto(`${dashboard.url}/campaigns/${id}?sort=key&order=desc`);
    expect(await page.locator('table.items tbody tr').first().getAttribute('data-key')).toBe('item-0004');
    // A bad filter is named, with what it accepts.
    const bad = await page.goto(`${dashboard.url}/campaigns/${id}?state=broken`);
    expect(bad?.status()).toBe(400);
    expect(await page.textContent('main')).toContain('state must be one of pending, running');
  }, 60_000);

  it('an item page: its timeline, error with what to do, kept workspace, and agent output as text', async () => {
    await page.goto(`${dashboard.url}/campaigns/${id}/item?key=item-0000`);
    expect(await page.textContent('pre.error')).toContain(HOSTILE);
    expect(await page.$('pre.error img')).toBeNull();
    expect(await page.textContent('.advice')).toContain(`replica-fleet campaign retry-failed ${id}`);
    expect(await page.textContent('[data-fact="workspace"]')).toContain('kept for inspection');
    await shot('item-failed');
    await page.goto(`${dashboard.url}/campaigns/${id}/item?key=item-0001`);
    expect(await page.textContent('[data-pr]')).toMatch(/https:\/\/github\.com\/acme\/api\/pull\/\d+/);
    await shot('item');
  }, 60_000);

  it('an action asks for confirmation, says to how many items, and then takes effect', async () => {
    await page.goto(`${dashboard.url}/campaigns/${id}`);
    await Promise.all([
      page.waitForURL(/actions\/retry-failed$/),
      page.click('a[data-action="retry-failed"]'),
    ]);
    expect(await page.textContent('[data-consequence]')).toMatch(/^1 item \(failed or timed out\) run again/);
    await shot('confirm');
    // Nothing has happened yet: the confirmation page changed nothing.
    expect((await t.h.records(id)).find((r) => r.key === 'item-0000')?.attempt).toBe(1);
    await Promise.all([
      page.waitForURL(new RegExp(`/campaigns/${id}\\?done=`)),
      page.click('form.confirm button[type="submit"]'),
    ]);
    expect(await page.textContent('.notice')).toContain('1 item queued again');
    await eventually(async () => (await t.h.records(id)).find((r) => r.key === 'item-0000')?.attempt === 2);
    await page.waitForSelector('tr[data-key="item-0000"][data-state="succeeded"]', { timeout: 30_000 });
  }, 90_000);

  it('the campaigns and schedules pages; no secret reaches any page; security headers on every answer', async () => {
    const scheduleId = uniqueTaskQueue('dash-schedule');
    const schedule = await createCampaignSchedule(t.env.client, {
      scheduleId,
      spec: { name: 'Nightly lint', job: { message: 'lint' }, items: t.h.items(1) },
      taskQueue: t.h.taskQueue,
      cron: ['0 2 * * *'],
    });
    try {
      const response = await page.goto(`${dashboard.url}/?prefix=${encodeURIComponent(id)}`);
      expect(await page.locator(`tr[data-campaign="${id}"]`).count()).toBe(1);
      await shot('campaigns');
      const headers = response?.headers() ?? {};
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options']).toBe('DENY');
      await page.goto(`${dashboard.url}/schedules`);
      expect(await page.textContent(`tr[data-schedule="${scheduleId}"]`)).toContain('0 2 * * *');
      await shot('schedules');
    } finally {
      await schedule.delete();
    }
    const secrets = [
      DEFAULT_SIM_API_KEY,
      t.h.githubEnv.GITHUB_TOKEN,
      t.h.githubEnv.GITHUB_WEBHOOK_SECRET,
      t.h.masterSecret,
    ];
    expect(html.length).toBeGreaterThan(8);
    for (const body of html) for (const secret of secrets) expect(body).not.toContain(secret);
  }, 60_000);
});
