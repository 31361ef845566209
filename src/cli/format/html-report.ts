import { pullRequestRow } from '../../campaign-client/pull-requests';
import {
  ITEM_STATES,
  mergedShare,
  pullRequestsOpened,
  type CampaignProgress,
  type ItemRecord,
  type ItemState,
} from '../../contracts';
import { burndown, CHART_STATES, type BurndownPoint } from './burndown';
import {
  campaignChangeBurndown,
  fixTurnMarks,
  type ChangeBurndownPoint,
  type FixTurnMark,
} from './change-burndown';
import { percent, pullRequestsText } from './progress';
import { checksText, fixTurnsCell, followsPullRequests } from './pull-request-cells';
import { prLabel, recordNote, summaryLine } from './records';
import { humanDuration, runMs, usd, utcTime } from './units';

const COLOURS: Record<ItemState, string> = {
  succeeded: '#2e9d57',
  failed: '#d64545',
  timed_out: '#e08a2c',
  cancelled: '#8a8f98',
  skipped: '#b9bec7',
  running: '#e8c547',
  pending: '#dfe6f0',
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const safeHref = (url: string) => (/^https?:\/\//i.test(url) ? escapeHtml(url) : undefined);

const CHART = { width: 880, height: 260, left: 48, right: 12, top: 12, bottom: 28 };

/** A fill drawn over a band's colour, so bands tell apart without it (and in greyscale print). */
type Texture = 'solid' | 'stripes' | 'dots' | 'cross';

/** One band of a stacked chart: its values at the chart's times, stacked on the bands before it. */
interface Band {
  /** Names the band in its path's data attribute (`data-state="failed"`, `data-series="merged"`). */
  name: string;
  label: string;
  colour: string;
  texture?: Texture;
  values: number[];
}

interface StackedChart {
  id: string;
  ariaLabel: string;
  /** The data attribute naming each band's path. */
  attribute: 'state' | 'series';
  times: number[];
  bands: Band[];
  /** The y axis' top. */
  total: number;
  /** Names each band at its right end with its last value (a label besides the colour). */
  endLabels?: boolean;
  /** A dashed line over the stack's top, named at its end (e.g. PRs opened, which the bands add up to). */
  outline?: { name: string; label: string };
  /** Moments marked by a tick on the time axis (e.g. fix turns), named with their count at its end. */
  marks?: { name: string; label: string; legend: string; times: { atMs: number; title: string }[] };
}

const patternId = (chartId: string, band: Band) => `${chartId}-${band.name}`;

function patternSvg(chartId: string, band: Band): string {
  const marks = {
    solid: '',
    stripes: '<path d="M0,0L0,6" stroke="#fff" stroke-width="2"/>',
    dots: '<circle cx="3" cy="3" r="1.2" fill="#fff"/>',
    cross: '<path d="M0,0L0,6M0,3L6,3" stroke="#fff" stroke-width="1.2"/>',
  }[band.texture ?? 'solid'];
  return `<pattern id="${patternId(chartId, band)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${band.colour}"/>${marks}</pattern>`;
}

const fillOf = (chartId: string, band: Band) =>
  band.texture ? `url(#${patternId(chartId, band)})` : band.colour;

/** Stacked areas over time, one SVG path per band, with their axes; times in UTC. */
function stackedChartSvg(chart: StackedChart): string {
  const right = chart.endLabels ? 120 : CHART.right;
  const w = CHART.width - CHART.left - right;
  const h = CHART.height - CHART.top - CHART.bottom;
  const first = chart.times[0] ?? 0;
  const span = Math.max(1, (chart.times.at(-1) ?? first) - first);
  const x = (t: number) => (CHART.left + ((t - first) / span) * w).toFixed(1);
  const y = (n: number) => (CHART.top + h - (n / Math.max(1, chart.total)) * h).toFixed(1);
  const areas: string[] = [];
  const labels: string[] = [];
  const below = chart.times.map(() => 0);
  for (const band of chart.bands) {
    const above = chart.times.map((_, i) => (below[i] ?? 0) + (band.values[i] ?? 0));
    if (above.every((n, i) => n === below[i])) continue;
    const top = chart.times.map((t, i) => `${i === 0 ? 'M' : 'L'}${x(t)},${y(above[i] ?? 0)}`);
    const bottom = chart.times.map((t, i) => `L${x(t)},${y(below[i] ?? 0)}`).reverse();
    areas.push(
      `<path class="area" data-${chart.attribute}="${band.name}" fill="${fillOf(chart.id, band)}" d="${top.join('')}${bottom.join('')}Z"><title>${escapeHtml(band.label)}</title></path>`,
    );
    const last = band.values.at(-1) ?? 0;
    if (chart.endLabels && last > 0) {
      const middle = ((below.at(-1) ?? 0) + (above.at(-1) ?? 0)) / 2;
      labels.push(
        `<text class="end-label" data-${chart.attribute}="${band.name}" x="${CHART.left + w + 6}" y="${y(middle)}" dominant-baseline="middle">${escapeHtml(band.label)} ${last}</text>`,
      );
    }
    above.forEach((n, i) => (below[i] = n));
  }
  const axis = CHART.top + h;
  // A tick below the time axis per moment, dark and two pixels wide whatever the bands' colours.
  const marks = chart.marks
    ? [
        ...chart.marks.times.map(
          (m) =>
            `<line class="mark" data-${chart.attribute}="${chart.marks?.name}" x1="${x(m.atMs)}" x2="${x(m.atMs)}" y1="${axis - 4}" y2="${axis + 7}" stroke="#1d232b" stroke-width="2"><title>${escapeHtml(m.title)}</title></line>`,
        ),
        `<text class="end-label" data-${chart.attribute}="${chart.marks.name}" x="${CHART.left + w + 6}" y="${axis + 4}" dominant-baseline="middle">${escapeHtml(chart.marks.label)} ${chart.marks.times.length}</text>`,
      ].join('')
    : '';
  const outline = chart.outline
    ? `<path class="line" data-${chart.attribute}="${chart.outline.name}" fill="none" stroke="#1d232b" stroke-width="1.5" stroke-dasharray="5 3" d="${chart.times.map((t, i) => `${i === 0 ? 'M' : 'L'}${x(t)},${y(below[i] ?? 0)}`).join('')}"><title>${escapeHtml(chart.outline.label)}</title></path>`
    : '';
  // Whole-count ticks, evenly spaced, the top one at the total.
  const step = Math.max(1, Math.ceil(chart.total / 4));
  const counts = [0];
  for (let n = step; n < chart.total - step / 2; n += step) counts.push(n);
  if (chart.total > 0) counts.push(chart.total);
  const yTicks = counts.map(
    (n) =>
      `<line x1="${CHART.left}" x2="${CHART.left + w}" y1="${y(n)}" y2="${y(n)}" class="grid"/><text x="${CHART.left - 6}" y="${y(n)}" text-anchor="end" dominant-baseline="middle">${n}</text>`,
  );
  // Over a day or more the date matters as much as the hour.
  const tickText = (t: number) => (span >= 86_400_000 ? utcTime(t).slice(5, 16) : utcTime(t).slice(11));
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const t = first + span * f;
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    return `<text x="${x(t)}" y="${CHART.height - 8}" text-anchor="${anchor}">${tickText(t)}</text>`;
  });
  const patterns = chart.bands.filter((b) => b.texture).map((b) => patternSvg(chart.id, b));
  const defs = patterns.length ? `<defs>${patterns.join('')}</defs>` : '';
  return `<svg id="${chart.id}" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="${escapeHtml(chart.ariaLabel)}">${defs}${yTicks.join('')}${areas.join('')}${outline}${labels.join('')}${marks}${xTicks.join('')}</svg>`;
}

