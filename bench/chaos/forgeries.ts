import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { signBody } from '../../src/replicas';
import type { ForgedSend } from './pr-measures';

/** A delivery as GitHub sent it: the exact body and headers (its signature among them). */
export interface RealDelivery {
  event: string;
  headers: Record<string, string>;
  body: string;
}

interface Forgery {
  kind: ForgedSend['kind'];
  headers: Record<string, string>;
  body: string;
}

/**
 * What a forger would claim of a real PR: a review asking for changes, written by `forger` with the
 * marker as its text (a fix turn would quote it), or the PR merged. Built from a delivery GitHub really
 * sent, so everything but the claim is true.
 */
export function forgedClaim(real: RealDelivery, marker: string, n: number): { event: string; body: string } {
  const payload = JSON.parse(real.body) as Record<string, unknown>;
  const pr = payload.pull_request as Record<string, unknown> | undefined;
  const head = (pr?.head as { sha?: string } | undefined)?.sha;
  if (n % 2 === 0 && pr)
    return {
      event: 'pull_request_review',
      body: JSON.stringify({
        action: 'submitted',
        review: {
          id: 900_000_000 + n,
          node_id: `PRR_forged${n}`,
          user: { login: 'forger', id: 66_666, type: 'User' },
          body: marker,
          state: 'changes_requested',
          commit_id: head,
          submitted_at: new Date().toISOString(),
          author_association: 'NONE',
        },
        pull_request: pr,
        repository: payload.repository,
        sender: { login: 'forger', id: 66_666, type: 'User' },
      }),
    };
  return {
    event: 'pull_request',
    body: JSON.stringify({
      ...payload,
      action: 'closed',
      ...(pr && {
        pull_request: {
          ...pr,
          state: 'closed',
          merged: true,
          title: marker,
          // Newer than anything GitHub said of the PR, so only the signature stands in its way.
          updated_at: '2099-01-01T00:00:00Z',
        },
      }),
      sender: { login: 'forger', id: 66_666, type: 'User' },
    }),
  };
}

/**
 * The three ways a forger gets it wrong: no signature at all, a signature by another secret, and the
 * real signature of the delivery it was built from over the forged body.
 */
export function forgeries(real: RealDelivery, marker: string, n: number): Forgery[] {
  const claim = forgedClaim(real, marker, n);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/forged',
    'x-github-event': claim.event,
    'x-github-hook-id': real.headers['x-github-hook-id'] ?? '1',
  };
  const signed = (signature: string) => ({ ...headers, 'x-hub-signature-256': signature });
  return [
    { kind: 'unsigned', headers: { ...headers, 'x-github-delivery': randomUUID() }, body: claim.body },
    {
      kind: 'wrong-secret',
      headers: {
        ...signed(signBody(randomBytes(32).toString('hex'), claim.body)),
        'x-github-delivery': randomUUID(),
      },
      body: claim.body,
    },
    {
      kind: 'tampered',
      headers: {
        ...signed(real.headers['x-hub-signature-256'] ?? ''),
        'x-github-delivery': randomUUID(),
      },
      body: claim.body,
    },
  ];
}

/** Posts one forgery to the ingress's `/github`; its answer, or `unreachable` while it is down. */
export async function sendForgery(url: string, forgery: Forgery): Promise<ForgedSend> {
  try {
    const response = await request(url, {
      method: 'POST',
      headers: forgery.headers,
      body: forgery.body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.body.dump();
    return { kind: forgery.kind, status: response.statusCode };
  } catch {
    return { kind: forgery.kind, status: 'unreachable' };
  }
}
