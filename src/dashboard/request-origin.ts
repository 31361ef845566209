/** The headers a browser sends that say where a request comes from. */
export interface OriginHeaders {
  host?: string;
  origin?: string;
  secFetchSite?: string;
}

/**
 * Why a state-changing request (an action, the login form) is refused as coming from another site, or
 * undefined when it may go on. Browsers say where a request comes from in `Sec-Fetch-Site` and
 * `Origin`; either, when sent, must name this dashboard. Their absence (an old browser, a script)
 * leaves the per-session form token as the defence.
 */
export function crossSiteRefusal(headers: OriginHeaders): string | undefined {
  if (headers.secFetchSite !== undefined && headers.secFetchSite !== 'same-origin')
    return `refused: the request came from another site (Sec-Fetch-Site: ${headers.secFetchSite})`;
  if (headers.origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(headers.origin).host;
    } catch {
      host = undefined;
    }
    // Behind a TLS proxy the scheme differs from the server's own: the host is what must agree.
    if (host === undefined || host !== headers.host)
      return `refused: the request came from another origin (${headers.origin})`;
  }
  return undefined;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether `host` is a loopback address, as a bind address or a `Host` header's name. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The name of a `Host` header (`127.0.0.1:8790` → `127.0.0.1`, `[::1]:8790` → `[::1]`). */
export function hostName(hostHeader: string): string {
  return hostHeader.startsWith('[')
    ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
    : hostHeader.split(':')[0]!;
}

/**
 * A dashboard on loopback answers only requests addressed to loopback: a page elsewhere that points a
 * name of its own at 127.0.0.1 (DNS rebinding) would otherwise read it as same-origin.
 */
export function hostRefusal(hostHeader: string | undefined, exposed: boolean): string | undefined {
  if (exposed) return undefined;
  if (hostHeader === undefined || !isLoopback(hostName(hostHeader)))
    return `refused: this dashboard answers on loopback only (Host: ${hostHeader ?? 'none'})`;
  return undefined;
}