/** The chart's key: each band's swatch (its texture as well as its colour) and name. */
function legendHtml(chart: StackedChart): string {
  const swatch = (band: Band) =>
    band.texture
      ? `<svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" fill="${fillOf(chart.id, band)}"/></svg>`
      : `<i style="background:${band.colour}"></i>`;
  const outline = chart.outline
    ? `<span data-${chart.attribute}="${chart.outline.name}"><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><path d="M0,6L12,6" stroke="#1d232b" stroke-width="1.5" stroke-dasharray="3 2"/></svg>${escapeHtml(chart.outline.label)}</span>`
    : '';
  const bands = chart.bands.map(
    (b) => `<span data-${chart.attribute}="${b.name}">${swatch(b)}${escapeHtml(b.label)}</span>`,
  );
  const marks = chart.marks
    ? `<span data-${chart.attribute}="${chart.marks.name}"><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><path d="M6,1L6,11" stroke="#1d232b" stroke-width="2"/></svg>${escapeHtml(chart.marks.legend)}</span>`
    : '';
  return `<div class="legend" id="${chart.id}-legend">${bands.join('')}${outline}${marks}</div>`;
}

/** Items by state over time, drawn from the item timings. */
function itemsChart(points: BurndownPoint[], total: number): StackedChart {
  return {
    id: 'burndown',
    ariaLabel: 'items by state over time',
    attribute: 'state',
    times: points.map((p) => p.atMs),
    bands: CHART_STATES.map((state) => ({
      name: state,
      label: state.replace('_', ' '),
      colour: COLOURS[state],
      values: points.map((p) => p.counts[state]),
    })),
    total,
  };
}

