import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface LoopbackGitHub {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

let delivered = 0;

/**
 * A loopback HTTP server answering as `handler` says, with the headers every GitHub answer carries
 * (rate-limit figures, a request id): enough to drive the real Octokit transport, its plugins included.
 */
export async function startLoopbackGitHub(
  handler: (request: RecordedRequest) => Reply | Promise<Reply>,
): Promise<LoopbackGitHub> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      requests.push(request);
      void Promise.resolve(handler(request)).then((reply) => {
        res.writeHead(reply.status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'x-ratelimit-used': '1',
          'x-ratelimit-resource': 'core',
          'x-github-request-id': `CAFE:${++delivered}`,
          ...reply.headers,
        });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GitHub's error body: `{ message, documentation_url }`. */
export const githubError = (
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  body: { message, documentation_url: 'https://docs.github.com/rest' },
  headers,
});
