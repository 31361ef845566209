import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HttpError, match, readJsonBody } from '../http';
import { SeededRandom } from '../random';
import { Scheduler } from '../scheduler';
import { installationToken, jwtProblem, type CodeHostApp } from './app-auth';
import { executeGraphql, type GraphqlRequest } from './graphql';
import { CodeHostEngine, HostRefusal, type OpenedPullRequest } from './host';
import type { CodeHostKnobs } from './knobs';
import { headOf, mergeStateStatus, reviewDecision, rollupState } from './model';
import { RestError, restRoutes, type RestReply } from './rest-routes';
import { AGENT, MAINTAINER } from './shapes';
import { MinuteWindow } from './load-meter';
import { emptyCodeHostStats, type CodeHostStats } from './stats';
import { GithubWebhookSender, type GithubWebhookTarget, type SentDelivery } from './webhook-sender';

/** The token the code host accepts when none is configured; for local use only. */
export const DEFAULT_GITHUB_TOKEN = 'sim-github-token';
export const DEFAULT_GITHUB_WEBHOOK_SECRET = 'sim-github-webhook-secret';

export interface CodeHostOptions {
  port?: number;
  host?: string;
  /** Accepted tokens (`Authorization: Bearer|token …`); installation tokens it mints are added. */
  tokens?: string[];
  /** Where deliveries go, e.g. the ingress's `/github`; none sends nothing (deliveries are still counted). */
  webhook?: GithubWebhookTarget;
  app?: CodeHostApp;
  /** Where `html_url` points; the REST base is the server's own URL. */
  webUrl?: string;
}

/** A PR as the stats list it: where it stands now. */
export interface CodeHostPullRequestState {
  url: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  headCommits: number;
  mergeStateStatus: string;
  reviewDecision: string;
  headSha: string;
  /** `statusCheckRollup.state` of the head commit. */
  checks: string;
  /** Epoch ms of the PR's last visible change (each sends a webhook). */
  changedAtMs: number;
}

export interface CodeHost {
  /** The REST base (GITHUB_API_URL); GraphQL is `${url}/graphql`. */
  url: string;
  port: number;
  stats(): CodeHostStats & { pullRequests: CodeHostPullRequestState[] };
  /** Deliveries as sent (most recent last), for signature and body checks. */
  deliveries(): SentDelivery[];
  setWebhook(target: GithubWebhookTarget | undefined): void;
  /** The Replicas simulator's agent opened a PR / pushed to the branch of one. */
  pullRequestOpened(pr: OpenedPullRequest): void;
  branchPushed(repository: string, number: number): void;
  /**
   * What people do on GitHub, outside the API (no request counted): a reviewer approves or asks for
   * changes, a maintainer merges or closes. Refused (`HostRefusal`) as GitHub would, e.g. a closed PR.
   */
  act(repository: string, number: number, action: PersonAction): void;
  /** Calls `listener` as each delivery leaves, with the time; returns the way to stop. */
  onDelivery(listener: (delivery: SentDelivery, sentAtMs: number) => void): () => void;
  /** Forget every PR and hold these repositories; the seed restarts the random choices. */
  reset(seed: number, repositories: string[]): void;
  close(): Promise<void>;
}

export type PersonAction = 'approve' | 'request-changes' | 'merge' | 'close';

interface Budget {
  used: number;
  /** Epoch seconds when the hour's budget starts over. */
  reset: number;
}

const SECONDARY_LIMIT_DOCS =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const MERGE_ENDPOINT = 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge';
const PRIMARY_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

/**
 * A stand-in for GitHub (api.github.com or a GHES `/api/v3` base): the REST endpoints and GraphQL
 * queries the client uses, signed webhooks, rate-limit headers and seeded faults. It shares the knobs
 * object of the Replicas simulator's config, so `--set codeHost.*` and `/__sim/config` reach it.
 */
