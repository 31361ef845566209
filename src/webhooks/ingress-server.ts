import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  JOB_EVENT_TYPES,
  TASK_QUEUES,
  asRecord,
  normaliseReplicaEvent,
  type ReplicaEvent,
  type WebhookVerdict,
} from '../contracts';
import { verifySignature } from '../replicas';
import { logger } from '../observability/logger';
import { replicaEventSignal } from '../workflows/replica-job/messages';
import {
  createIngressMetrics,
  METRICS_CONTENT_TYPE,
  type IngressMetrics,
  type IngressOutcome,
} from './ingress-metrics';
import { deriveWebhookSecret, WEBHOOK_PATH_PREFIX } from './callback-targets';
import { createGitHubDeliveries } from './github-deliveries';

/** Where GitHub delivers the campaign's pull-request events. */
export const GITHUB_PATH = '/github';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_SIGNAL_TIMEOUT_MS = 5_000;
const HEALTH_TIMEOUT_MS = 2_000;
/** Seconds the platform should wait before redelivering after a 503. */
const RETRY_AFTER_SECONDS = '5';

/** Headers every delivery must carry, in the order they are checked. */
const REQUIRED_HEADERS = ['X-Replicas-Event', 'X-Replicas-Event-Id', 'X-Replicas-Replica-Id'] as const;

export interface IngressServerOptions {
  /** Only `workflow`, `connection` and `withDeadline` are used. */
  client: Pick<Client, 'workflow' | 'connection' | 'withDeadline'>;
  masterSecret: string;
  maxBodyBytes?: number;
  signalTimeoutMs?: number;
  host?: string;
  /** 0 (the default) picks a free port; read it from `port` after `listen()`. */
  port?: number;
  /**
   * Verifies GitHub's deliveries to `POST /github` (the code host's adapter, with GITHUB_WEBHOOK_SECRET);
   * without it that path answers 404.
   */
  verifyGitHub?: (
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: Uint8Array,
  ) => Promise<WebhookVerdict>;
  /** The workflow task queue whose shards GitHub deliveries are routed to (default `replica-fleet`). */
  taskQueue?: string;
  /** Where failures are reported (default: the process logger); never given secrets, headers or bodies. */
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface IngressServer {
  readonly url: string;
  readonly port: number;
  readonly metrics: IngressMetrics;
  listen(): Promise<void>;
  /**
   * Stops accepting connections, lets in-flight requests finish and waits for Temporal calls that
   * outlived their timeout, so the caller may then close the Temporal connection.
   */
  close(): Promise<void>;
}

class TemporalTimeoutError extends Error {
  override name = 'TemporalTimeoutError';
}

interface Reply {
  status: number;
  outcome: IngressOutcome;
  body: unknown;
  headers?: Record<string, string>;
}

const fail = (status: number, outcome: IngressOutcome, error: string, details: string): Reply => ({
  status,
  outcome,
  body: { error, details },
});

export function createIngressServer(options: IngressServerOptions): IngressServer {
  const { client, masterSecret } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const signalTimeoutMs = options.signalTimeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? logger('webhooks').warn;
  const metrics = createIngressMetrics();
  const deliverGitHub = options.verifyGitHub
    ? createGitHubDeliveries({
        client,
        verify: options.verifyGitHub,
        signalTimeoutMs,
        taskQueue: options.taskQueue ?? TASK_QUEUES.workflows,
        log,
      })
    : undefined;

  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const pendingCalls = new Set<Promise<void>>();

  /**
   * After a timeout the HTTP answer goes out, but the SDK's gRPC retry timer can still fire; on a
   * closed connection it throws from a timer, so close() waits for these to settle.
   */
  function track<T>(call: Promise<T>): Promise<T> {
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    pendingCalls.add(settled);
    void settled.then(() => pendingCalls.delete(settled));
    return call;
  }

  const server = http.createServer((req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
    handle(req, res).catch((error: unknown) => {
      // A client that hung up mid-body is routine, not worth a log line.
      if (req.socket.destroyed) return;
      log('unexpected error', { error: errorMessage(error) });
      if (res.headersSent) res.destroy();
      else send(res, unavailable('internal error'));
    });
  });
  // Deliveries are small; a client still trickling one after 30 s would otherwise hold close() open.
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname = '';
    try {
      pathname = new URL(req.url ?? '/', 'http://ingress').pathname;
    } catch {
      // An unparseable target falls through to 404.
    }
    if (pathname === '/healthz' || pathname === '/metrics') {
      if (req.method !== 'GET') return send(res, methodNotAllowed('GET'));
      if (pathname === '/metrics')
        return write(res, 200, { 'Content-Type': METRICS_CONTENT_TYPE }, metrics.render());
      const healthy = await temporalAnswers();
      const body = healthy ? { status: 'ok' } : { status: 'unavailable', details: unreachable };
      return write(res, healthy ? 200 : 503, { 'Content-Type': 'application/json' }, JSON.stringify(body));
    }
    if (pathname === GITHUB_PATH && deliverGitHub) {
      if (req.method !== 'POST') return send(res, methodNotAllowed('POST'));
      const body = await readBody(req, maxBodyBytes);
      if (body === 'too_large')
        return send(res, {
          ...fail(413, 'too_large', 'body too large', `Deliveries are limited to ${maxBodyBytes} bytes.`),
          headers: { Connection: 'close' },
        });
      return send(res, await track(deliverGitHub(req.headers, body)));
    }
    const encodedId = pathname.startsWith(WEBHOOK_PATH_PREFIX)
      ? pathname.slice(WEBHOOK_PATH_PREFIX.length)
      : '';
    if (!encodedId || encodedId.includes('/')) return send(res, notFound);
    if (req.method !== 'POST') return send(res, methodNotAllowed('POST'));
    send(res, await deliver(req, encodedId));
  }

