import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API_VERSION,
  ReplicasApiError,
  ReplicasClient,
  ReplicasRequestValidationError,
  parseRetryAfter,
  parseSse,
  type CreateReplicaRequest,
  type SendMessageRequest,
  type SseMessage,
} from '../../src/replicas';
import type { CreateAutomationRequest } from '../../src/replicas/schemas/automation';

const API_KEY = 'rk_live_SUPER_SECRET_key_9f8e7d6c';
const REPLICA_ID = '11111111-1111-4111-8111-111111111111';
const ENV_ID = '22222222-2222-4222-8222-222222222222';
const ORG_ID = '33333333-3333-4333-8333-333333333333';
const NOW = '2026-05-20T10:00:00.000Z';

interface Recorded {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Recorded, res: ServerResponse, n: number) => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback server whose every answer the test scripts; it records each request it receives. */
async function scripted(handler: Handler) {
  const requests: Recorded[] = [];
  const waiters: ((r: Recorded) => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      for (const resolve of waiters.splice(0)) resolve(recorded);
      handler(recorded, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const clients: ReplicasClient[] = [];
  const close = async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return {
    url,
    requests,
    /** The next request to arrive. */
    nextRequest: () => new Promise<Recorded>((resolve) => waiters.push(resolve)),
    client(options: { timeoutMs?: number } = {}) {
      const c = new ReplicasClient({ baseUrl: url, apiKey: API_KEY, ...options });
      clients.push(c);
      return c;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** Runs `fn` and returns what it threw or rejected with (synchronous throws included). */
async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function apiFailure(fn: () => Promise<unknown>): Promise<ReplicasApiError> {
  const error = await failure(fn);
  expect(error).toBeInstanceOf(ReplicasApiError);
  return error as ReplicasApiError;
}

async function validationFailure(fn: () => Promise<unknown>): Promise<ReplicasRequestValidationError> {
  const error = await failure(fn);
  expect(error).toBeInstanceOf(ReplicasRequestValidationError);
  return error as ReplicasRequestValidationError;
}

/** Every place the API key could leak from an error: message, string form, own fields, cause. */
function expectNoKey(error: ReplicasApiError) {
  expect(error.message).not.toContain(API_KEY);
  expect(String(error)).not.toContain(API_KEY);
  expect(JSON.stringify(error)).not.toContain(API_KEY);
  const own = Object.fromEntries(
    Object.getOwnPropertyNames(error).map((k) => [k, (error as unknown as Record<string, unknown>)[k]]),
  );
  expect(JSON.stringify(own)).not.toContain(API_KEY);
  expect(error.stack ?? '').not.toContain(API_KEY);
  const cause = error.cause;
  if (cause !== undefined) {
    expect(String(cause)).not.toContain(API_KEY);
    if (cause instanceof Error) expect(cause.message).not.toContain(API_KEY);
  }
}

const replica = (overrides: Record<string, unknown> = {}) => ({
  id: REPLICA_ID,
  name: 'fix-auth',
  status: 'active',
  source: 'api',
  created_at: NOW,
  last_activity_at: null,
  repositories: [],
  pull_requests: [],
  ...overrides,
});

const automation = (n: number) => ({
  id: `44444444-4444-4444-8444-${String(n).padStart(12, '0')}`,
  organization_id: ORG_ID,
  name: `automation-${n}`,
  description: null,
  triggers: [{ type: 'cron', config: { schedule: '0 9 * * 1-5' } }],
  prompt: 'triage',
  debounce_seconds: null,
  environment_id: ENV_ID,
  enabled: true,
  created_at: NOW,
  updated_at: NOW,
});

async function* chunks(...parts: string[]): AsyncGenerator<Buffer | string> {
  for (const [i, part] of parts.entries()) yield i % 2 ? Buffer.from(part, 'utf8') : part;
}

async function collect(body: AsyncIterable<Buffer | string>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const message of parseSse(body)) out.push(message);
  return out;
}

describe('error mapping', () => {
  const cases: [number, ReplicasApiError['kind']][] = [
    [400, 'validation'],
    [422, 'validation'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [429, 'rate_limited'],
    [500, 'server'],
    [502, 'server'],
    [503, 'server'],
  ];

  it.each(cases)(
    'maps %i to %s with status, error, details, method and path, never the key',
    async (status, kind) => {
      const server = await scripted((_req, res) =>
        json(res, status, { error: `failure ${status}`, details: `because ${status}` }),
      );
      const error = await apiFailure(() => server.client().deleteReplica(REPLICA_ID));
      expect(error).toMatchObject({
        kind,
        status,
        apiError: `failure ${status}`,
        details: `because ${status}`,
        method: 'DELETE',
        path: `/v1/replica/${REPLICA_ID}`,
      });
      expect(error.message).toContain(String(status));
      expect(error.message).toContain(`failure ${status}`);
      expectNoKey(error);
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    },
  );

  it('keeps structured details and the POST method', async () => {
    const details = [{ field: 'name', message: 'must not contain whitespace' }];
    const server = await scripted((_req, res) => json(res, 400, { error: 'Validation failed', details }));
    const error = await apiFailure(() =>
      server.client().createReplica({ name: 'ok', message: 'hi', environment_id: ENV_ID }),
    );
    expect(error).toMatchObject({ kind: 'validation', method: 'POST', path: '/v1/replica', details });
  });

  it('maps a refused connection to network, without the key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new ReplicasClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY });
    try {
      const error = await apiFailure(() => client.listReplicas());
      expect(error.kind).toBe('network');
      expect(error.retryable).toBe(true);
      expect(error).toMatchObject({ method: 'GET', path: '/v1/replica' });
      expectNoKey(error);
    } finally {
      await client.close();
    }
  });

  it('maps a server that never answers to timeout after timeoutMs', async () => {
    const server = await scripted(() => undefined);
    const error = await apiFailure(() => server.client({ timeoutMs: 100 }).listRepositories());
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expectNoKey(error);
  });

  it("rejects on the caller's abort, not as a timeout", async () => {
    const server = await scripted(() => undefined);
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const call = server.client({ timeoutMs: 60_000 }).listRepositories({ signal: controller.signal });
    await arrived;
    controller.abort();
    const error = await failure(() => call);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(error instanceof ReplicasApiError && error.kind === 'timeout').toBe(false);
  });
});

describe('Retry-After', () => {
  it('parses delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter(['7', '9'])).toBe(7000);
    const now = Date.parse('2026-05-20T10:00:00Z');
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('carries Retry-After seconds and dates of a 429 answer as retryAfterMs', async () => {
    const server = await scripted((_req, res, n) =>
      json(
        res,
        429,
        { error: 'Too many requests', details: null },
        { 'retry-after': n === 1 ? '3' : new Date(Date.now() + 10_000).toUTCString() },
      ),
    );
    const client = server.client();
    const seconds = await apiFailure(() => client.listReplicas());
    expect(seconds).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3000 });
    expect(seconds.retryable).toBe(true);
    const date = await apiFailure(() => client.listReplicas());
    expect(date.kind).toBe('rate_limited');
    // HTTP dates have whole-second precision; allow for it and for the round trip.
    expect(date.retryAfterMs).toBeGreaterThanOrEqual(8000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(10_000);
  });
});

describe('request headers and query', () => {
  it('sends Bearer auth and the dated version header on create, and no version header when legacy', async () => {
    const server = await scripted((_req, res) =>
      json(res, 201, { replica: replica({ status: 'preparing' }) }),
    );
    const client = server.client();
    const created = await client.createReplica({ name: 'fix-auth', message: 'go', environment_id: ENV_ID });
    expect(created.replica.status).toBe('preparing');
    await client.createReplica(
      { name: 'fix-auth', message: 'go', environment_id: ENV_ID },
      { legacyBlocking: true },
    );
    const [dated, legacy] = server.requests;
    expect(API_VERSION).toBe('2026-05-17');
    expect(dated?.method).toBe('POST');
    expect(dated?.url.pathname).toBe('/v1/replica');
    expect(dated?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(dated?.headers['x-replicas-api-version']).toBe('2026-05-17');
    expect(dated?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(dated?.body ?? '')).toEqual({
      name: 'fix-auth',
      message: 'go',
      environment_id: ENV_ID,
    });
    expect(legacy?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(legacy?.headers['x-replicas-api-version']).toBeUndefined();
  });

  it('asks getReplica for include=environment,diffs, and nothing when no include is given', async () => {
    const server = await scripted((_req, res) => json(res, 200, { replica: replica() }));
    const client = server.client();
    await client.getReplica(REPLICA_ID, ['environment', 'diffs']);
    await client.getReplica(REPLICA_ID);
    expect(server.requests[0]?.url.pathname).toBe(`/v1/replica/${REPLICA_ID}`);
    expect(server.requests[0]?.url.searchParams.get('include')).toBe('environment,diffs');
    expect(server.requests[1]?.url.searchParams.has('include')).toBe(false);
  });

  it('encodes ids into the path', async () => {
    const server = await scripted((_req, res) => json(res, 200, { success: true }));
    await server.client().deleteChat(REPLICA_ID, 'chat/../x');
    expect(server.requests[0]?.url.pathname).toBe(`/v1/replica/${REPLICA_ID}/chats/chat%2F..%2Fx`);
  });
});

describe('pagination', () => {
  it('iterateReplicas walks 3 pages in order with exactly 3 requests', async () => {
    const server = await scripted((req, res) => {
      const page = Number(req.url.searchParams.get('page'));
      const limit = Number(req.url.searchParams.get('limit'));
      json(res, 200, {
        replicas: [1, 2].map((i) =>
          replica({ id: `55555555-5555-4555-8555-00000000000${(page - 1) * 2 + i}`, name: `r${page}-${i}` }),
        ),
        total: 6,
        page,
        limit,
        total_pages: 3,
      });
    });
    const names: string[] = [];
    for await (const item of server.client().iterateReplicas({ status: 'active' })) names.push(item.name);
    expect(names).toEqual(['r1-1', 'r1-2', 'r2-1', 'r2-2', 'r3-1', 'r3-2']);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2', '3']);
    expect(server.requests.every((r) => r.url.searchParams.get('limit') === '100')).toBe(true);
    expect(server.requests.every((r) => r.url.searchParams.get('status') === 'active')).toBe(true);
  });

  it('automations.iterate follows totalPages', async () => {
    const server = await scripted((req, res) => {
      const page = Number(req.url.searchParams.get('page'));
      json(res, 200, {
        automations: [automation(page * 10 + 1), automation(page * 10 + 2)],
        total: 6,
        page,
        limit: 100,
        totalPages: 3,
      });
    });
    const names: string[] = [];
    for await (const item of server.client().automations.iterate()) names.push(item.name);
    expect(names).toEqual([
      'automation-11',
      'automation-12',
      'automation-21',
      'automation-22',
      'automation-31',
      'automation-32',
    ]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.url.pathname)).toEqual(Array(3).fill('/v1/automations'));
  });
});

describe('SSE parsing', () => {
  it('joins chunks split mid-line and mid-field', async () => {
    const messages = await collect(chunks('da', 'ta: {"a"', ':1}\n', '\nev', 'ent: done\ndata: x\n\n'));
    expect(messages).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'done', data: 'x' },
    ]);
  });

  it('accepts CRLF and CR line endings', async () => {
    const messages = await collect(chunks('id: 1\r\ndata: one\r\n\r\n', 'data: two\r\rdata: three\n\n'));
    expect(messages).toEqual([
      { event: 'message', data: 'one', id: '1' },
      { event: 'message', data: 'two', id: '1' },
      { event: 'message', data: 'three', id: '1' },
    ]);
  });

  it('treats a CRLF split across two chunks as one line ending', async () => {
    const messages = await collect(chunks('data: a\r', '\ndata: b\r\n\r\n'));
    expect(messages).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('joins multi-line data, reads event and id, and skips comment heartbeats', async () => {
    const messages = await collect(
      chunks(
        ': heartbeat\n\n',
        'event: output\nid: 7\ndata: line one\ndata:line two\ndata\n\n',
        ':keepalive\n',
        'data: after\n\n',
      ),
    );
    expect(messages).toEqual([
      { event: 'output', id: '7', data: 'line one\nline two\n' },
      { event: 'message', id: '7', data: 'after' },
    ]);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('data: héllo ✓\n\n', 'utf8');
    async function* split() {
      yield bytes.subarray(0, 8);
      yield bytes.subarray(8, 15);
      yield bytes.subarray(15);
    }
    expect(await collect(split())).toEqual([{ event: 'message', data: 'héllo ✓' }]);
  });
});

describe('event stream', () => {
  const event = (id: string, type = 'chat.message') => JSON.stringify({ id, ts: NOW, type, payload: {} });

  function stream(res: ServerResponse, text: string) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(text);
  }

  it('reconnects after the server ends the stream, sends Last-Event-ID, never repeats, and ends on 409', async () => {
    const server = await scripted((req, res, n) => {
      if (n === 1)
        return stream(res, `id: 1\ndata: ${event('e1', 'hello')}\n\nid: 2\ndata: ${event('e2')}\n\n`);
      // Replays the last id, and one event without an `id:` line that was already delivered.
      if (n === 2)
        return stream(
          res,
          `id: 2\ndata: ${event('e2')}\n\ndata: ${event('e1', 'hello')}\n\nid: 3\ndata: ${event('e3')}\n\n`,
        );
      return json(res, 409, { error: 'Workspace is sleeping', details: null });
    });
    const seen: string[] = [];
    const error = await apiFailure(async () => {
      for await (const e of server.client().events(REPLICA_ID, { reconnectDelayMs: 10 })) seen.push(e.id);
    });
    expect(seen).toEqual(['e1', 'e2', 'e3']);
    expect(error).toMatchObject({ kind: 'conflict', status: 409, apiError: 'Workspace is sleeping' });
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '2', '3']);
    expect(server.requests.every((r) => r.url.pathname === `/v1/replica/${REPLICA_ID}/events`)).toBe(true);
    expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('ends at once with a conflict error when the first connect answers 409', async () => {
    const server = await scripted((_req, res) =>
      json(res, 409, { error: 'Workspace is in error', details: 'x' }),
    );
    const error = await apiFailure(async () => {
      for await (const _e of server.client().events(REPLICA_ID, { reconnectDelayMs: 10 })) {
        throw new Error('no event expected');
      }
    });
    expect(error).toMatchObject({ kind: 'conflict', status: 409, details: 'x' });
    expect(server.requests).toHaveLength(1);
  });

  it('stops when the caller aborts', async () => {
    const server = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`id: 1\ndata: ${event('e1')}\n\n`);
    });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const e of server.client().events(REPLICA_ID, { signal: controller.signal })) {
      seen.push(e.id);
      controller.abort();
    }
    expect(seen).toEqual(['e1']);
  });
});

