import type { Client } from '@temporalio/client';
import { deliveryNews, type DeliveryNews } from '../code-host/github-observations';
import type { WebhookVerdict } from '../contracts';
import { pullRequestHintSignal } from '../workflows/shard/messages';
import { ChangeRoutes } from './change-routes';
import { HintBatcher } from './hint-batcher';

/** Delivery ids remembered against duplicates (GitHub may send one twice; the ingress restarts rarely). */
const REMEMBERED_DELIVERIES = 10_000;

export interface GitHubReply {
  status: number;
  outcome:
    'signalled' | 'ignored' | 'duplicate' | 'unauthorized' | 'bad_request' | 'not_found' | 'unavailable';
  body: unknown;
}

/**
 * GitHub's deliveries to `POST /github`: verified over the raw body before anything else, de-duplicated
 * by `X-GitHub-Delivery`, and what each says of a PR (`deliveryNews`) signalled to the shards that
 * follow it (`ChangeRoutes`), a short window's deliveries to one shard in one signal. The shard
 * takes the news without asking GitHub; what it cannot place it reads.
 */
export function createGitHubDeliveries(options: {
  client: Pick<Client, 'workflow' | 'withDeadline'>;
  verify: (
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: Uint8Array,
  ) => Promise<WebhookVerdict>;
  signalTimeoutMs: number;
  /** The fleet's workflow task queue: its shards are the ones asked. */
  taskQueue: string;
  log: (message: string, fields?: Record<string, unknown>) => void;
}) {
  const routes = new ChangeRoutes(options.client, options.taskQueue);
  const batcher = new HintBatcher((id, hint) =>
    options.client.withDeadline(Date.now() + options.signalTimeoutMs, () =>
      options.client.workflow.getHandle(id).signal(pullRequestHintSignal, hint),
    ),
  );
  const seen = new Set<string>();
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > REMEMBERED_DELIVERIES) seen.delete(seen.values().next().value as string);
  };

  return async function deliverGitHub(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: Uint8Array,
  ): Promise<GitHubReply> {
    const verdict = await options.verify(headers, body);
    if (!verdict.ok) {
      const status =
        verdict.reason === 'not-configured' ? 404 : verdict.reason.endsWith('signature') ? 401 : 400;
      const outcome = status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'bad_request';
      return { status, outcome, body: { error: verdict.reason, details: verdict.detail } };
    }
    if (seen.has(verdict.deliveryId))
      return { status: 200, outcome: 'duplicate', body: { ok: true, duplicate: true } };
    const named = deliveryNews(verdict.event, verdict.payload);
    if (!named) {
      remember(verdict.deliveryId);
      return { status: 200, outcome: 'ignored', body: { ok: true, ignored: true } };
    }
    try {
      const shards = await options.client.withDeadline(Date.now() + options.signalTimeoutMs, () =>
        routes.shardsFor(named.repository, namedPullRequests(named)),
      );
      const hint = {
        ...(named.urls.length > 0 && { urls: named.urls }),
        ...(named.observations.length > 0 && { observations: named.observations }),
      };
      await Promise.all(shards.map((id) => batcher.add(id, hint)));
      remember(verdict.deliveryId);
      // A PR no campaign follows: acknowledged, so GitHub counts the delivery as done.
      if (shards.length === 0) return { status: 200, outcome: 'ignored', body: { ok: true, ignored: true } };
      return { status: 200, outcome: 'signalled', body: { ok: true, shards: shards.length } };
    } catch (error) {
      options.log('routing a GitHub delivery failed', {
        event: verdict.event,
        error: String(error),
        // The client's ServiceError says only "Failed to signal Workflow"; the server's reason is its cause.
        ...(error instanceof Error && error.cause !== undefined && { cause: String(error.cause) }),
      });
      return {
        status: 503,
        outcome: 'unavailable',
        body: { error: 'Temporal unavailable', details: 'Deliver again later.' },
      };
    }
  };
}

/** The PRs a delivery names, by URL: none for a commit status, which names only a commit. */
function namedPullRequests(named: DeliveryNews): string[] {
  const urls = new Set(named.urls);
  for (const observation of named.observations)
    if (observation.kind === 'check') for (const url of observation.urls) urls.add(url);
    else urls.add(observation.url);
  return [...urls];
}