  async function deliver(req: IncomingMessage, encodedId: string): Promise<Reply> {
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too_large') {
      return {
        ...fail(413, 'too_large', 'body too large', `Deliveries are limited to ${maxBodyBytes} bytes.`),
        headers: { Connection: 'close' },
      };
    }
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      return fail(
        415,
        'unsupported_media_type',
        'unsupported content type',
        'Send the event as JSON with Content-Type: application/json.',
      );
    }
    const headers: string[] = [];
    for (const name of REQUIRED_HEADERS) {
      const value = req.headers[name.toLowerCase()];
      if (typeof value !== 'string' || value === '') {
        return fail(400, 'bad_request', `missing ${name} header`, `Set the ${name} header on the delivery.`);
      }
      headers.push(value);
    }
    const [type = '', eventId = '', replicaId = ''] = headers;
    let workflowId: string;
    try {
      workflowId = decodeURIComponent(encodedId);
    } catch {
      return fail(400, 'bad_request', 'malformed workflow id', 'Percent-encode the workflow id in the path.');
    }
    // Checked over the raw bytes: re-serialising parsed JSON would not reproduce what was signed.
    const signature = req.headers['x-replicas-signature'];
    if (!verifySignature(deriveWebhookSecret(masterSecret, workflowId), body, firstValue(signature))) {
      return fail(
        401,
        'unauthorized',
        signature === undefined ? 'missing X-Replicas-Signature header' : 'invalid signature',
        "Sign the raw body as sha256=<hex HMAC-SHA256> with this workflow's webhook secret.",
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      return fail(400, 'bad_request', 'body is not valid JSON', 'Send a UTF-8 JSON document as the body.');
    }
    // The signature covers the body only: a replayed body with rewritten headers must not pass.
    const mismatch = headerBodyMismatch(payload, { type, eventId, replicaId });
    if (mismatch) {
      return fail(
        400,
        'bad_request',
        `${mismatch} header does not match the signed body`,
        'Send the headers the platform set.',
      );
    }
    // Verified, but not an event a job acts on: acknowledged, so the platform does not redeliver it.
    if (!JOB_EVENT_TYPES.includes(type))
      return { status: 200, outcome: 'ignored', body: { ok: true, ignored: true } };
    return signal(workflowId, normaliseReplicaEvent({ eventId, type, replicaId }, payload));
  }

  async function signal(workflowId: string, event: ReplicaEvent): Promise<Reply> {
    const started = process.hrtime.bigint();
    try {
      await withTimeout(
        track(
          client.withDeadline(Date.now() + signalTimeoutMs, () =>
            client.workflow.getHandle(workflowId).signal(replicaEventSignal, event),
          ),
        ),
        signalTimeoutMs,
      );
      return { status: 200, outcome: 'signalled', body: { ok: true } };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        // 410 tells the platform that redelivering is pointless.
        return fail(410, 'gone', 'workflow not found or closed', 'Stop delivering events for this workflow.');
      }
      log('signalling the workflow failed', { workflowId, error: errorMessage(error) });
      return unavailable('Temporal unavailable');
    } finally {
      metrics.observeSignalSeconds(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async function temporalAnswers(): Promise<boolean> {
    const connection = client.connection;
    try {
      await withTimeout(
        track(
          connection.withDeadline(Date.now() + HEALTH_TIMEOUT_MS, () =>
            connection.workflowService.getSystemInfo({}),
          ),
        ),
        HEALTH_TIMEOUT_MS,
      );
      return true;
    } catch {
      return false;
    }
  }

  function send(res: ServerResponse, reply: Reply): void {
    metrics.countRequest(reply.outcome);
    write(
      res,
      reply.status,
      { 'Content-Type': 'application/json', ...reply.headers },
      JSON.stringify(reply.body),
    );
  }

  function write(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    // Keep-alive would hold a draining server open until the idle timeout.
    if (closing) res.shouldKeepAlive = false;
    res.writeHead(status, headers);
    res.end(body);
  }

  let boundPort = options.port ?? 0;
  let closePromise: Promise<void> | undefined;
  return {
    metrics,
    get port() {
      return boundPort;
    },
    get url() {
      return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(boundPort, host, () => {
          server.off('error', reject);
          boundPort = (server.address() as AddressInfo).port;
          resolve();
        });
      });
    },
    close() {
      closePromise ??= (async () => {
        closing = true;
        if (!server.listening) return;
        const closed = new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        // Connections that finished their last request while draining are idle now.
        server.closeIdleConnections();
        await closed;
        await Promise.all(pendingCalls);
      })();
      return closePromise;
    },
  };
}

