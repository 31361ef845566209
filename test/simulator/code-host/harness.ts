import type { CodeHostOptions } from '../../../src/simulator';
import { DEFAULT_GITHUB_TOKEN } from '../../../src/simulator';
import type { SimConfigInput } from '../../../src/simulator/sim-config';
import { eventually } from '../../support/eventually';
import { startSimWithClient } from '../../support/simulator';
import { startWebhookReceiver, type ReceivedWebhook } from '../../support/webhook-receiver';

export const GITHUB_SECRET = 'code-host-test-secret';

type CodeHostKnobs = NonNullable<SimConfigInput['codeHost']>;

/**
 * The Replicas simulator with its code host, an agent that always opens a PR, quick checks, and a
 * receiver of the code host's GitHub deliveries.
 */
export async function startCodeHostHarness(knobs: CodeHostKnobs = {}, options: CodeHostOptions = {}) {
  const hooks = await startWebhookReceiver();
  const h = await startSimWithClient({
    config: {
      behaviour: { prProbability: 1 },
      codeHost: { checkDurationMs: 40, reviewDelayMs: 20, mergeDelayMs: 20, ...knobs },
    },
    codeHost: {
      webhook: { url: hooks.url.replace(/\/hook$/, '/github'), secret: GITHUB_SECRET },
      ...options,
    },
  });
  const host = h.sim.codeHost;
  let count = 0;

  /** A replica whose first turn opens a PR on acme/api; resolves once the code host holds it. */
  async function openPullRequest(repository = 'acme/api') {
    count += 1;
    const { replica } = await h.client.createReplica({
      name: `code-host-${count}`,
      message: 'upgrade the lint config',
      environment_id: h.environmentFor(repository),
    });
    let url = '';
    await eventually(async () => {
      url = h.sim.stats().createdReplicas[replica.id]?.pullRequests[0] ?? '';
      return url !== '';
    }, 10_000);
    const match = /github\.com\/([^/]+)\/([^/]+)\/pull\/(\d+)$/.exec(url) as RegExpExecArray;
    return { replica, url, owner: match[1] as string, repo: match[2] as string, number: Number(match[3]) };
  }

  /** A request to the code host's REST or GraphQL API with the default token (or `token`). */
  async function gh(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = DEFAULT_GITHUB_TOKEN,
  ) {
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }

  async function graphql(query: string, variables: Record<string, unknown> = {}) {
    return gh('POST', '/graphql', { query, variables });
  }

  /** Deliveries of one GitHub event (and action), in arrival order. */
  const deliveries = (event: string, action?: string): ReceivedWebhook[] =>
    hooks.received.filter(
      (hook) =>
        hook.headers['x-github-event'] === event &&
        (action === undefined || (hook.body as { action?: string }).action === action),
    );

  return {
    ...h,
    host,
    hooks,
    openPullRequest,
    gh,
    graphql,
    deliveries,
    async close() {
      await h.close();
      await hooks.close();
    },
  };
}

export type CodeHostHarness = Awaited<ReturnType<typeof startCodeHostHarness>>;
