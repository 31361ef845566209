import { accepts } from '../../campaign-client/accepted-commands';
import { describeStopReason, type CampaignProgress, type ItemEvent } from '../../contracts';
import { humanDuration, usd } from '../format/units';
import { outcomeParts, pullRequestsText } from '../format/progress';

/** One look at a campaign, with what the watcher derived from the looks before it. */
export interface WatchFrame {
  progress: CampaignProgress;
  nowMs: number;
  /** Items finishing per second, lately; undefined until it can be told. */
  itemsPerSecond?: number;
  /** Time until nothing is left to run at that rate; undefined when unknown or not moving. */
  etaMs?: number;
}

export interface ViewOptions {
  /** Terminal columns: every line is cut to fit, so a redraw moves up exactly as many lines. */
  width: number;
  colour: boolean;
  /** How many of the latest item events to show. */
  events?: number;
}

/** `tracking`: the agents are done; their PRs are followed for days, which nobody watches live. */
const ENDED = new Set(['tracking', 'finished', 'closed']);

/** Whether a watcher can stop: nothing runs or will start without someone acting. */
export function watchEnded(p: CampaignProgress): boolean {
  return ENDED.has(p.state) || (p.state === 'cancelled' && p.counts.running === 0);
}

export function finishedCount(p: CampaignProgress): number {
  return p.total - p.counts.pending - p.counts.running;
}

const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

/** Counts worth a glance: the usual four always, the rarer states only when they happened. */
function countParts(p: CampaignProgress): string[] {
  const c = p.counts;
  const parts = [`succeeded ${c.succeeded}`, `failed ${c.failed}`];
  if (c.timed_out) parts.push(`timed out ${c.timed_out}`);
  parts.push(`running ${c.running}`, `pending ${c.pending}`);
  if (c.cancelled) parts.push(`cancelled ${c.cancelled}`);
  if (c.skipped) parts.push(`skipped ${c.skipped}`);
  return [...parts, ...outcomeParts(p)];
}

function spendText(p: CampaignProgress): string {
  const budget = p.budgetUsd === undefined ? '' : ` of ${usd(p.budgetUsd)} budget`;
  return `spent ${usd(p.spentUsd)}, projected ${usd(p.projectedUsd)}${budget}`;
}

function paceText(frame: WatchFrame): string {
  const p = frame.progress;
  if (watchEnded(p) && p.finishedAt)
    return `took ${humanDuration(Date.parse(p.finishedAt) - Date.parse(p.startedAt))}`;
  if (finishedCount(p) === 0) return 'waiting for the first item to finish';
  if (frame.itemsPerSecond === undefined) return 'rate: measuring';
  const rate =
    frame.itemsPerSecond >= 0.1
      ? `${frame.itemsPerSecond.toFixed(1)} items/s`
      : `${(frame.itemsPerSecond * 60).toFixed(1)} items/min`;
  return `${rate}${frame.etaMs === undefined ? '' : `, ETA ${humanDuration(frame.etaMs)}`}`;
}

/**
 * What the user can do next: resume or approve a campaign that holds its starts, look at failures
 * (and retry them, where the campaign's state accepts it).
 */
function hint(p: CampaignProgress): string | undefined {
  if (p.state === 'paused')
    return `paused: 'replica-fleet campaign resume ${p.campaignId}' starts items again`;
  if (p.state === 'awaiting_approval')
    return `wave ${(p.rollout?.wave ?? 0) + 1} done: 'replica-fleet campaign approve ${p.campaignId}' opens the next`;
  const failed = p.counts.failed + p.counts.timed_out;
  if (watchEnded(p) && failed > 0) {
    const retry = accepts(p.state, 'retry-failed')
      ? `, 'campaign retry-failed ${p.campaignId}' re-runs them`
      : '';
    return `${failed} failed: 'replica-fleet campaign results ${p.campaignId} --state failed' lists them, 'campaign item ${p.campaignId} KEY' shows one${retry}`;
  }
  return undefined;
}

const EVENT_LABEL: Record<ItemEvent['kind'], string> = {
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'timed out',
  cancelled: 'cancelled',
  skipped: 'skipped',
  retried: 'retried',
  'fix-turn': 'fix turn',
};

/** `14:05:03 PR opened  acme__web  https://…`: the same words on and off a terminal. */
export function eventLine(event: ItemEvent): string {
  const label =
    event.kind === 'succeeded' ? (event.detail ? 'PR opened' : 'done, no PR') : EVENT_LABEL[event.kind];
  return [clock(event.atMs), label.padEnd(11), event.key, event.detail ?? '']
    .filter(Boolean)
    .join('  ')
    .trimEnd();
}