const notFound = fail(
  404,
  'not_found',
  'not found',
  `Deliveries go to POST ${WEBHOOK_PATH_PREFIX}<workflow id>.`,
);
const unreachable = 'Temporal did not answer; check TEMPORAL_ADDRESS and that the cluster is up.';

/** 503 + Retry-After makes the platform redeliver later instead of dropping the event. */
function unavailable(error: string): Reply {
  const details = `The event was not accepted; redeliver after ${RETRY_AFTER_SECONDS} seconds.`;
  return { ...fail(503, 'unavailable', error, details), headers: { 'Retry-After': RETRY_AFTER_SECONDS } };
}

function methodNotAllowed(allow: string): Reply {
  return {
    ...fail(405, 'method_not_allowed', 'method not allowed', `Use ${allow} on this path.`),
    headers: { Allow: allow },
  };
}

function firstValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Reads at most `limit` bytes. Past the limit (declared or streamed) it stops listening and lets the
 * caller answer 413 and close the connection, so an endless body is never buffered.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData).off('end', onEnd);
        req.pause();
        resolve('too_large');
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalTimeoutError(`no answer from Temporal within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Where the signed body names the event (`type`, `id`, `replica_id`), the unsigned headers must agree.
 * Bodies without those fields pass: their shape is not published.
 */
function headerBodyMismatch(
  payload: unknown,
  headers: { type: string; eventId: string; replicaId: string },
): string | undefined {
  const body = asRecord(payload);
  if (!body) return undefined;
  const checks: [unknown, string, string][] = [
    [body.type, headers.type, 'X-Replicas-Event'],
    [body.id, headers.eventId, 'X-Replicas-Event-Id'],
    [body.replica_id, headers.replicaId, 'X-Replicas-Replica-Id'],
    [asRecord(body.replica)?.id, headers.replicaId, 'X-Replicas-Replica-Id'],
  ];
  return checks.find(([inBody, inHeader]) => typeof inBody === 'string' && inBody !== inHeader)?.[2];
}
