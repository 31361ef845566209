import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { startCodeHost, type CodeHost, type CodeHostOptions } from './code-host/server';
import { HttpError, match, ok, readJsonBody, route, send, sendError, type Reply, type Route } from './http';
import { newOrganisation, type Organisation } from './model';
import { SeededRandom } from './random';
import { ReplicaEngine } from './replica-engine';
import { automationRoutes } from './routes/automation-routes';
import { validate, type ApiContext } from './routes/context';
import { environmentRoutes } from './routes/environment-routes';
import { replicaRoutes } from './routes/replica-routes';
import { Scheduler } from './scheduler';
import { applyConfig, parseSimConfig, type SimConfig, type SimConfigInput } from './sim-config';
import { countRequest, emptyStats, type SimStats } from './stats';
import { WebhookDispatcher } from './webhook-dispatcher';

/** The key the simulator accepts when none is given; for local use only. */
export const DEFAULT_SIM_API_KEY = 'sim-local-key';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Each key is one organisation. */
  apiKeys?: string[];
  config?: SimConfigInput;
  /** The code-host simulator beside it (port, tokens, webhook target); it holds the agents' PRs. */
  codeHost?: CodeHostOptions;
}

/** What `GET /__sim/orgs` lists per API key. */
export interface SimOrganisation {
  id: string;
  global_environment_id: string;
  environments: { id: string; name: string }[];
}

export interface Simulator {
  url: string;
  port: number;
  config: SimConfig;
  /** The GitHub stand-in holding the same repositories and every PR the agents open. */
  codeHost: CodeHost;
  stats(): SimStats;
  organisations(): SimOrganisation[];
  /** The environment bound to a seeded repository (first organisation), e.g. `acme/api`. */
  environmentFor(repository: string): string;
  /** Changes timings, behaviour or faults of the running simulator (state is kept). */
  configure(changes: SimConfigInput): void;
  reset(): void;
  close(): Promise<void>;
}

const routes: Route<ApiContext>[] = [...replicaRoutes, ...environmentRoutes, ...automationRoutes];
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ForceState = z
  .object({
    status: z.enum(['preparing', 'active', 'sleeping', 'archived', 'error']),
    error_message: z.string().optional(),
  })
  .strict();

