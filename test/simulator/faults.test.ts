import { describe, expect, it, vi } from 'vitest';
import { ReplicasApiError } from '../../src/replicas';
import type { SimConfigInput } from '../../src/simulator/sim-config';
import { startSimWithClient } from '../support/simulator';
import { ofType, startWebhookReceiver } from '../support/webhook-receiver';

async function withSim(
  config: SimConfigInput,
  fn: (h: Awaited<ReturnType<typeof startSimWithClient>>) => Promise<void>,
) {
  const h = await startSimWithClient({ config });
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<ReplicasApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplicasApiError);
  return error as ReplicasApiError;
}

describe('simulator faults', () => {
  it('injects 5xx answers that change nothing', () =>
    withSim({ faults: { serverErrorRate: 1 } }, async (h) => {
      expect((await failure(h.client.listReplicas())).kind).toBe('server');
      expect(h.sim.stats().faults.serverErrors).toBe(1);
      expect(h.sim.stats().requests['GET /v1/replica']).toEqual({ 500: 1 });
    }));

  it('injects 429 with Retry-After, surfaced as retryAfterMs', () =>
    withSim({ faults: { rateLimitRate: 1, retryAfterSeconds: 7 } }, async (h) => {
      const error = await failure(h.client.listRepositories());
      expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7000 });
    }));

  it('adds latency', () =>
    withSim({ faults: { latencyMs: 60 } }, async (h) => {
      const started = performance.now();
      await h.client.listRepositories();
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    }));

  it('drops the answer of a committed create: the caller sees a network error, the replica exists', () =>
    withSim({ faults: { dropResponseRate: 1 } }, async (h) => {
      const error = await failure(
        h.client.createReplica({
          name: 'lost-answer',
          message: 'x',
          environment_id: h.environmentFor('acme/api'),
        }),
      );
      expect(error.kind).toBe('network');
      const { replicas } = await h.client.listReplicas();
      expect(replicas.map((r) => r.name)).toEqual(['lost-answer']);
      expect(h.sim.stats().faults.droppedResponses).toBe(1);
    }));

  it('is reproducible: the same seed makes the same fault decisions', async () => {
    const outcomes: string[][] = [];
    for (let run = 0; run < 2; run += 1) {
      await withSim({ seed: 42, faults: { serverErrorRate: 0.5 } }, async (h) => {
        const kinds: string[] = [];
        for (let i = 0; i < 20; i += 1)
          kinds.push(
            await h.client.listRepositories().then(
              () => 'ok',
              (e: ReplicasApiError) => e.kind,
            ),
          );
        outcomes.push(kinds);
      });
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(new Set(outcomes[0])).toEqual(new Set(['ok', 'server']));
  });

  it('redelivers after a non-2xx answer and after no answer within the timeout, reusing event and delivery ids', async () => {
    const hooks = await startWebhookReceiver((n) => (n === 1 ? 503 : n === 2 ? 'hang' : 200));
    await withSim({ timings: { webhookTimeoutMs: 100 } }, async (h) => {
      const { replica } = await h.client.createReplica({
        name: 'redeliver',
        message: 'x',
        environment_id: h.environmentFor('acme/api'),
        webhook_url: hooks.url,
      });
      await vi.waitFor(() =>
        expect(hooks.received.filter(ofType('replica.ready', replica.id))).toHaveLength(3),
      );
      const ready = hooks.received.filter(ofType('replica.ready', replica.id));
      expect(new Set(ready.map((r) => r.headers['x-replicas-event-id'])).size).toBe(1);
      expect(new Set(ready.map((r) => r.headers['x-replicas-delivery'])).size).toBe(1);
      expect(h.sim.stats().webhooks).toMatchObject({ retried: 2, failed: 2 });
    });
    await hooks.close();
  });

  it('drops, duplicates, delays and reorders webhook deliveries', async () => {
    const hooks = await startWebhookReceiver();
    await withSim({ faults: { webhookDropRate: 1 }, timings: { webhookMaxAttempts: 2 } }, async (h) => {
      const { replica } = await h.client.createReplica({
        name: 'dropped',
        message: 'x',
        environment_id: h.environmentFor('acme/api'),
        webhook_url: hooks.url,
      });
      await vi.waitFor(() => expect(h.sim.stats().webhooks.gaveUp).toBeGreaterThanOrEqual(1));
      expect(hooks.received.filter((r) => r.headers['x-replicas-replica-id'] === replica.id)).toHaveLength(0);
    });
    await withSim({ faults: { webhookDuplicateRate: 1 } }, async (h) => {
      const { replica } = await h.client.createReplica({
        name: 'doubled',
        message: 'x',
        environment_id: h.environmentFor('acme/api'),
        webhook_url: hooks.url,
      });
      await vi.waitFor(() =>
        expect(hooks.received.filter(ofType('replica.ready', replica.id))).toHaveLength(2),
      );
      const [a, b] = hooks.received.filter(ofType('replica.ready', replica.id));
      expect(a?.headers['x-replicas-event-id']).toBe(b?.headers['x-replicas-event-id']);
      expect(a?.headers['x-replicas-delivery']).not.toBe(b?.headers['x-replicas-delivery']);
    });
    await withSim({ faults: { webhookDelayMs: 80 } }, async (h) => {
      const created = Date.now();
      const { replica } = await h.client.createReplica({
        name: 'delayed',
        message: 'x',
        environment_id: h.environmentFor('acme/api'),
        webhook_url: hooks.url,
      });
      await hooks.next(ofType('replica.ready', replica.id));
      expect(Date.now() - created).toBeGreaterThanOrEqual(30 + 80 - 5);
    });
    // Held-back events (reorder) arrive after events emitted later: here a turn_completed overtakes a ready.
    await withSim(
      { seed: 7, faults: { webhookReorderRate: 0.5 }, timings: { webhookRetryBaseMs: 200, turnMs: 20 } },
      async (h) => {
        const ids: string[] = [];
        for (let i = 0; i < 6; i += 1) {
          const { replica } = await h.client.createReplica({
            name: `reordered-${i}`,
            message: 'x',
            environment_id: h.environmentFor('acme/api'),
            webhook_url: hooks.url,
          });
          ids.push(replica.id);
        }
        await Promise.all(ids.map((id) => hooks.next(ofType('replica.turn_completed', id))));
        await Promise.all(ids.map((id) => hooks.next(ofType('replica.ready', id))));
        const orders = ids.map((id) =>
          hooks.received
            .filter((r) => r.headers['x-replicas-replica-id'] === id)
            .map((r) => r.headers['x-replicas-event']),
        );
        expect(orders).toContainEqual(['replica.turn_completed', 'replica.ready']);
        expect(orders).toContainEqual(['replica.ready', 'replica.turn_completed']);
        expect(h.sim.stats().webhooks.reordered).toBeGreaterThan(0);
      },
    );
    await hooks.close();
  });

  it('puts a workspace to sleep mid-turn; the turn resumes after wake and completes', async () => {
    const hooks = await startWebhookReceiver();
    await withSim({ behaviour: { sleepMidTurnRate: 1 } }, async (h) => {
      const { replica } = await h.client.createReplica({
        name: 'napper',
        message: 'x',
        environment_id: h.environmentFor('acme/api'),
        webhook_url: hooks.url,
      });
      await vi.waitFor(async () =>
        expect((await h.client.getReplica(replica.id)).replica.status).toBe('sleeping'),
      );
      const { replica: asleep } = await h.client.getReplica(replica.id);
      expect(asleep.chats?.[0]?.processing).toBe(true);
      expect((await failure(h.client.sendMessage(replica.id, { message: 'hi' }))).status).toBe(409);
      await h.client.wakeReplica(replica.id);
      await hooks.next(ofType('replica.turn_completed', replica.id));
      const { replica: done } = await h.client.getReplica(replica.id);
      expect(done.status).toBe('active');
      expect(done.chats?.[0]?.processing).toBe(false);
      expect(h.sim.stats().faults.sleptMidTurn).toBe(1);
    });
    await hooks.close();
  });

  it('fails a workspace mid-turn with replica.error and the failure message', async () => {
    const hooks = await startWebhookReceiver();
    await withSim({ behaviour: { errorRate: 1 } }, async (h) => {
      const { replica } = await h.client.createReplica({
        name: 'doomed',
        message: 'x',
        environment_id: h.environmentFor('acme/api'),
        webhook_url: hooks.url,
      });
      const event = await hooks.next(ofType('replica.error', replica.id));
      expect(event.body.data).toMatchObject({ message: expect.stringMatching(/out of memory/) as unknown });
      expect((await h.client.getReplica(replica.id)).replica.status).toBe('error');
    });
    await hooks.close();
  });
});
