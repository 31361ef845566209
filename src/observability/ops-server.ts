import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  ready: boolean;
  /** One word or sentence per check, e.g. `{ workers: 'RUNNING', temporal: 'reachable' }`. */
  checks: Record<string, string>;
}

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port; read it from `url` after `listen()`. */
  port: number;
  /** The SDK runtime's own exporter, served as is under `/metrics`; absent, `/metrics` answers 503. */
  exporterUrl?: string;
  /** Called before each scrape, to sample values that only exist at read time (memory). */
  beforeScrape?: () => void;
  readiness(): Promise<Readiness>;
}

export interface OpsServer {
  readonly url: string;
  listen(): Promise<void>;
  close(): Promise<void>;
}

const SCRAPE_TIMEOUT_MS = 5_000;

/**
 * The worker's one operations port: `/metrics` (the SDK runtime's Prometheus text: its series and
 * ours, recorded through its meter), `/healthz` (the process answers) and `/readyz` (the workers run
 * and Temporal answers; load balancers and orchestrators gate on it).
 */
export function createOpsServer(options: OpsServerOptions): OpsServer {
  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/metrics': metrics,
    '/healthz': (res) => json(res, 200, { status: 'ok' }),
    '/readyz': ready,
  };
  const server = http.createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('?', 1)[0] ?? ''];
    if (!route) return json(res, 404, { error: 'not found', details: 'Try /metrics, /healthz or /readyz.' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return json(res, 405, { error: 'method not allowed', details: 'Use GET.' }, { Allow: 'GET' });
    }
    Promise.resolve()
      .then(() => route(res))
      .catch(() => {
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });

  async function metrics(res: ServerResponse): Promise<void> {
    if (!options.exporterUrl) {
      return json(res, 503, {
        error: 'metrics unavailable',
        details: 'The Temporal SDK runtime of this process was installed without its Prometheus exporter.',
      });
    }
    options.beforeScrape?.();
    try {
      const answer = await fetch(options.exporterUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
      const body = await answer.text();
      res.writeHead(answer.status, {
        'Content-Type': answer.headers.get('content-type') ?? 'text/plain; version=0.0.4',
      });
      res.end(body);
    } catch {
      json(res, 503, { error: 'metrics unavailable', details: 'The SDK metrics exporter did not answer.' });
    }
  }

  async function ready(res: ServerResponse): Promise<void> {
    const { ready, checks } = await options.readiness();
    json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
  }

  let port = options.port;
  const host = options.host;
  return {
    get url() {
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          port = (server.address() as AddressInfo).port;
          resolve();
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
