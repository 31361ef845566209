import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE, bearerToken, tokenMatches, type Sessions } from './auth';
import { crossSiteRefusal, hostRefusal } from './request-origin';

/** What the access checks leave on the request for the routes. */
export interface AccessVariables {
  /** The browser session (absent for a request authorised by its bearer token alone). */
  sessionId?: string;
  /** The token signed this session in (always false without a token). */
  signedIn: boolean;
}

export interface AccessOptions {
  sessions: Sessions;
  /** Required on an exposed bind; without one, anyone who reaches loopback may look. */
  token?: string;
  /** Reachable from other machines: any `Host` is answered (the token guards it). */
  exposed: boolean;
  /** Answered without a session: the sign-in form and the page's own files. */
  isPublic(path: string): boolean;
  /** What an unauthorised browser gets (the sign-in form, 401). */
  refuse(c: Context, next: string): Response | Promise<Response>;
}

export function sessionCookie(c: Context, value: string): void {
  setCookie(c, SESSION_COOKIE, value, { httpOnly: true, sameSite: 'Strict', path: '/' });
}

/**
 * Who may ask: a loopback dashboard answers only requests addressed to loopback; with a token, every
 * request other than the sign-in form and the page's files needs `Authorization: Bearer TOKEN` or the
 * session cookie the sign-in form set. Without a token, a browser is given a session on its first
 * visit, for the form tokens of its actions.
 */
export function accessControl(options: AccessOptions): MiddlewareHandler<{ Variables: AccessVariables }> {
  return async (c, next) => {
    const refusedHost = hostRefusal(c.req.header('host'), options.exposed);
    if (refusedHost) return c.text(refusedHost, 403);
    let sessionId = options.sessions.verify(getCookie(c, SESSION_COOKIE));
    const bearer =
      options.token !== undefined && tokenMatches(bearerToken(c.req.header('authorization')), options.token);
    if (options.token !== undefined && !sessionId && !bearer && !options.isPublic(c.req.path)) {
      const url = new URL(c.req.url);
      return options.refuse(c, `${url.pathname}${url.search}`);
    }
    if (!sessionId && !bearer && options.token === undefined) {
      const cookie = options.sessions.issue();
      sessionCookie(c, cookie);
      sessionId = options.sessions.verify(cookie);
    }
    c.set('sessionId', sessionId);
    c.set('signedIn', options.token !== undefined && sessionId !== undefined);
    await next();
  };
}

/**
 * Every POST must come from this dashboard's own pages: the browser's `Sec-Fetch-Site` and `Origin`
 * must say so, and a form must carry its session's token. A request authorised by its bearer token
 * alone carries no ambient credential a foreign page could borrow, and needs no form token.
 */
export function forgeryGuard(
  sessions: Sessions,
  exempt: (path: string) => boolean,
): MiddlewareHandler<{ Variables: AccessVariables }> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const refusal = crossSiteRefusal({
      host: c.req.header('host'),
      origin: c.req.header('origin'),
      secFetchSite: c.req.header('sec-fetch-site'),
    });
    if (refusal) return c.text(refusal, 403);
    const sessionId = c.get('sessionId');
    if (sessionId === undefined || exempt(c.req.path)) return next();
    const form = await c.req.parseBody();
    const given = typeof form.csrf === 'string' ? form.csrf : undefined;
    if (!sessions.formTokenMatches(sessionId, given))
      return c.text('refused: the form is stale or from elsewhere; reload the page and try again', 403);
    return next();
  };
}
