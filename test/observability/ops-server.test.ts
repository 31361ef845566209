import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsServer, type OpsServer, type Readiness } from '../../src/observability/ops-server';

describe("the worker's operations port", () => {
  let exporter: http.Server;
  let ops: OpsServer;
  let bare: OpsServer;
  let readiness: Readiness = { ready: false, checks: { workers: 'starting' } };
  let scrapes = 0;

  beforeAll(async () => {
    // Stands in for the SDK runtime's Prometheus exporter.
    exporter = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('temporal_num_pollers{poller_type="workflow_task"} 2\n');
    });
    await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
    const exporterUrl = `http://127.0.0.1:${(exporter.address() as AddressInfo).port}/metrics`;
    ops = createOpsServer({
      host: '127.0.0.1',
      port: 0,
      exporterUrl,
      beforeScrape: () => (scrapes += 1),
      readiness: async () => readiness,
    });
    bare = createOpsServer({ host: '127.0.0.1', port: 0, readiness: async () => readiness });
    await Promise.all([ops.listen(), bare.listen()]);
  });
  afterAll(async () => {
    await Promise.all([ops.close(), bare.close()]);
    await new Promise((resolve) => exporter.close(resolve));
  });

  it('serves the runtime exporter under /metrics, sampling first', async () => {
    const res = await fetch(`${ops.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('temporal_num_pollers');
    expect(scrapes).toBe(1);
  });

  it('answers /metrics with 503 and the reason when the runtime has no exporter', async () => {
    const res = await fetch(`${bare.url}/metrics`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'metrics unavailable' });
  });

  it('answers /healthz while the process runs, and /readyz only once ready', async () => {
    expect((await fetch(`${ops.url}/healthz`)).status).toBe(200);
    readiness = { ready: false, checks: { workers: 'RUNNING,RUNNING', temporal: 'unreachable' } };
    const notReady = await fetch(`${ops.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', checks: readiness.checks });
    readiness = { ready: true, checks: { workers: 'RUNNING,RUNNING', temporal: 'reachable' } };
    expect((await fetch(`${ops.url}/readyz`)).status).toBe(200);
  });

  it('refuses other paths and methods', async () => {
    expect((await fetch(`${ops.url}/nope`)).status).toBe(404);
    const post = await fetch(`${ops.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});
