import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { signBody } from '../replicas';
import type { SeededRandom } from './random';
import { webhookBody } from './webhook-body';
import type { Scheduler } from './scheduler';
import type { SimConfig } from './sim-config';
import type { SimStats } from './stats';

interface Delivery {
  target: { url: string; secret?: string };
  eventId: string;
  deliveryId: string;
  type: string;
  replicaId: string;
  body: string;
  attempt: number;
}

/**
 * Posts events to a replica's `webhook_url` as the guide lists them: JSON body, `X-Replicas-*` headers,
 * `sha256=` HMAC signature when a secret is set; redelivers with backoff until a 2xx answer arrives
 * within the timeout. A 410 answer ends redelivery (the receiver says the target is gone for good).
 */
export class WebhookDispatcher {
  constructor(
    private readonly config: SimConfig,
    private readonly random: SeededRandom,
    private readonly scheduler: Scheduler,
    private readonly stats: SimStats,
  ) {}

  emit(
    target: { url: string; secret?: string } | undefined,
    replica: { id: string },
    type: string,
    data: Record<string, unknown>,
  ): void {
    if (!target) return;
    this.stats.webhooks.events += 1;
    const event = webhookBody(replica, type, data);
    // Built once: every redelivery and duplicate carries the same bytes and event id.
    const body = JSON.stringify(event);
    const eventId = event.id;
    const replicaId = replica.id;
    const faults = this.config.faults;
    const hold = this.random.chance(faults.webhookReorderRate)
      ? this.config.timings.webhookRetryBaseMs * 2
      : 0;
    if (hold) this.stats.webhooks.reordered += 1;
    const start = (delay: number) =>
      this.scheduler.later(
        delay,
        () =>
          void this.attempt({
            target,
            eventId,
            deliveryId: `dlv_${randomUUID()}`,
            type,
            replicaId,
            body,
            attempt: 1,
          }),
      );
    start(faults.webhookDelayMs + hold);
    if (this.random.chance(faults.webhookDuplicateRate)) {
      this.stats.webhooks.duplicated += 1;
      start(faults.webhookDelayMs + hold + 5);
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    if (delivery.attempt > 1) this.stats.webhooks.retried += 1;
    let ok = false;
    let gone = false;
    if (this.random.chance(this.config.faults.webhookDropRate)) {
      this.stats.webhooks.dropped += 1;
    } else {
      this.stats.webhooks.sent += 1;
      try {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'x-replicas-event': delivery.type,
          'x-replicas-event-id': delivery.eventId,
          'x-replicas-delivery': delivery.deliveryId,
          'x-replicas-replica-id': delivery.replicaId,
        };
        if (delivery.target.secret)
          headers['x-replicas-signature'] = signBody(delivery.target.secret, delivery.body);
        const response = await request(delivery.target.url, {
          method: 'POST',
          headers,
          body: delivery.body,
          signal: AbortSignal.timeout(this.config.timings.webhookTimeoutMs),
        });
        await response.body.dump();
        ok = response.statusCode >= 200 && response.statusCode < 300;
        gone = response.statusCode === 410;
      } catch {
        ok = false;
      }
      if (ok) this.stats.webhooks.delivered += 1;
      else this.stats.webhooks.failed += 1;
    }
    if (ok || gone) return;
    if (delivery.attempt >= this.config.timings.webhookMaxAttempts) {
      this.stats.webhooks.gaveUp += 1;
      return;
    }
    const backoff = this.config.timings.webhookRetryBaseMs * 2 ** (delivery.attempt - 1);
    this.scheduler.later(backoff, () => void this.attempt({ ...delivery, attempt: delivery.attempt + 1 }));
  }
}
