import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The variable that holds the dashboard's access token. */
export const TOKEN_VARIABLE = 'REPLICA_FLEET_UI_TOKEN';
/** Session cookie: HttpOnly, SameSite=Strict, set by the login form (or, without a token, on first visit). */
export const SESSION_COOKIE = 'rf_session';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `given` is the token, in constant time: both are hashed first, so neither the token's length
 * nor where the first difference lies shows in how long the comparison takes.
 */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(token));
}

/** The token of an `Authorization: Bearer …` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Sessions signed with a key that lives only in this process: a cookie is `id.signature`, and the
 * page's anti-forgery token is derived from the id, so nothing is stored and a restart signs everyone
 * out (they log in again with the token).
 */
export class Sessions {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  private sign(purpose: string, id: string): string {
    return createHmac('sha256', this.key).update(`${purpose}:${id}`).digest('base64url');
  }

  /** A new session's cookie value. */
  issue(): string {
    const id = randomBytes(18).toString('base64url');
    return `${id}.${this.sign('session', id)}`;
  }

  /** The session id of a cookie this process signed, else undefined. */
  verify(cookie: string | undefined): string | undefined {
    const [id, signature, extra] = (cookie ?? '').split('.');
    if (!id || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign('session', id));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }

  /** The anti-forgery token the session's forms carry. */
  formToken(sessionId: string): string {
    return this.sign('form', sessionId);
  }

  formTokenMatches(sessionId: string, given: string | undefined): boolean {
    return given !== undefined && tokenMatches(given, this.formToken(sessionId));
  }
}
