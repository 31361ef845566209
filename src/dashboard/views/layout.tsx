import type { Child } from 'hono/jsx';

export interface LayoutProps {
  title: string;
  /** Which section of the navigation is this page's. */
  section?: 'campaigns' | 'schedules';
  /** Live updates: the event stream to follow, or a period to poll, and where the page's parts come from. */
  live?: { events?: string; pollMs?: number; fragments: string };
  /** Loads the chart library (the campaign page only: the others stay small). */
  chart?: boolean;
  /** The form token, for pages with forms (sign-out). */
  formToken?: string;
  signedIn?: boolean;
  children?: Child;
}

/** Every page's frame: the navigation, the styles and scripts of this server only, no inline script. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · replica-fleet`}</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
        {props.chart && <link rel="stylesheet" href="/assets/uplot.min.css" />}
        {props.chart && <script src="/assets/uplot.iife.min.js" defer />}
        <script src="/assets/dashboard.js" defer />
      </head>
      <body
        data-events={props.live?.events}
        data-poll-ms={props.live?.pollMs}
        data-fragments={props.live?.fragments}
      >
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            replica-fleet
          </a>
          <nav aria-label="Sections">
            <a href="/" aria-current={props.section === 'campaigns' ? 'page' : undefined}>
              Campaigns
            </a>
            <a href="/schedules" aria-current={props.section === 'schedules' ? 'page' : undefined}>
              Schedules
            </a>
          </nav>
          <span class="live-status" role="status" aria-live="polite" data-live-status />
          {props.signedIn && props.formToken && (
            <form method="post" action="/logout" class="signout">
              <input type="hidden" name="csrf" value={props.formToken} />
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}
