import { noopMetricMeter, type MetricCounter, type MetricMeter, type MetricTags } from '@temporalio/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_METRICS } from '../../src/contracts/metrics';
import { countApiRequests, routeOf } from '../../src/observability/api-metrics';
import { ReplicasClient } from '../../src/replicas';
import { freeLoopbackPort } from '../support/free-port';

/** A meter that remembers what was added to each counter, by name and labels; a no-op otherwise. */
function recordingMeter() {
  const counts = new Map<string, number>();
  const meter: MetricMeter = Object.assign(Object.create(noopMetricMeter) as MetricMeter, {
    createCounter(name: string): MetricCounter {
      return Object.assign(Object.create(noopMetricMeter.createCounter(name)) as MetricCounter, {
        add(value: number, tags: MetricTags = {}) {
          const key = `${name}${JSON.stringify(tags)}`;
          counts.set(key, (counts.get(key) ?? 0) + value);
        },
      });
    },
  });
  return { meter, counts };
}

describe('Replicas API request counts', () => {
  it('labels routes by template: ids, UUIDs and file names become :id, resource words stay', () => {
    expect(routeOf('get', '/v1/replica/0b6c5a7e-3f9d-4a51-9d1e-3c2f1b0a9e8d')).toBe('GET /v1/replica/:id');
    expect(routeOf('POST', '/v1/replica/r_123/chats/c-9Z/queue/m1?wait=true')).toBe(
      'POST /v1/replica/:id/chats/:id/queue/:id',
    );
    expect(routeOf('GET', '/v1/replica/abc123/canvas/plan.md')).toBe('GET /v1/replica/:id/canvas/:id');
    expect(routeOf('GET', '/v1/replica/repositories')).toBe('GET /v1/replica/repositories');
    expect(routeOf('POST', '/v1/environments/e1/start-hooks/save')).toBe(
      'POST /v1/environments/:id/start-hooks/save',
    );
  });

  describe('counted from what the client sends', () => {
    const { meter, counts } = recordingMeter();
    let server: http.Server;
    let stop: () => void;
    let client: ReplicasClient;
    const name = FLEET_METRICS.apiRequests.name;
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const conflict = req.url?.includes('/messages');
        res.writeHead(conflict ? 409 : 200, { 'content-type': 'application/json' });
        res.end(conflict ? JSON.stringify({ error: 'replica is sleeping' }) : '{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      stop = countApiRequests(url, meter);
      client = new ReplicasClient({ baseUrl: url, apiKey: 'test-key-0123456789' });
    });
    afterAll(async () => {
      stop();
      await client.close();
      await new Promise((resolve) => server.close(resolve));
    });

    it('by route and status, an API error answer included', async () => {
      await client.getReplica('0b6c5a7e-3f9d-4a51-9d1e-3c2f1b0a9e8d').catch(() => undefined);
      await client.getReplica('1c7d6b8f-4a0e-4b62-8e2f-4d3a2c1b0f9e').catch(() => undefined);
      await client
        .sendMessage('0b6c5a7e-3f9d-4a51-9d1e-3c2f1b0a9e8d', { message: 'hi' })
        .catch(() => undefined);
      expect(counts.get(`${name}{"route":"GET /v1/replica/:id","status":"200"}`)).toBe(2);
      expect(counts.get(`${name}{"route":"POST /v1/replica/:id/messages","status":"409"}`)).toBe(1);
    });

    it('as status="error" when no answer comes, and only for the API origin', async () => {
      const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
      const elsewhere = countApiRequests(closed, meter);
      const unreachable = new ReplicasClient({ baseUrl: closed, apiKey: 'test-key-0123456789' });
      try {
        await expect(unreachable.getReplica('r1')).rejects.toThrow();
      } finally {
        elsewhere();
        await unreachable.close();
      }
      expect(counts.get(`${name}{"route":"GET /v1/replica/:id","status":"error"}`)).toBe(1);
      // The first counter watches another origin: it saw none of this.
      expect([...counts.keys()].filter((key) => key.includes('"error"'))).toHaveLength(1);
    });
  });
});
