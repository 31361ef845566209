import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The platform's signature scheme: `X-Replicas-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`
 * (the guide, "Webhook Callbacks"), set on every delivery to a `webhook_url` that has a secret.
 */
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
