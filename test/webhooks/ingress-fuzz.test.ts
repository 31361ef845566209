import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import path from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngressServer, type IngressServer } from '../../src/webhooks/ingress-server';
import { signBody } from '../../src/replicas';
import { deriveWebhookSecret } from '../../src/webhooks/callback-targets';
import { eventsQuery, type eventSinkWorkflow } from '../fixtures/event-sink-workflow';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal';

const MASTER_SECRET = 'fuzz-master-secret-that-is-long-enough-0123456789';
const MAX_BODY_BYTES = 4096;
const CASES = 1200;

/** Small, seedable PRNG so a failing run can be replayed with FUZZ_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const rand = mulberry32(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  // Printable ASCII that survives header trimming, so "present" never turns into "missing".
  const token = () => {
    const inner = Array.from({ length: int(40) }, () => String.fromCharCode(32 + int(95))).join('');
    return `${String.fromCharCode(33 + int(94))}${inner}${String.fromCharCode(33 + int(94))}`;
  };
  const text = () => Array.from({ length: int(20) }, () => String.fromCharCode(int(0x2000))).join('');
  const json = (depth = 0): unknown => {
    switch (int(depth > 2 ? 4 : 6)) {
      case 0:
        return null;
      case 1:
        return rand() < 0.5;
      case 2:
        return (rand() - 0.5) * 10 ** int(12);
      case 3:
        return text();
      case 4:
        return Array.from({ length: int(5) }, () => json(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: int(5) }, () => [text(), json(depth + 1)]));
    }
  };
  return { rand, int, pick, bytes, hex, token, json };
}

type Gen = ReturnType<typeof generator>;

interface FuzzCase {
  defect: string;
  expected: number;
  method: string;
  workflowId: string;
  headers: Record<string, string>;
  body: Buffer;
}

const signatureDefects: Record<string, (g: Gen, secret: string, body: Buffer, workflowId: string) => string> =
  {
    random: (g) => `sha256=${g.hex(64)}`,
    otherBody: (g, secret, body) => signBody(secret, Buffer.concat([body, Buffer.from([g.int(256)])])),
    flippedHexChar: (g, secret, body) => {
      const valid = signBody(secret, body);
      const i = 7 + g.int(64);
      const c = valid[i] as string;
      return (
        valid.slice(0, i) + ('0123456789abcdef'.replace(c, '')[g.int(15)] as string) + valid.slice(i + 1)
      );
    },
    wrongPrefix: (g, secret, body) =>
      signBody(secret, body).replace(
        'sha256=',
        g.pick(['sha1=', 'sha512=', '', 'sha256:', 'SHA-256=', 'sha256==']),
      ),
    truncated: (g, secret, body) => signBody(secret, body).slice(0, 7 + g.int(64)),
    extended: (g, secret, body) => signBody(secret, body) + g.hex(1 + g.int(4)),
    otherWorkflowSecret: (g, _secret, body, workflowId) =>
      signBody(deriveWebhookSecret(MASTER_SECRET, `${workflowId}${g.pick(['-', 'x', ' ', '/'])}`), body),
    otherMasterSecret: (_g, _secret, body, workflowId) =>
      signBody(deriveWebhookSecret(`${MASTER_SECRET}!`, workflowId), body),
    masterSecretItself: (_g, _secret, body) => signBody(MASTER_SECRET, body),
    garbage: (g) => g.token(),
  };

const validContentTypes = ['application/json', 'application/json; charset=utf-8', 'Application/JSON'];
const invalidContentTypes = ['text/plain', 'application/jsonx', 'application/x-www-form-urlencoded', 'json'];
const requiredHeaders = ['x-replicas-event', 'x-replicas-event-id', 'x-replicas-replica-id'];

/** One request with exactly one defect, so the ingress must refuse it with a known status. */
function makeCase(g: Gen, workflowId: string): FuzzCase {
  const randomBody = (): Buffer =>
    g.pick([
      () => g.bytes(g.int(600)),
      () => Buffer.from(JSON.stringify(g.json())),
      () => Buffer.from(JSON.stringify({ turn: g.int(100), summary: g.token() })),
      () => Buffer.alloc(0),
    ])();
  let body = randomBody();
  const headers: Record<string, string> = {
    'content-type': g.pick(validContentTypes),
    'x-replicas-event': g.rand() < 0.5 ? 'replica.turn_completed' : g.token(),
    'x-replicas-event-id': g.token(),
    'x-replicas-replica-id': g.token(),
  };
  if (g.rand() < 0.5) headers['x-replicas-delivery'] = g.token();
  const secret = deriveWebhookSecret(MASTER_SECRET, workflowId);
  const sign = () => (headers['x-replicas-signature'] = signBody(secret, body));

  // Defects that need a valid signature to be reached are paired with a body that must stay unparseable.
  const defects: Array<() => [string, number, string?]> = [
    () => {
      const name = g.pick(Object.keys(signatureDefects));
      headers['x-replicas-signature'] = signatureDefects[name]!(g, secret, body, workflowId);
      return [`signature:${name}`, 401];
    },
    () => [`signature:missing`, 401],
    () => {
      sign();
      const header = g.pick(requiredHeaders);
      delete headers[header];
      return [`missing:${header}`, 400];
    },
    () => {
      sign();
      if (g.rand() < 0.2) delete headers['content-type'];
      else headers['content-type'] = g.pick(invalidContentTypes);
      return ['content-type', 415];
    },
    () => {
      // An object's JSON without its closing brace is never valid JSON.
      body = Buffer.from(JSON.stringify({ turn: g.int(100), note: g.json() }).slice(0, -1));
      sign();
      return ['signed-broken-json', 400];
    },
    () => {
      body = Buffer.concat([g.bytes(MAX_BODY_BYTES + 1 + g.int(2000))]);
      sign();
      return ['oversize', 413];
    },
    () => {
      sign();
      return ['method', 405, g.pick(['GET', 'PUT', 'DELETE', 'PATCH'])];
    },
  ];
  const [defect, expected, method = 'POST'] = g.pick(defects)();
  return { defect, expected, method, workflowId, headers, body };
}

