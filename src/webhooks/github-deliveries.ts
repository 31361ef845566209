import type { Client } from '@temporalio/client';
import { asRecord, type WebhookVerdict } from '../contracts';
import { pullRequestHintSignal, type PullRequestHint } from '../workflows/shard/messages';
import { ChangeRoutes } from './change-routes';

/** The events that change what a campaign knows of a PR; others are acknowledged and dropped. */
const FOLLOWED_EVENTS = new Set([
  'pull_request',
  'pull_request_review',
  'check_run',
  'check_suite',
  'status',
]);
/** Delivery ids remembered against duplicates (GitHub may send one twice; the ingress restarts rarely). */
const REMEMBERED_DELIVERIES = 10_000;

export interface GitHubReply {
  status: number;
  outcome:
    'signalled' | 'ignored' | 'duplicate' | 'unauthorized' | 'bad_request' | 'not_found' | 'unavailable';
  body: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/**
 * The repository and the PRs a delivery is about, from the payload shapes of `@octokit/webhooks-types`:
 * a PR or review names its PR; check runs and suites list theirs; a commit status names none, so every
 * followed PR of its repository is read.
 */
export function namedChanges(
  event: string,
  payload: unknown,
): { repository: string; hint: PullRequestHint } | undefined {
  const root = asRecord(payload);
  const repository = asRecord(root?.repository);
  const fullName = text(repository?.full_name);
  const htmlUrl = text(repository?.html_url);
  if (!root || !fullName) return undefined;
  const urlOf = (pr: unknown) => {
    const record = asRecord(pr);
    const url = text(record?.html_url);
    if (url) return url;
    return htmlUrl && typeof record?.number === 'number' ? `${htmlUrl}/pull/${record.number}` : undefined;
  };
  const listed = (owner: unknown) =>
    (Array.isArray(asRecord(owner)?.pull_requests) ? (asRecord(owner)?.pull_requests as unknown[]) : [])
      .map(urlOf)
      .filter((url): url is string => url !== undefined);
  let urls: string[] = [];
  if (event === 'pull_request' || event === 'pull_request_review')
    urls = [urlOf(root.pull_request)].filter((u): u is string => !!u);
  else if (event === 'check_run') urls = listed(root.check_run);
  else if (event === 'check_suite') urls = listed(root.check_suite);
  return { repository: fullName, hint: urls.length > 0 ? { urls } : { repositories: [fullName] } };
}

/**
 * GitHub's deliveries to `POST /github`: verified over the raw body before anything else, de-duplicated
 * by `X-GitHub-Delivery`, and turned into a read hint for each shard that follows a PR of that
 * repository. The shard reads the PR itself: the delivery says only that something changed.
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
    const named = FOLLOWED_EVENTS.has(verdict.event)
      ? namedChanges(verdict.event, verdict.payload)
      : undefined;
    if (!named) {
      remember(verdict.deliveryId);
      return { status: 200, outcome: 'ignored', body: { ok: true, ignored: true } };
    }
    try {
      const shards = await options.client.withDeadline(Date.now() + options.signalTimeoutMs, async () => {
        const found = await routes.shardsFor(named.repository);
        await Promise.all(
          found.map((id) => options.client.workflow.getHandle(id).signal(pullRequestHintSignal, named.hint)),
        );
        return found;
      });
      remember(verdict.deliveryId);
      // A PR no campaign follows: acknowledged, so GitHub counts the delivery as done.
      if (shards.length === 0) return { status: 200, outcome: 'ignored', body: { ok: true, ignored: true } };
      return { status: 200, outcome: 'signalled', body: { ok: true, shards: shards.length } };
    } catch (error) {
      options.log('routing a GitHub delivery failed', { event: verdict.event, error: String(error) });
      return {
        status: 503,
        outcome: 'unavailable',
        body: { error: 'Temporal unavailable', details: 'Deliver again later.' },
      };
    }
  };
}
