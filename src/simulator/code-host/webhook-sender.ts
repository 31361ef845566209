import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { signBody } from '../../replicas';
import type { SeededRandom } from '../random';
import type { Scheduler } from '../scheduler';
import type { CodeHostKnobs } from './knobs';
import type { CodeHostStats } from './stats';

export interface GithubWebhookTarget {
  url: string;
  secret: string;
}

/** What a receiver gets: the exact bytes and headers, kept for tests that check signatures. */
export interface SentDelivery {
  url: string;
  event: string;
  deliveryId: string;
  headers: Record<string, string>;
  body: string;
}

/** How far a reordered delivery is held back, so one sent after it arrives first. */
const REORDER_HOLD_MS = 50;
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Posts GitHub's webhook deliveries: JSON body, `X-GitHub-Event`, a `X-GitHub-Delivery` GUID and the
 * `X-Hub-Signature-256` HMAC of the raw body. Like GitHub it never redelivers a failed delivery by
 * itself; the seeded faults lose, duplicate (same delivery GUID) or reorder deliveries.
 */
export class GithubWebhookSender {
  target: GithubWebhookTarget | undefined;
  /** Set when a GitHub App is installed: every body names the installation, as App deliveries do. */
  installation: { id: number; node_id: string } | undefined;
  /** The most recent deliveries (bounded), as sent. */
  readonly recent: SentDelivery[] = [];
  /** Told of each delivery as it leaves, with the time (benchmarks time from it to what a user sees). */
  readonly listeners = new Set<(delivery: SentDelivery, sentAtMs: number) => void>();

  constructor(
    private readonly knobs: CodeHostKnobs,
    private readonly random: SeededRandom,
    private readonly scheduler: Scheduler,
    private readonly stats: CodeHostStats,
  ) {}

  emit(event: string, payload: Record<string, unknown>): void {
    const action = typeof payload.action === 'string' ? `.${payload.action}` : '';
    this.stats.webhooks.events[`${event}${action}`] =
      (this.stats.webhooks.events[`${event}${action}`] ?? 0) + 1;
    const target = this.target;
    if (!target) return;
    const body = JSON.stringify(
      this.installation ? { ...payload, installation: this.installation } : payload,
    );
    const deliveryId = randomUUID();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/sim',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-github-hook-id': '1',
      'x-github-hook-installation-target-type': 'repository',
      'x-hub-signature-256': signBody(target.secret, body),
    };
    const delivery: SentDelivery = { url: target.url, event, deliveryId, headers, body };
    if (this.random.chance(this.knobs.webhookDropRate)) {
      this.stats.webhooks.dropped += 1;
      return;
    }
    const hold = this.random.chance(this.knobs.webhookReorderRate) ? REORDER_HOLD_MS : 0;
    if (hold) this.stats.webhooks.reordered += 1;
    this.scheduler.later(hold, () => void this.post(delivery));
    if (this.random.chance(this.knobs.webhookDuplicateRate)) {
      this.stats.webhooks.duplicated += 1;
      this.scheduler.later(hold + 5, () => void this.post(delivery));
    }
  }

  private async post(delivery: SentDelivery): Promise<void> {
    this.stats.webhooks.sent += 1;
    for (const listener of this.listeners) listener(delivery, Date.now());
    this.recent.push(delivery);
    if (this.recent.length > 500) this.recent.shift();
    try {
      const response = await request(delivery.url, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.body.dump();
      this.answered(String(response.statusCode));
      if (response.statusCode >= 200 && response.statusCode < 300) this.stats.webhooks.delivered += 1;
      else this.stats.webhooks.failed += 1;
    } catch {
      this.answered('unreachable');
      this.stats.webhooks.failed += 1;
    }
  }

  private answered(status: string): void {
    const answers = this.stats.webhooks.answers;
    answers[status] = (answers[status] ?? 0) + 1;
  }
}
