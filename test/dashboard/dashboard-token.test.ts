import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server';
import { chromiumPath } from '../cli/chromium';
import { connectToDevServer } from '../support/temporal';

const SHOTS = path.resolve(__dirname, '..', '..', 'artifacts', 'screenshots');
const TOKEN = 'd2c4f6a8b0e1d3c5f7a9b1c3d5e7f9a0';

/** Every kind of page and answer the dashboard has, as a browser or a script would ask for them. */
const PATHS = [
  '/',
  '/fragments',
  '/schedules',
  '/schedules/fragments',
  '/campaigns/any',
  '/campaigns/any/fragments',
  '/campaigns/any/live',
  '/campaigns/any/item?key=k',
  '/campaigns/any/item/fragments?key=k',
  '/campaigns/any/actions/pause',
];

describe('the dashboard exposed beyond loopback: the token guards every page', () => {
  let env: TestWorkflowEnvironment;
  let exposed: Dashboard;
  let loopback: Dashboard;
  let browser: Browser;

  beforeAll(async () => {
    env = await connectToDevServer();
    // Tests bind loopback only: `exposed` tells the server it is reachable from elsewhere.
    exposed = await startDashboard({
      client: env.client,
      port: 0,
      token: TOKEN,
      exposed: true,
      allowActions: true,
    });
    loopback = await startDashboard({ client: env.client, port: 0 });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await exposed?.close();
    await loopback?.close();
    await env?.teardown();
  });

  it('refuses to start exposed without a token, naming REPLICA_FLEET_UI_TOKEN', async () => {
    await expect(startDashboard({ client: env.client, port: 0, exposed: true })).rejects.toThrow(
      /set REPLICA_FLEET_UI_TOKEN/,
    );
  });

  it('without the token every page and answer is refused (401), with a wrong one too; the bearer token opens them', async () => {
    for (const p of PATHS) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-of-the-same-length!' }] as Record<
        string,
        string
      >[]) {
        const response = await fetch(`${exposed.url}${p}`, { headers });
        expect(response.status, `${p} ${JSON.stringify(headers)}`).toBe(401);
        expect(await response.text()).not.toMatch(/campaign|<table/i);
      }
      const post = await fetch(`${exposed.url}${p}`, { method: 'POST' });
      expect(post.status, `POST ${p}`).toBe(401);
    }
    const allowed = await fetch(`${exposed.url}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('<h1>Campaigns</h1>');
    // The page's own files are public: they hold no data.
    expect((await fetch(`${exposed.url}/assets/dashboard.css`)).status).toBe(200);
  });

  it('a browser gets the sign-in form, signs in with the token (HttpOnly, SameSite=Strict), and only then sees the page', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const page = await browser.newPage();
    const first = await page.goto(`${exposed.url}/schedules`);
    expect(first?.status()).toBe(401);
    expect(await page.$('input[name="token"]')).not.toBeNull();
    expect(await page.$('table')).toBeNull();
    await page.screenshot({ path: path.join(SHOTS, 'sign-in.png') });
    await page.fill('input[name="token"]', 'not the token');
    await page.click('form.confirm button[type="submit"]');
    expect(await page.textContent('[role="alert"]')).toContain('That is not the token.');
    await page.fill('input[name="token"]', TOKEN);
    await Promise.all([page.waitForURL(/\/schedules$/), page.click('form.confirm button[type="submit"]')]);
    expect(await page.textContent('h1')).toBe('Schedules');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'rf_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(TOKEN);

    // With the session cookie, a POST from another origin, or without the form token, is refused.
    const cookieHeader = `rf_session=${cookie?.value}`;
    const foreign = await fetch(`${exposed.url}/campaigns/any/actions/pause`, {
      method: 'POST',
      headers: {
        cookie: cookieHeader,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'csrf=x',
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('another origin (http://evil.example)');
    const tokenless = await fetch(`${exposed.url}/campaigns/any/actions/pause`, {
      method: 'POST',
      headers: { cookie: cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=forged',
    });
    expect(tokenless.status).toBe(403);
    expect(await tokenless.text()).toContain('the form is stale or from elsewhere');
    await page.close();
  });

  it('a loopback dashboard refuses a request addressed to another name (DNS rebinding)', async () => {
    const { port } = new URL(loopback.url);
    // fetch() sets Host from the URL; a rebound name reaches the server as the Host header.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', headers: { host: `attacker.example:${port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
        .on('error', reject);
    });
    expect(status).toBe(403);
    expect((await fetch(`${loopback.url}/`)).status).toBe(200);
  });
});