/**
 * The campaign's PRs over time: what landed at the bottom, what is still open on top. Colours from a
 * palette that colour-blind readers tell apart, each band with a texture and a name at its end too.
 */
function changesChart(points: ChangeBurndownPoint[], fixTurns: FixTurnMark[]): StackedChart {
  const band = (
    name: string,
    label: string,
    colour: string,
    texture: Texture,
    value: (p: ChangeBurndownPoint) => number,
  ): Band => ({ name, label, colour, texture, values: points.map(value) });
  return {
    id: 'pr-burndown',
    ariaLabel: 'pull requests over time: merged, closed, open and red, open and green',
    attribute: 'series',
    times: points.map((p) => p.atMs),
    bands: [
      band('merged', 'merged', '#0072b2', 'solid', (p) => p.merged),
      band('closed', 'closed', '#8a8f98', 'dots', (p) => p.closed),
      band('openGreen', 'open, green', '#009e73', 'stripes', (p) => p.openGreen),
      band('openRed', 'open, red', '#d55e00', 'cross', (p) => p.openRed),
    ],
    total: points.at(-1)?.opened ?? 0,
    endLabels: true,
    outline: { name: 'opened', label: 'opened' },
    ...(fixTurns.length > 0 && {
      marks: {
        name: 'fixTurns',
        label: 'fix turns',
        legend: `fix turn sent (a tick on the time axis; ${fixTurns.length} in all)`,
        times: fixTurns.map((t) => ({
          atMs: t.atMs,
          title: `fix turn ${t.number} on ${t.key} (${t.cause}) at ${utcTime(t.atMs)} UTC`,
        })),
      },
    }),
  };
}

/** The PR chart and its key, or why there is none. */
function changesSection(points: ChangeBurndownPoint[], fixTurns: FixTurnMark[]): string {
  if (points.length === 0)
    return '<p class="sub" id="pr-burndown-none">No pull request has been read from the code host yet.</p>';
  const chart = changesChart(points, fixTurns);
  return `${stackedChartSvg(chart)}\n${legendHtml(chart)}`;
}

