import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import {
  ReplicasApiError,
  ReplicasRequestValidationError,
  fieldIssues,
  kindForStatus,
  parseRetryAfter,
} from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Per-request deadline unless a call gives its own. */
  timeoutMs?: number;
  /** Open sockets kept per origin; one keep-alive pool serves every call. */
  connections?: number;
  userAgent?: string;
  /** Sees every JSON answer before validation: for logging, metrics and contract tests. */
  onResponse?: (response: ObservedResponse) => void;
}

export interface ObservedResponse {
  method: HttpMethod;
  path: string;
  status: number;
  body: unknown;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RequestSpec<S extends z.ZodType> extends CallOptions {
  method: HttpMethod;
  /** Path template already filled, e.g. `/v1/replica/${encodeURIComponent(id)}`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  response: S;
}

export interface StreamResponse {
  statusCode: number;
  body: Dispatcher.ResponseData['body'];
}

/** Validates a request body before it leaves the process, so a bad field fails fast and by name. */
export function validateRequest<S extends z.ZodType>(
  operation: string,
  schema: S,
  value: unknown,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ReplicasRequestValidationError(operation, parsed.error);
  return parsed.data;
}

export const pathOf = (template: TemplateStringsArray, ...ids: string[]): string =>
  template.reduce(
    (acc, part, i) => acc + part + (i < ids.length ? encodeURIComponent(ids[i] ?? '') : ''),
    '',
  );

/** The HTTP layer: keep-alive pool, Bearer auth, deadlines, error mapping, response validation. */
export class Transport {
  private readonly dispatcher: Agent;
  private readonly base: URL;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly onResponse?: (response: ObservedResponse) => void;

  constructor(options: TransportOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.authorization = `Bearer ${options.apiKey}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'replica-fleet';
    this.onResponse = options.onResponse;
    this.dispatcher = new Agent({ connections: options.connections ?? 64, keepAliveTimeout: 30_000 });
  }

  async call<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    const { statusCode, body, headers } = await this.send(spec, 'application/json');
    const text = await body.text();
    this.onResponse?.({
      method: spec.method,
      path: spec.path,
      status: statusCode,
      body: tryParseJson(text) ?? text,
    });
    if (statusCode < 200 || statusCode >= 300) throw this.httpError(spec, statusCode, text, headers);
    let json: unknown;
    try {
      json = text.length ? JSON.parse(text) : {};
    } catch (cause) {
      throw new ReplicasApiError({
        kind: 'invalid_response',
        method: spec.method,
        path: spec.path,
        status: statusCode,
        apiError: 'response body is not JSON',
        cause,
      });
    }
    const parsed = spec.response.safeParse(json);
    if (!parsed.success) {
      throw new ReplicasApiError({
        kind: 'invalid_response',
        method: spec.method,
        path: spec.path,
        status: statusCode,
        apiError: `response does not match the expected shape: ${fieldIssues(parsed.error.issues, '(root)')
          .slice(0, 5)
          .map((i) => `${i.field}: ${i.message}`)
          .join('; ')}`,
      });
    }
    return parsed.data as z.output<S>;
  }

  /** Opens a streaming response (SSE); non-2xx answers become errors like any other call. */
  async stream(spec: Omit<RequestSpec<z.ZodType>, 'response'>): Promise<StreamResponse> {
    const { statusCode, body, headers } = await this.send(spec, 'text/event-stream', false);
    if (statusCode < 200 || statusCode >= 300) {
      throw this.httpError(spec, statusCode, await body.text(), headers);
    }
    return { statusCode, body };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private url(path: string, query?: Record<string, QueryValue>): URL {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async send(spec: Omit<RequestSpec<z.ZodType>, 'response'>, accept: string, deadline = true) {
    const timeout = deadline ? AbortSignal.timeout(spec.timeoutMs ?? this.timeoutMs) : undefined;
    const signals = [spec.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length ? AbortSignal.any(signals) : undefined;
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept,
      'user-agent': this.userAgent,
      ...spec.headers,
    };
    let body: string | undefined;
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    try {
      return await request(this.url(spec.path, spec.query), {
        method: spec.method,
        headers,
        body,
        signal,
        dispatcher: this.dispatcher,
      });
    } catch (cause) {
      if (spec.signal?.aborted) throw cause;
      const kind = timeout?.aborted ? 'timeout' : 'network';
      throw new ReplicasApiError({ kind, method: spec.method, path: spec.path, cause: sanitize(cause) });
    }
  }

  private httpError(
    spec: { method: string; path: string },
    status: number,
    text: string,
    headers: Record<string, string | string[] | undefined>,
  ): ReplicasApiError {
    let apiError: string | undefined;
    let details: unknown;
    try {
      const parsed = JSON.parse(text) as { error?: unknown; details?: unknown };
      if (typeof parsed.error === 'string') apiError = parsed.error;
      details = parsed.details;
    } catch {
      apiError = text.slice(0, 200) || undefined;
    }
    return new ReplicasApiError({
      kind: kindForStatus(status),
      method: spec.method,
      path: spec.path,
      status,
      apiError,
      details,
      retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(headers['retry-after']) : undefined,
    });
  }
}

/** Network errors from undici may quote request options; keep only the message and code. */
function sanitize(cause: unknown): Error {
  if (!(cause instanceof Error)) return new Error(String(cause));
  const clean = new Error(cause.message.replace(/Bearer\s+\S+/g, 'Bearer [redacted]'));
  clean.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (code !== undefined) Object.assign(clean, { code });
  return clean;
}

/** The parsed JSON, or undefined when the text is not JSON. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
