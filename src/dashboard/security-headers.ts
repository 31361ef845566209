import { secureHeaders } from 'hono/secure-headers';

const SELF = ["'self'"];
const NONE = ["'none'"];

/**
 * Every answer's security headers. Scripts and styles come from this server only and never inline
 * (agent output shown on a page cannot run, even if escaping failed somewhere); no page may be framed
 * (clickjacking an action's confirmation); no referrer goes to another origin. (`no-referrer` would
 * also make the browser send `Origin: null` on the dashboard's own forms, which the forgery guard refuses.)
 */
export const dashboardSecurityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: NONE,
      scriptSrc: SELF,
      styleSrc: SELF,
      imgSrc: [...SELF, 'data:'],
      connectSrc: SELF,
      formAction: SELF,
      frameAncestors: NONE,
      baseUri: NONE,
      objectSrc: NONE,
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
    // Served over plain HTTP unless a proxy adds TLS in front: HSTS is that proxy's to send.
    strictTransportSecurity: false,
  });