function summaryHtml(p: CampaignProgress): string {
  const rows: [string, string][] = [
    ['state', p.state],
    ['items', String(p.total)],
    ...ITEM_STATES.filter((s) => p.counts[s] > 0).map((s): [string, string] => [
      s.replace('_', ' '),
      String(p.counts[s]),
    ]),
    ['pull requests', String(p.prsOpened)],
    ...(p.outcomes?.succeededWithoutPr
      ? [['succeeded without a PR', String(p.outcomes.succeededWithoutPr)] as [string, string]]
      : []),
    ...(p.outcomes?.failedWithPr
      ? [['failed with a PR', String(p.outcomes.failedWithPr)] as [string, string]]
      : []),
    ...changeSummaryRows(p),
    ['spent', usd(p.spentUsd)],
    ['projected', usd(p.projectedUsd)],
    ...(p.budgetUsd === undefined ? [] : [['budget', usd(p.budgetUsd)] as [string, string]]),
    ['concurrency', String(p.concurrency)],
    ['started', `${utcTime(Date.parse(p.startedAt))} UTC`],
    ...(p.finishedAt ? [['finished', `${utcTime(Date.parse(p.finishedAt))} UTC`] as [string, string]] : []),
  ];
  return rows.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('');
}

/** Where the campaign's PRs stand in the summary: the share merged and the fix turns sent. */
function changeSummaryRows(p: CampaignProgress): [string, string][] {
  const c = p.pullRequests;
  if (!c) return [];
  const opened = pullRequestsOpened(c);
  return [
    ['merged', `${percent(mergedShare(c.merged, opened))} (${c.merged} of ${opened})`],
    ['fix turns', String(c.fixTurns ?? 0)],
  ];
}

/**
 * The PR's state, checks (the failing ones named), review and mergeability, as the code host last
 * told, and the fix turns the campaign sent on it.
 */
function changeCellsHtml(r: ItemRecord): string[] {
  const row = pullRequestRow(r);
  const cells = row ? [row.state, checksText(row), row.review, row.mergeability] : ['', '', '', ''];
  const fixTurns = fixTurnsCell(r);
  return [
    ...cells.map(
      (text, i) => `<td${i === 0 && text ? ` data-pr-state="${text}"` : ''}>${escapeHtml(text)}</td>`,
    ),
    `<td data-sort="${fixTurns || -1}">${fixTurns}</td>`,
  ];
}

