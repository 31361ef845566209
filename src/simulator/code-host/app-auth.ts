import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';

/** A GitHub App the code host trusts: its id and the public half of the key it signs JWTs with. */
export interface CodeHostApp {
  appId: number;
  publicKey: string;
  /** The installation on the simulated organisation: webhook bodies name it (default 1). */
  installationId?: number;
}

/**
 * Checks the JWT a GitHub App sends to `POST /app/installations/{id}/access_tokens` as GitHub does:
 * RS256 over `header.payload` with the app's key, `iss` the app id, `exp` in the future and at most
 * ten minutes after `iat`. Returns the reason it is refused, or undefined when it is good.
 */
export function jwtProblem(token: string, app: CodeHostApp, at = Date.now()): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return 'A JSON web token could not be decoded';
  const [header, payload, signature] = parts as [string, string, string];
  let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 'A JSON web token could not be decoded';
  }
  if (alg !== 'RS256') return 'A JSON web token could not be decoded';
  const key: KeyObject = createPublicKey(app.publicKey);
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    key,
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return 'A JSON web token could not be decoded';
  if (String(claims.iss) !== String(app.appId)) return `'Issuer' claim ('iss') must be an Integer`;
  const seconds = Math.floor(at / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= seconds)
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  if (typeof claims.iat !== 'number' || claims.exp - claims.iat > 600)
    return "'Expiration time' claim ('exp') is too far in the future";
  return undefined;
}

/** An installation token in GitHub's format, `ghs_` and 36 characters. */
export function installationToken(): string {
  return `ghs_${randomBytes(27).toString('base64url').slice(0, 36)}`;
}