describe('request validation before sending', () => {
  const base: CreateReplicaRequest = { name: 'fix-auth', message: 'go', environment_id: ENV_ID };
  const bad = (overrides: Record<string, unknown>) => ({ ...base, ...overrides }) as CreateReplicaRequest;

  it.each([
    ['name', { name: 'fix auth bug' }, /whitespace/],
    ['thinking_level', { thinking_level: 'ultra' }, /low|medium|high|max|invalid/i],
    ['coding_agent', { coding_agent: 'pi' }, /claude|codex|invalid/i],
    ['lifecycle_policy', { lifecycle_policy: 'archive_when_done' }, /delete_when_done|invalid/i],
    ['environment_id', { environment_id: undefined }, /environment_id/],
  ] as const)('rejects createReplica with a bad %s and sends nothing', async (field, overrides, message) => {
    const server = await scripted((_req, res) => json(res, 201, { replica: replica() }));
    const error = await validationFailure(() => server.client().createReplica(bad(overrides)));
    expect(error.issues.map((i) => i.field)).toContain(field);
    expect(error.message).toContain(field);
    expect(error.issues.find((i) => i.field === field)?.message).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it('reports an invalid request as a rejected promise, not as a synchronous throw', async () => {
    const server = await scripted(() => undefined);
    const client = server.client();
    const pending: Promise<unknown>[] = [];
    // A Promise-returning method must not throw: `client.createReplica(bad).catch(...)` would miss it.
    expect(() => {
      pending.push(client.createReplica(bad({ name: 'has space' })));
    }).not.toThrow();
    expect(() => {
      pending.push(client.getReplica(''));
    }).not.toThrow();
    for (const call of pending) await expect(call).rejects.toBeInstanceOf(ReplicasRequestValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('names the field and the rule in the message for whitespace names', async () => {
    const server = await scripted(() => undefined);
    const error = await validationFailure(() => server.client().createReplica(bad({ name: 'has space' })));
    expect(error.message).toContain('name');
    expect(error.message).toContain('whitespace');
    expect(server.requests).toHaveLength(0);
  });

  const automationBase: CreateAutomationRequest = {
    name: 'nightly',
    prompt: 'triage',
    triggers: [{ type: 'cron', config: { schedule: '0 3 * * *' } }],
    environment_id: ENV_ID,
  };
  it.each([
    ['debounce_seconds', { debounce_seconds: 90_000 }, /86400/],
    [
      'workspace_auto_stop_minutes',
      { workspace_auto_stop_minutes: 2, workspace_lifecycle_policy: 'delete_after_inactivity' },
      /3 and 1440/,
    ],
  ] as const)(
    'rejects automations.create with a bad %s and sends nothing',
    async (field, overrides, message) => {
      const server = await scripted(() => undefined);
      const error = await validationFailure(() =>
        server.client().automations.create({ ...automationBase, ...overrides } as CreateAutomationRequest),
      );
      expect(error.issues.find((i) => i.field === field)?.message).toMatch(message);
      expect(error.message).toContain(field);
      expect(server.requests).toHaveLength(0);
    },
  );

  it('sends the documented sender fields and drops unknown fields instead of rejecting the call', async () => {
    const server = await scripted((_req, res) =>
      json(res, 200, { status: 'sent', message_id: 'm1', position: null, chat_id: 'c1' }),
    );
    const body = {
      message: 'follow up',
      senderUserId: 'user-1',
      senderEmail: 'user@example.com',
      thinking: 'hard',
    } as SendMessageRequest;
    await server.client().sendMessage(REPLICA_ID, body);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      message: 'follow up',
      senderUserId: 'user-1',
      senderEmail: 'user@example.com',
    });
  });

  it('rejects environment files over 64 KB and sends nothing', async () => {
    const server = await scripted(() => undefined);
    const client = server.client();
    const error = await validationFailure(() =>
      client.environments.files.create(ENV_ID, {
        name: 'big',
        path: '/tmp/big.txt',
        content: 'x'.repeat(64 * 1024 + 1),
      }),
    );
    expect(error.issues.map((i) => i.field)).toEqual(['content']);
    expect(error.message).toMatch(/content.*64 KB/);
    // Multi-byte characters count as bytes, not characters.
    await validationFailure(() =>
      client.environments.files.create(ENV_ID, { name: 'big', path: '/x', content: 'é'.repeat(33 * 1024) }),
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('response validation', () => {
  it('tolerates unknown extra fields', async () => {
    const server = await scripted((_req, res) =>
      json(res, 200, {
        replica: { ...replica(), brand_new_field: { nested: true }, chats: [] },
        request_id: 'req_1',
      }),
    );
    const { replica: details } = await server.client().getReplica(REPLICA_ID);
    expect(details.id).toBe(REPLICA_ID);
    expect((details as Record<string, unknown>).brand_new_field).toEqual({ nested: true });
  });

  it('rejects a wrong type as invalid_response naming the field', async () => {
    const server = await scripted((_req, res) => json(res, 200, { replica: replica({ status: 5 }) }));
    const error = await apiFailure(() => server.client().getReplica(REPLICA_ID));
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200, method: 'GET' });
    expect(error.message).toContain('replica.status');
    expect(error.retryable).toBe(false);
  });

  it('rejects a body that is not JSON as invalid_response', async () => {
    const server = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>gateway</html>');
    });
    const error = await apiFailure(() => server.client().listRepositories());
    expect(error.kind).toBe('invalid_response');
  });
});