function rowHtml(r: ItemRecord, nowMs: number, tracked: boolean): string {
  const ms = runMs(r, nowMs);
  const prs = (r.prs ?? [])
    .map((url) => {
      const href = safeHref(url);
      return href ? `<a href="${href}">${escapeHtml(prLabel(url))}</a>` : escapeHtml(url);
    })
    .join(' ');
  const note = recordNote(r);
  const message = r.lastMessage ? `<div class="msg">${escapeHtml(r.lastMessage)}</div>` : '';
  const cells = [
    `<td>${escapeHtml(r.key)}</td>`,
    `<td><span class="state" style="background:${COLOURS[r.state]}">${r.state.replace('_', ' ')}</span></td>`,
    `<td>${escapeHtml(r.repository ?? '')}</td>`,
    `<td data-sort="${r.attempt}">${r.attempt}</td>`,
    `<td>${prs}</td>`,
    ...(tracked ? changeCellsHtml(r) : []),
    `<td>${escapeHtml(r.branch ?? '')}</td>`,
    `<td data-sort="${ms ?? -1}">${ms === undefined ? '' : humanDuration(ms)}</td>`,
    `<td data-sort="${r.costUsd ?? -1}">${r.costUsd === undefined ? '' : usd(r.costUsd)}</td>`,
    `<td>${escapeHtml(note)}${message}</td>`,
  ];
  return `<tr data-state="${r.state}">${cells.join('')}</tr>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d232b;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.sub{color:#5b6470;margin:0 0 16px}
dl{display:flex;flex-wrap:wrap;gap:8px 24px;margin:0}dl div{min-width:90px}dt{color:#5b6470;font-size:12px}dd{margin:0;font-weight:600}
svg{width:100%;max-width:880px;height:auto;font-size:11px;fill:#5b6470}.grid{stroke:#e6e9ee}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;margin:4px 0 0}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}.legend .swatch{width:12px;height:12px;margin-right:4px;vertical-align:-1px}.end-label{fill:#1d232b}
.controls{display:flex;gap:12px;align-items:center;margin:0 0 8px}input,select{font:inherit;padding:4px 6px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f6f8fa;position:sticky;top:0}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
.state{padding:1px 6px;border-radius:8px;font-size:12px;white-space:nowrap}.msg{color:#5b6470;font-size:12px;white-space:pre-wrap;max-width:60ch}
#shown{color:#5b6470}td:first-child{white-space:nowrap}`;

// Sorts on a header click (numbers by data-sort), filters by text and state, and says how many rows show.
const SCRIPT = `(function(){
var table=document.getElementById('items'),body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
var text=document.getElementById('filter'),state=document.getElementById('state-filter'),shown=document.getElementById('shown');
var column=-1,direction=1;
function filter(){var q=text.value.toLowerCase(),s=state.value,n=0;
rows.forEach(function(r){var ok=(!s||r.getAttribute('data-state')===s)&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);r.hidden=!ok;if(ok)n++;});
shown.textContent=n+' of '+rows.length+' items shown';}
table.tHead.addEventListener('click',function(e){var th=e.target.closest('th');if(!th)return;
var i=th.cellIndex,numeric=th.getAttribute('data-type')==='number';direction=i===column?-direction:1;column=i;
var key=function(r){var c=r.cells[i];var v=c.getAttribute('data-sort');return v===null?c.textContent:v;};
rows.sort(function(a,b){var x=key(a),y=key(b);return direction*(numeric?parseFloat(x)-parseFloat(y):x.localeCompare(y));});
rows.forEach(function(r){body.appendChild(r);});
Array.prototype.forEach.call(th.parentNode.cells,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',direction>0?'ascending':'descending');});
text.addEventListener('input',filter);state.addEventListener('change',filter);filter();})();`;

/**
 * One self-contained HTML file (inline CSS, SVG and script; nothing fetched): the summary, a chart of
 * items by state over time drawn from the item timings, when the campaign follows its PRs a chart of
 * what landed, and a sortable, filterable table of items.
 */
export function htmlReport(progress: CampaignProgress, records: readonly ItemRecord[], nowMs = Date.now()) {
  const items = itemsChart(burndown(records, { nowMs }), records.length);
  const tracked = followsPullRequests(records);
  const standing = pullRequestsText(progress);
  const changes = tracked
    ? `<h2>Pull requests over time (UTC)</h2>
${standing ? `<p class="sub">${escapeHtml(standing)}</p>\n` : ''}${changesSection(campaignChangeBurndown(progress, records, nowMs), fixTurnMarks(records))}
`
    : '';
  const title = `${progress.campaignId}${progress.name ? ` — ${progress.name}` : ''}`;
  const headers: [string, string?][] = [
    ['Item'],
    ['State'],
    ['Repository'],
    ['Run', 'number'],
    ['Pull requests'],
    ...(tracked
      ? ([['PR state'], ['Checks'], ['Review'], ['Mergeable'], ['Fix turns', 'number']] as [
          string,
          string?,
        ][])
      : []),
    ['Branch'],
    ['Time', 'number'],
    ['Cost', 'number'],
    ['Error / last message'],
  ];
  const options = ITEM_STATES.filter((s) => records.some((r) => r.state === s))
    .map((s) => `<option value="${s}">${s.replace('_', ' ')}</option>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Campaign ${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>Campaign ${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(summaryLine(progress))} · report of ${utcTime(nowMs)} UTC</p>
<dl id="summary">${summaryHtml(progress)}</dl>
<h2>Items by state over time (UTC)</h2>
${stackedChartSvg(items)}
${legendHtml(items)}
${changes}<h2>Items</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: key, repository, error…" aria-label="filter items">
<select id="state-filter" aria-label="state"><option value="">every state</option>${options}</select><span id="shown">${records.length} items</span></div>
<table id="items"><thead><tr>${headers.map(([h, type]) => `<th${type ? ` data-type="${type}"` : ''}>${h}</th>`).join('')}</tr></thead>
<tbody>${records.map((r) => rowHtml(r, nowMs, tracked)).join('\n')}</tbody></table>
<script>${SCRIPT}</script>
</body></html>
`;
}
