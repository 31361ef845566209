import { createHmac, timingSafeEqual } from 'node:crypto';

/** Path under which the ingress receives Replicas callbacks; the workflow id follows it. */
export const WEBHOOK_PATH_PREFIX = '/webhooks/replicas/';

/**
 * The secret one workflow's replica signs its callbacks with: HMAC-SHA256 of the workflow id under
 * the master secret. A leaked per-workflow secret cannot forge callbacks for any other workflow, and
 * the ingress needs no storage to verify.
 */
export function deriveWebhookSecret(masterSecret: string, workflowId: string): string {
  return createHmac('sha256', masterSecret).update(`replica-fleet/webhook/${workflowId}`).digest('hex');
}

/** The callback URL for one workflow, under the ingress's public base URL. */
export function webhookUrlFor(publicBaseUrl: string, workflowId: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return `${base}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(workflowId)}`;
}

/** `sha256=<hex>` over the raw body, as the platform sets `X-Replicas-Signature`. */
export function signBody(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Constant-time check of an `X-Replicas-Signature` header against the raw body. */
export function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
