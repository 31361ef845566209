import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhookVerifier } from '../../src/code-host/github-webhooks';

const SECRET = 'whsec-0123456789abcdef0123456789';
const body = JSON.stringify({ action: 'completed', check_run: { name: 'test', conclusion: 'success' } });
const sign = (payload: string | Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;

function delivery(overrides: Record<string, string | undefined> = {}) {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/abc1234',
    'X-GitHub-Event': 'check_run',
    'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'X-Hub-Signature-256': sign(body),
    ...overrides,
  };
}

describe('GitHub webhook verification', () => {
  const verify = createWebhookVerifier(SECRET);

  it('a delivery signed with the secret yields its event, delivery id and parsed payload', async () => {
    expect(await verify(delivery(), Buffer.from(body))).toEqual({
      ok: true,
      event: 'check_run',
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      payload: { action: 'completed', check_run: { name: 'test', conclusion: 'success' } },
    });
  });

  it('headers are matched whatever their case, as Node lowercases them', async () => {
    const lower = Object.fromEntries(
      Object.entries(delivery()).map(([key, value]) => [key.toLowerCase(), value]),
    );
    expect(await verify(lower, body)).toMatchObject({ ok: true, event: 'check_run' });
  });

  it('a body changed after signing is refused before it is parsed', async () => {
    const tampered = body.replace('success', 'failure');
    expect(await verify(delivery(), tampered)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('a signature under another secret, or a malformed one, is refused', async () => {
    expect(
      await verify(delivery({ 'X-Hub-Signature-256': sign(body, 'another-secret-of-some-length') }), body),
    ).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(await verify(delivery({ 'X-Hub-Signature-256': 'sha256=zz' }), body)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('an unsigned delivery (the webhook has no secret in GitHub) is refused as such', async () => {
    expect(await verify(delivery({ 'X-Hub-Signature-256': undefined }), body)).toMatchObject({
      ok: false,
      reason: 'missing-signature',
    });
  });

  it('a signed delivery lacking its event or delivery id is refused naming the header', async () => {
    expect(await verify(delivery({ 'X-GitHub-Event': undefined }), body)).toMatchObject({
      ok: false,
      reason: 'missing-event',
      detail: 'no X-GitHub-Event header',
    });
    expect(await verify(delivery({ 'X-GitHub-Delivery': '' }), body)).toMatchObject({
      ok: false,
      reason: 'missing-delivery',
    });
  });

  it('a form-encoded body, signed, is refused with the content-type fix', async () => {
    const form = 'payload=%7B%7D';
    expect(await verify(delivery({ 'X-Hub-Signature-256': sign(form) }), form)).toMatchObject({
      ok: false,
      reason: 'invalid-json',
    });
  });

  it('without a secret configured every delivery is refused, naming GITHUB_WEBHOOK_SECRET', async () => {
    expect(await createWebhookVerifier(undefined)(delivery(), body)).toMatchObject({
      ok: false,
      reason: 'not-configured',
      detail: expect.stringContaining('GITHUB_WEBHOOK_SECRET'),
    });
  });
});
