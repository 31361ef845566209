import type { Child } from 'hono/jsx';
import type { ItemState } from '../../contracts';
import { utcTime } from '../../cli/format/units';

/**
 * Each state's mark: states read by shape and word, not by colour alone (the colours, from the
 * Okabe-Ito palette, are a help for those who see them).
 */
const STATE_MARKS: Record<string, string> = {
  pending: '○',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  timed_out: '◷',
  cancelled: '⊘',
  skipped: '↷',
  paused: '‖',
  awaiting_approval: '◐',
  tracking: '◔',
  finished: '✓',
  closed: '■',
  open: '○',
  draft: '◌',
  merged: '✓',
  passing: '✓',
  failing: '✗',
  started: '▶',
  retried: '↻',
  'fix-turn': '✎',
};

/** A state as a badge: mark, word and colour class (`state-failed`). */
export function Badge({ state, label }: { state: ItemState | string; label?: string }) {
  return (
    <span class={`badge state-${state}`}>
      <span aria-hidden="true">{STATE_MARKS[state] ?? '•'}</span> {label ?? state.replace(/_/g, ' ')}
    </span>
  );
}

/** A moment in UTC, with the machine-readable time for assistive tools. */
export function Time({ ms }: { ms: number | undefined }) {
  if (ms === undefined || Number.isNaN(ms)) return <span class="muted">–</span>;
  return <time datetime={new Date(ms).toISOString()}>{utcTime(ms)}</time>;
}

/** A link only to http(s) addresses: a URL from a record never becomes a `javascript:` link. */
export function SafeLink({ href, children }: { href: string | undefined; children?: Child }) {
  if (!href || !/^https?:\/\//i.test(href)) return <span>{children}</span>;
  return (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank">
      {children}
    </a>
  );
}

export const campaignPath = (campaignId: string) => `/campaigns/${encodeURIComponent(campaignId)}`;
export const itemPath = (campaignId: string, key: string) =>
  `${campaignPath(campaignId)}/item?key=${encodeURIComponent(key)}`;

/** A term and its value in a `<dl>` of facts. */
export function Fact({ term, children, name }: { term: string; children?: Child; name?: string }) {
  return (
    <div class="fact">
      <dt>{term}</dt>
      <dd data-fact={name}>{children}</dd>
    </div>
  );
}