describe('webhook ingress fuzz', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let ingress: IngressServer;
  let handle: WorkflowHandle<typeof eventSinkWorkflow>;
  const taskQueue = uniqueTaskQueue('ingress-fuzz');

  beforeAll(async () => {
    env = await connectToDevServer();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: path.join(__dirname, '..', 'fixtures', 'event-sink-workflow.ts'),
    });
    running = worker.run();
    ingress = createIngressServer({
      client: env.client,
      masterSecret: MASTER_SECRET,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    await ingress.listen();
    handle = await env.client.workflow.start<typeof eventSinkWorkflow>('eventSinkWorkflow', {
      taskQueue,
      workflowId: uniqueTaskQueue('sink'),
    });
  });
  afterAll(async () => {
    await ingress?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it(`refuses ${CASES} malformed or forged deliveries and signals none of them`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 32);
    console.log(`ingress fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const g = generator(seed);
    const cases = Array.from({ length: CASES }, () => makeCase(g, handle.workflowId));
    const pool = new Pool(ingress.url, { connections: 16 });
    const path = `/webhooks/replicas/${encodeURIComponent(handle.workflowId)}`;
    try {
      const statuses = await Promise.all(
        cases.map(async ({ method, headers, body }) => {
          const res = await pool.request({
            path,
            method,
            headers,
            body: method === 'GET' ? undefined : body,
          });
          await res.body.dump();
          return res.statusCode;
        }),
      );
      const mismatches = cases
        .map((c, i) => ({ i, defect: c.defect, expected: c.expected, got: statuses[i] }))
        .filter((r) => r.got !== r.expected);
      expect(mismatches.slice(0, 10), `seed ${seed}`).toEqual([]);
      expect(statuses.filter((s) => s >= 200 && s < 300)).toEqual([]);
      expect(new Set(cases.map((c) => c.defect)).size).toBeGreaterThan(15);
    } finally {
      await pool.close();
    }

    expect(await handle.query(eventsQuery)).toEqual([]);
    const stop = JSON.stringify({ done: true });
    const res = await fetch(`${ingress.url}${path}`, {
      method: 'POST',
      body: stop,
      headers: {
        'content-type': 'application/json',
        'x-replicas-event': 'replica.error',
        'x-replicas-event-id': 'stop',
        'x-replicas-replica-id': 'fuzz',
        'x-replicas-signature': signBody(deriveWebhookSecret(MASTER_SECRET, handle.workflowId), stop),
      },
    });
    expect(res.status).toBe(200);
    // Signals arrive in order, so a lone stop event proves none of the fuzz cases got through.
    expect((await handle.result()).map((e) => e.eventId)).toEqual(['stop']);
  });
});