/** Events of `next` not in `previous`; events are compared by time, key and kind. */
export function newEvents(previous: readonly ItemEvent[], next: readonly ItemEvent[]): ItemEvent[] {
  const seen = new Set(previous.map((e) => `${e.atMs}|${e.key}|${e.kind}`));
  return next.filter((e) => !seen.has(`${e.atMs}|${e.key}|${e.kind}`));
}

function bar(p: CampaignProgress, width: number, colour: boolean): string {
  const total = Math.max(1, p.total);
  const cells = (n: number) => Math.round((n / total) * width);
  const ok = cells(p.counts.succeeded);
  const bad = Math.min(width - ok, cells(p.counts.failed + p.counts.timed_out));
  const other = Math.min(width - ok - bad, cells(p.counts.cancelled + p.counts.skipped));
  const running = Math.min(width - ok - bad - other, cells(p.counts.running));
  const rest = width - ok - bad - other - running;
  return (
    paint(colour, '32', '█'.repeat(ok)) +
    paint(colour, '31', '█'.repeat(bad)) +
    paint(colour, '90', '█'.repeat(other)) +
    paint(colour, '33', '▒'.repeat(running)) +
    '░'.repeat(rest)
  );
}

const fit = (line: string, width: number) => (line.length > width ? `${line.slice(0, width - 1)}…` : line);

/** The terminal view: a block of lines redrawn in place every second. */
export function renderWatch(frame: WatchFrame, options: ViewOptions): string[] {
  const p = frame.progress;
  const width = Math.max(20, options.width - 1);
  const elapsed = humanDuration(frame.nowMs - Date.parse(p.startedAt));
  const finished = finishedCount(p);
  const percent = p.total === 0 ? 0 : Math.floor((finished / p.total) * 100);
  const tail = `  ${String(percent).padStart(3)}%  ${finished}/${p.total} done`;
  const barWidth = Math.max(10, Math.min(50, width - tail.length));
  const state = paint(options.colour, '1', p.state);
  const title = fit(
    `${p.campaignId}${p.name ? ` (${p.name})` : ''}`,
    Math.max(10, width - p.state.length - 16),
  );
  const lines = [
    `${title} · ${state} · ${elapsed}`,
    bar(p, barWidth, options.colour) + tail,
    fit(countParts(p).join('  '), width),
    fit(`${paceText(frame)} · PRs ${p.prsOpened} · ${spendText(p)}`, width),
  ];
  const changes = pullRequestsText(p);
  if (changes) lines.push(fit(changes, width));
  if (p.rollout)
    lines.push(
      fit(`rollout: wave ${p.rollout.wave + 1} of ${p.rollout.waves}, concurrency ${p.concurrency}`, width),
    );
  if (p.stopReason) lines.push(fit(`not starting new items: ${describeStopReason(p.stopReason)}`, width));
  const advice = hint(p);
  if (advice) lines.push(fit(advice, width));
  const shown = p.recent.slice(-(options.events ?? 8));
  if (shown.length) {
    lines.push('latest:');
    for (const event of shown) lines.push(fit(`  ${eventLine(event)}`, width));
  }
  return lines;
}

/**
 * What a change is, off a terminal: state and counts, spend, stop reason. Rate and ETA move every
 * second and are not changes by themselves.
 */
export function statusSignature(p: CampaignProgress): string {
  return JSON.stringify([
    p.state,
    p.counts,
    p.prsOpened,
    p.outcomes,
    p.pullRequests,
    p.spentUsd,
    p.stopReason?.kind,
    p.concurrency,
  ]);
}

/** One plain line per change, for logs and pipes: no colour, no cursor movement. */
export function statusLine(frame: WatchFrame): string {
  const p = frame.progress;
  const finished = finishedCount(p);
  const percent = p.total === 0 ? 0 : Math.floor((finished / p.total) * 100);
  const parts = [
    `${clock(frame.nowMs)} ${p.campaignId} ${p.state}: ${finished}/${p.total} done (${percent}%)`,
    countParts(p).join(', '),
    `PRs ${p.prsOpened}`,
    ...[pullRequestsText(p)].filter((text): text is string => text !== undefined),
    spendText(p),
    paceText(frame),
  ];
  if (p.stopReason) parts.push(`not starting new items: ${describeStopReason(p.stopReason)}`);
  const advice = hint(p);
  if (advice) parts.push(advice);
  return parts.join(' | ');
}
