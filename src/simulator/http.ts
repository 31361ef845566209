import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

/** An answer with the API's error shape `{error, details}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(error);
  }
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, 'Payload too large', `bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'Invalid JSON body', 'the request body must be a JSON object');
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...reply.headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  send(res, {
    status: error.status,
    body: { error: error.error, details: error.details },
    headers: error.headers,
  });
}

export interface Route<Ctx> {
  method: string;
  /** e.g. `/v1/replica/:id/messages`; also the key of the route in `/__sim/stats`. */
  pattern: string;
  regex: RegExp;
  handle(ctx: Ctx, params: Record<string, string>): Promise<Reply | undefined> | Reply | undefined;
}

export function route<Ctx>(method: string, pattern: string, handle: Route<Ctx>['handle']): Route<Ctx> {
  const source = pattern.replace(/:(\w+)/g, (_m, name: string) => `(?<${name}>[^/]+)`);
  return { method, pattern, regex: new RegExp(`^${source}$`), handle };
}

/** The route for a method and path; `405` when the path exists under another method. */
export function match<Ctx>(routes: Route<Ctx>[], method: string, path: string) {
  let pathExists = false;
  for (const candidate of routes) {
    const m = candidate.regex.exec(path);
    if (!m) continue;
    pathExists = true;
    if (candidate.method !== method) continue;
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(m.groups ?? {})) params[key] = decodeURIComponent(value);
    return { route: candidate, params };
  }
  return pathExists ? 'method_not_allowed' : undefined;
}