/** A stand-in for the hosted Replicas API: same paths, codes, shapes, lifecycle, 409 rules and webhooks. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = parseSimConfig(options.config ?? {});
  const keys = options.apiKeys?.length ? options.apiKeys : [DEFAULT_SIM_API_KEY];
  const scheduler = new Scheduler();
  let random = new SeededRandom(config.seed);
  let stats = emptyStats();
  let orgs = new Map<string, Organisation>();
  let engine: ReplicaEngine | undefined;
  const codeHost = await startCodeHost(config.codeHost, config.seed, options.codeHost);
  const build = () => {
    scheduler.clearAll();
    // Streams of the previous state end: their replicas no longer exist.
    engine?.events.clear();
    random = new SeededRandom(config.seed);
    stats = emptyStats();
    orgs = new Map(keys.map((key) => [key, newOrganisation(key, config.repositories.count)]));
    // Every organisation lists the same repository names; the code host holds each once.
    codeHost.reset(config.seed, [...orgs.values()][0]?.repositories.map((r) => r.name) ?? []);
    engine = new ReplicaEngine(
      config,
      random,
      scheduler,
      stats,
      new WebhookDispatcher(config, random, scheduler, stats),
      codeHost,
    );
  };
  build();

  const adminRoutes: Route<{ req: IncomingMessage; body(): Promise<unknown> }>[] = [
    route('GET', '/__sim/stats', () => ok(stats)),
    route('POST', '/__sim/config', async (ctx) => {
      try {
        applyConfig(config, (await ctx.body()) as SimConfigInput);
      } catch (error) {
        throw new HttpError(400, 'Invalid simulator config', error instanceof Error ? error.message : null);
      }
      return ok(config);
    }),
    route('POST', '/__sim/reset', () => {
      build();
      return ok({ success: true });
    }),
    route('POST', '/__sim/replicas/:id/state', async (ctx, p) => {
      const replica = simReplica(p.id as string);
      const body = validate(ForceState, await ctx.body());
      live().force(replica, body.status, body.error_message);
      return ok({ success: true, status: replica.status });
    }),
    route('GET', '/__sim/replicas/:id', (_ctx, p) => ok(replicaState(p.id as string))),
    route('GET', '/__sim/orgs', () => ok({ organisations: organisations() })),
  ];

  const live = () => engine as ReplicaEngine;

  function simReplica(id: string) {
    const replica = live().replicas.get(id);
    if (!replica) throw new HttpError(404, 'Replica not found', null);
    return replica;
  }

  /** What a test may assert on beyond the API: turn counts, queues and senders per chat, the `config` sent. */
  function replicaState(id: string) {
    const replica = simReplica(id);
    return {
      id: replica.id,
      status: replica.status,
      waking: replica.waking,
      ...(replica.config && { config: replica.config }),
      turnsStarted: replica.turnsStarted,
      turnsCompleted: replica.turnsCompleted,
      engine: live().snapshot(replica),
      chats: replica.chats.map((chat) => ({
        id: chat.id,
        provider: chat.provider,
        processing: chat.processing,
        queued: chat.queue.length,
        historyEvents: chat.history.length,
        senders: chat.senders.length,
      })),
    };
  }

  /** Each organisation with its Global environment and every environment's id and name. */
  function organisations(): SimOrganisation[] {
    return [...orgs.values()].map((org) => ({
      id: org.id,
      global_environment_id: org.globalEnvironmentId,
      environments: [...(org.resources.get('environments')?.values() ?? [])].map((e) => ({
        id: e.id as string,
        name: e.name as string,
      })),
    }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const method = req.method ?? 'GET';
    let body: unknown;
    let bodyRead = false;
    const readBody = async () => {
      if (!bodyRead) {
        body = await readJsonBody(req);
        bodyRead = true;
      }
      return body;
    };
    if (url.pathname.startsWith('/__sim/')) {
      const found = match(adminRoutes, method, url.pathname);
      if (!found) throw new HttpError(404, 'Not found', `no simulator endpoint ${url.pathname}`);
      if (found === 'method_not_allowed') throw new HttpError(405, 'Method not allowed', null);
      const reply = await found.route.handle({ req, body: readBody }, found.params);
      if (reply) send(res, reply);
      return;
    }
    const found = match(routes, method, url.pathname);
    const endpoint =
      found && found !== 'method_not_allowed' ? `${method} ${found.route.pattern}` : `${method} (unknown)`;
    const reply = (r: Reply | HttpError) => {
      countRequest(stats, endpoint, r instanceof HttpError ? r.status : r.status);
      if (r instanceof HttpError) sendError(res, r);
      else send(res, r);
    };
    const org = authenticate(req, orgs);
    if (!org)
      return reply(
        new HttpError(401, 'Unauthorized', 'missing or invalid API key: send Authorization: Bearer <key>'),
      );
    if (!found) return reply(new HttpError(404, 'Not found', `no endpoint ${method} ${url.pathname}`));
    if (found === 'method_not_allowed') return reply(new HttpError(405, 'Method not allowed', null));
    const faults = config.faults;
    if (faults.latencyMs) await delay(faults.latencyMs);
    if (random.chance(faults.serverErrorRate)) {
      stats.faults.serverErrors += 1;
      return reply(new HttpError(500, 'Internal server error', 'injected fault'));
    }
    if (random.chance(faults.rateLimitRate)) {
      stats.faults.rateLimited += 1;
      return reply(
        new HttpError(429, 'Too many requests', 'injected fault', {
          'retry-after': String(faults.retryAfterSeconds),
        }),
      );
    }
    const drop = MUTATING.has(method) && random.chance(faults.dropResponseRate);
    try {
      const ctx: ApiContext = {
        req,
        res,
        org,
        query: url.searchParams,
        body: readBody,
        engine: live(),
        config,
      };
      const result = await found.route.handle(ctx, found.params);
      if (!result) {
        countRequest(stats, endpoint, 200); // a stream answered by the handler itself
        return;
      }
      if (drop) {
        // The action is committed; only the answer is lost, like a connection reset after the fact.
        stats.faults.droppedResponses += 1;
        countRequest(stats, endpoint, 0);
        res.socket?.destroy();
        return;
      }
      reply(result);
    } catch (error) {
      if (error instanceof HttpError) return reply(error);
      throw error;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendError(res, error);
      if (!res.headersSent)
        sendError(
          res,
          new HttpError(500, 'Internal server error', error instanceof Error ? error.message : null),
        );
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
  } catch (error) {
    await codeHost.close();
    throw error;
  }
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    config,
    codeHost,
    stats: () => stats,
    organisations,
    environmentFor(repository) {
      const found = organisations()[0]?.environments.find((e) => e.name === repository);
      if (!found) throw new Error(`the simulator has no environment for ${repository}`);
      return found.id;
    },
    configure: (changes) => applyConfig(config, changes),
    reset: build,
    async close() {
      scheduler.clearAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await codeHost.close();
    },
  };
}

function authenticate(req: IncomingMessage, orgs: Map<string, Organisation>): Organisation | undefined {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ? orgs.get(match[1]) : undefined;
}