export async function startCodeHost(
  knobs: CodeHostKnobs,
  seed: number,
  options: CodeHostOptions = {},
): Promise<CodeHost> {
  const tokens = new Set(options.tokens?.length ? options.tokens : [DEFAULT_GITHUB_TOKEN]);
  const scheduler = new Scheduler();
  let stats = emptyCodeHostStats();
  let random = new SeededRandom(seed);
  let webhooks: GithubWebhookSender;
  let engine: CodeHostEngine;
  let webhookTarget = options.webhook;
  let budgets = new Map<string, Budget>();
  let minutes = { rest: new MinuteWindow(), graphql: new MinuteWindow() };
  const urls = { api: '', web: options.webUrl ?? 'https://github.com' };

  const build = (nextSeed: number, repositories: string[] = []) => {
    scheduler.clearAll();
    stats = emptyCodeHostStats();
    // Its own sequence: the code host's choices never shift the Replicas simulator's.
    random = new SeededRandom(nextSeed ^ 0x6c6f6361);
    budgets = new Map();
    minutes = { rest: new MinuteWindow(), graphql: new MinuteWindow() };
    webhooks = new GithubWebhookSender(knobs, random, scheduler, stats);
    webhooks.target = webhookTarget;
    if (options.app) {
      const id = options.app.installationId ?? 1;
      webhooks.installation = {
        id,
        node_id: Buffer.from(`023:IntegrationInstallation${id}`).toString('base64'),
      };
    }
    engine = new CodeHostEngine(urls, knobs, random, scheduler, stats, webhooks);
    engine.holdRepositories(repositories);
  };

  function budget(token: string, resource: 'core' | 'graphql'): Budget {
    const key = `${resource}:${token}`;
    const nowSeconds = Math.floor(Date.now() / 1000);
    let found = budgets.get(key);
    if (!found || found.reset <= nowSeconds) {
      found = { used: 0, reset: nowSeconds + 3600 };
      budgets.set(key, found);
    }
    return found;
  }

  const rateView = (b: Budget) => ({
    limit: knobs.rateLimitPerHour,
    remaining: Math.max(0, knobs.rateLimitPerHour - b.used),
    reset: b.reset,
    used: b.used,
  });

  function rateHeaders(b: Budget | undefined, resource: string): Record<string, string> {
    const headers: Record<string, string> = {
      'x-github-request-id': randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase(),
      'x-github-media-type': 'github.v3; format=json',
    };
    if (!b) return headers;
    const view = rateView(b);
    return {
      ...headers,
      'x-ratelimit-limit': String(view.limit),
      'x-ratelimit-remaining': String(view.remaining),
      'x-ratelimit-reset': String(view.reset),
      'x-ratelimit-used': String(view.used),
      'x-ratelimit-resource': resource,
    };
  }

  /** Points as GitHub's secondary limits count them, over the sliding minute of their kind. */
  const spend = (kind: 'rest' | 'graphql', points: number) => {
    const total = minutes[kind].add(points, Date.now());
    const peak = kind === 'rest' ? 'maxRestPointsPerMinute' : 'maxGraphqlPointsPerMinute';
    stats.load[peak] = Math.max(stats.load[peak], total);
  };

  const count = (endpoint: string, status: number) => {
    const byStatus = (stats.requests[endpoint] ??= {});
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  };

  function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://code-host.local');
    const method = req.method ?? 'GET';
    // A GHES base (`/api/v3`, `/api/graphql`) answers the same as api.github.com's paths.
    const path = url.pathname === '/api/graphql' ? '/graphql' : url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const body = () => readJsonBody(req);

    if (path.startsWith('/__sim/')) return admin(method, path, body, res);

    // Held by the request's own stats: a reset meanwhile must not count it into the new ones.
    const load = stats.load;
    load.inFlight += 1;
    load.maxInFlight = Math.max(load.maxInFlight, load.inFlight);
    res.once('close', () => {
      load.inFlight -= 1;
    });

    const installation = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (installation && method === 'POST') return mintToken(req, res);

    const isGraphql = path === '/graphql';
    const found = isGraphql ? undefined : match(restRoutes, method, path);
    const endpoint = isGraphql
      ? 'POST /graphql'
      : found && found !== 'method_not_allowed'
        ? `${method} ${found.route.pattern.replace(/:(\w+)/g, '{$1}')}`
        : `${method} (unknown)`;

    const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) {
      count(endpoint, 401);
      return reply(
        res,
        401,
        { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
        rateHeaders(undefined, 'core'),
      );
    }
    const resource = isGraphql ? 'graphql' : 'core';
    const tokenBudget = budget(token, resource);
    // GET /rate_limit is free, as on GitHub.
    const counted = path !== '/rate_limit';
    let graphqlPoints = 1;
    const merging = mergeOf(endpoint, found && found !== 'method_not_allowed' ? found.params : undefined);
    const send = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      count(endpoint, status);
      if (merging) (stats.mergeRequests[merging] ??= []).push({ status, atMs: Date.now() });
      if (isGraphql) spend('graphql', graphqlPoints);
      else spend('rest', method === 'GET' || method === 'HEAD' ? 1 : 5);
      reply(res, status, payload, { ...rateHeaders(tokenBudget, resource), ...extra });
    };
    if (counted && tokenBudget.used >= knobs.rateLimitPerHour) {
      stats.faults.primaryLimited += 1;
      return send(403, {
        message: 'API rate limit exceeded for installation.',
        documentation_url: PRIMARY_LIMIT_DOCS,
        status: '403',
      });
    }
    if (counted) tokenBudget.used += 1;
    if (random.chance(knobs.serverErrorRate)) {
      stats.faults.serverErrors += 1;
      return send(502, { message: 'Server Error' });
    }
    if (random.chance(knobs.secondaryLimitRate)) {
      stats.faults.secondaryLimited += 1;
      return send(
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: SECONDARY_LIMIT_DOCS,
          status: '403',
        },
        { 'retry-after': String(knobs.retryAfterSeconds) },
      );
    }

    if (isGraphql) {
      if (method !== 'POST')
        return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/graphql' });
      const request = (await body()) as GraphqlRequest | undefined;
      if (!request || typeof request.query !== 'string')
        return send(400, {
          message: 'Problems parsing JSON',
          documentation_url: 'https://docs.github.com/graphql',
        });
      const rate = () => {
        const view = rateView(tokenBudget);
        return {
          limit: view.limit,
          remaining: view.remaining,
          used: view.used,
          resetAt: new Date(view.reset * 1000).toISOString(),
        };
      };
      const { body: answer, rootFields } = await executeGraphql(engine, request, rate);
      for (const field of rootFields) stats.graphql[field] = (stats.graphql[field] ?? 0) + 1;
      if (rootFields.some((field) => field.startsWith('mutation'))) graphqlPoints = 5;
      return send(200, answer);
    }
    // GitHub answers a path it serves under another method as it answers an unknown path.
    if (!found || found === 'method_not_allowed')
      return send(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
    try {
      const answer = (await found.route.handle(
        {
          engine,
          actor: AGENT,
          body,
          rateLimit: () => {
            const core = rateView(budget(token, 'core'));
            const graphql = rateView(budget(token, 'graphql'));
            const search = { limit: 30, remaining: 30, reset: core.reset, used: 0 };
            return { resources: { core, graphql, search }, rate: core };
          },
        },
        found.params,
      )) as RestReply;
      return send(answer.status, answer.body);
    } catch (error) {
      if (error instanceof RestError) return send(error.status, error.body, error.headers);
      if (error instanceof HttpError)
        return send(error.status, {
          message: error.error,
          documentation_url: 'https://docs.github.com/rest',
        });
      throw error;
    }
  }

  /** The web URL of the PR a `PUT …/merge` names, so every merge request is logged by PR. */
  function mergeOf(endpoint: string, params: Record<string, string> | undefined): string | undefined {
    if (endpoint !== MERGE_ENDPOINT || !params) return undefined;
    return `${urls.web}/${params.owner}/${params.repo}/pull/${params.pull_number}`;
  }

  async function mintToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const endpoint = 'POST /app/installations/{installation_id}/access_tokens';
    const jwt = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const problem = !options.app
      ? 'this code host has no GitHub App configured'
      : !jwt
        ? 'A JSON web token could not be decoded'
        : jwtProblem(jwt, options.app);
    if (problem) {
      count(endpoint, 401);
      return reply(
        res,
        401,
        { message: problem, documentation_url: 'https://docs.github.com/rest', status: '401' },
        rateHeaders(undefined, 'core'),
      );
    }
    const token = installationToken();
    tokens.add(token);
    count(endpoint, 201);
    reply(
      res,
      201,
      {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: { checks: 'read', pull_requests: 'write', statuses: 'read', issues: 'write' },
        repository_selection: 'all',
      },
      rateHeaders(undefined, 'core'),
    );
  }

  async function admin(method: string, path: string, body: () => Promise<unknown>, res: ServerResponse) {
    if (method === 'GET' && path === '/__sim/stats') return reply(res, 200, host.stats(), {});
    if (method === 'GET' && path === '/__sim/deliveries') return reply(res, 200, webhooks.recent, {});
    if (method === 'POST' && path === '/__sim/webhook') {
      const target = (await body()) as Partial<GithubWebhookTarget> | undefined;
      if (!target?.url || !target.secret)
        return reply(res, 400, { message: 'give {"url": "...", "secret": "..."}' }, {});
      host.setWebhook({ url: target.url, secret: target.secret });
      return reply(res, 200, { success: true }, {});
    }
    return reply(res, 404, { message: `no code-host endpoint ${method} ${path}` }, {});
  }

  build(seed);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      reply(
        res,
        error instanceof HttpError ? error.status : 500,
        { message: error instanceof Error ? error.message : 'Server Error' },
        {},
      );
    });
  });
  server.on('connection', (socket) => {
    const load = stats.load;
    load.connections += 1;
    load.maxConnections = Math.max(load.maxConnections, load.connections);
    socket.once('close', () => {
      load.connections -= 1;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address}:${port}`;
  urls.api = url;

  const host: CodeHost = {
    url,
    port,
    stats: () => ({
      ...stats,
      pullRequests: engine.allPullRequests().map((pr) => ({
        url: `${urls.web}/${pr.repository.fullName}/pull/${pr.number}`,
        state: pr.merged ? 'MERGED' : pr.state === 'open' ? 'OPEN' : 'CLOSED',
        headCommits: pr.commits.length,
        mergeStateStatus: mergeStateStatus(pr),
        reviewDecision: reviewDecision(pr),
        headSha: headOf(pr).sha,
        checks: rollupState(headOf(pr)),
        changedAtMs: pr.changedAtMs ?? 0,
      })),
    }),
    deliveries: () => webhooks.recent,
    setWebhook(target) {
      webhookTarget = target;
      webhooks.target = target;
    },
    act(repository, number, action) {
      const pr = engine.pullRequest(repository, number);
      if (!pr) throw new HostRefusal(404, `no pull request ${repository}#${number}`);
      if (action === 'approve') engine.review(pr, 'APPROVED');
      else if (action === 'request-changes') engine.review(pr, 'CHANGES_REQUESTED');
      else if (action === 'merge') engine.merge(pr, undefined, MAINTAINER);
      else engine.closeBy(pr);
    },
    onDelivery(listener) {
      // Held by the current sender: a reset builds a new one, and this listener stays with the old.
      const sender = webhooks;
      sender.listeners.add(listener);
      return () => void sender.listeners.delete(listener);
    },
    pullRequestOpened: (pr) => void engine.open(pr),
    branchPushed: (repository, number) => void engine.push(repository, number),
    reset(nextSeed, repositories) {
      build(nextSeed, repositories);
    },
    async close() {
      scheduler.clearAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return host;
}
