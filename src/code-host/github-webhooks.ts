import { Webhooks } from '@octokit/webhooks';
import type { WebhookVerdict } from '../contracts';

export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === name) return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
  return undefined;
}

/**
 * Verifies GitHub deliveries: `X-Hub-Signature-256` must be the HMAC-SHA256 of the raw body under the
 * webhook secret (compared in constant time by `@octokit/webhooks`) before the body is parsed at all.
 */
export function createWebhookVerifier(secret: string | undefined) {
  const webhooks = secret ? new Webhooks({ secret }) : undefined;

  return async function verifyWebhook(
    headers: WebhookHeaders,
    rawBody: string | Uint8Array,
  ): Promise<WebhookVerdict> {
    if (!webhooks)
      return {
        ok: false,
        reason: 'not-configured',
        detail: 'GitHub webhooks are off: set GITHUB_WEBHOOK_SECRET to the secret of the webhook in GitHub',
      };
    const signature = header(headers, 'x-hub-signature-256');
    if (!signature?.startsWith('sha256='))
      return {
        ok: false,
        reason: 'missing-signature',
        detail: 'no X-Hub-Signature-256 header: give the webhook a secret in GitHub',
      };
    const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
    if (!(await webhooks.verify(body, signature).catch(() => false)))
      return {
        ok: false,
        reason: 'bad-signature',
        detail:
          "X-Hub-Signature-256 does not match the body: the webhook's secret differs from GITHUB_WEBHOOK_SECRET",
      };
    const event = header(headers, 'x-github-event');
    if (!event) return { ok: false, reason: 'missing-event', detail: 'no X-GitHub-Event header' };
    const deliveryId = header(headers, 'x-github-delivery');
    if (!deliveryId) return { ok: false, reason: 'missing-delivery', detail: 'no X-GitHub-Delivery header' };
    try {
      return { ok: true, event, deliveryId, payload: JSON.parse(body) as unknown };
    } catch {
      return {
        ok: false,
        reason: 'invalid-json',
        detail: "the body is not JSON: set the webhook's content type to application/json in GitHub",
      };
    }
  };
}
