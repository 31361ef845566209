import { describe, expect, it } from 'vitest';
import { Sessions, bearerToken, tokenMatches } from '../../src/dashboard/auth';
import { crossSiteRefusal, hostRefusal } from '../../src/dashboard/request-origin';

describe('the dashboard token', () => {
  const token = 'a7f3c0d9e1b24f6a8c5d7e9f0a1b2c3d';

  it('matches only itself, whatever the length given', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(`${token}x`, token)).toBe(false);
    expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(tokenMatches('', token)).toBe(false);
    expect(tokenMatches(undefined, token)).toBe(false);
  });

  it('is read from an Authorization: Bearer header only', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer  ${token} `)).toBe(token);
    expect(bearerToken(`Basic ${token}`)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('sessions and their form tokens', () => {
  it('a cookie verifies only as this process signed it', () => {
    const sessions = new Sessions();
    const cookie = sessions.issue();
    const id = sessions.verify(cookie);
    expect(id).toBeDefined();
    const [sid, signature] = cookie.split('.');
    expect(sessions.verify(`${sid}x.${signature}`)).toBeUndefined();
    // The first character changed (the last one's spare bits may decode to the same bytes).
    const tampered = `${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
    expect(sessions.verify(`${sid}.${tampered}`)).toBeUndefined();
    expect(sessions.verify(`${cookie}.more`)).toBeUndefined();
    expect(sessions.verify(undefined)).toBeUndefined();
    expect(new Sessions().verify(cookie)).toBeUndefined(); // another process (a restart) signs everyone out
  });

  it("a form token belongs to its session: another session's is refused", () => {
    const sessions = new Sessions();
    const a = sessions.verify(sessions.issue()) as string;
    const b = sessions.verify(sessions.issue()) as string;
    expect(sessions.formTokenMatches(a, sessions.formToken(a))).toBe(true);
    expect(sessions.formTokenMatches(a, sessions.formToken(b))).toBe(false);
    expect(sessions.formTokenMatches(a, undefined)).toBe(false);
    expect(sessions.formTokenMatches(a, '')).toBe(false);
  });
});

describe('requests from another site', () => {
  const host = '127.0.0.1:8790';

  it("the dashboard's own pages pass; another site, a null origin or another host are refused", () => {
    expect(
      crossSiteRefusal({ host, origin: 'http://127.0.0.1:8790', secFetchSite: 'same-origin' }),
    ).toBeUndefined();
    // Behind a TLS proxy the scheme differs; the host decides.
    expect(crossSiteRefusal({ host, origin: 'https://127.0.0.1:8790' })).toBeUndefined();
    expect(crossSiteRefusal({ host })).toBeUndefined();
    expect(crossSiteRefusal({ host, secFetchSite: 'cross-site' })).toMatch(/Sec-Fetch-Site: cross-site/);
    expect(crossSiteRefusal({ host, secFetchSite: 'same-site' })).toMatch(/another site/);
    expect(crossSiteRefusal({ host, origin: 'http://evil.example' })).toMatch(
      /another origin \(http:\/\/evil\.example\)/,
    );
    expect(crossSiteRefusal({ host, origin: 'null' })).toMatch(/another origin \(null\)/);
    expect(crossSiteRefusal({ host, origin: 'http://127.0.0.1:9999' })).toMatch(/another origin/);
  });

  it('a loopback dashboard answers loopback names only (DNS rebinding); an exposed one any', () => {
    for (const name of ['127.0.0.1:8790', 'localhost:8790', '[::1]:8790', 'localhost'])
      expect(hostRefusal(name, false)).toBeUndefined();
    expect(hostRefusal('attacker.example:8790', false)).toMatch(
      /loopback only \(Host: attacker\.example:8790\)/,
    );
    expect(hostRefusal(undefined, false)).toMatch(/Host: none/);
    expect(hostRefusal('dashboard.corp:443', true)).toBeUndefined();
  });
});
