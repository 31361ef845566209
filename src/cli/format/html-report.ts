import { ITEM_STATES, type CampaignProgress, type ItemRecord, type ItemState } from '../../contracts';
import { burndown, CHART_STATES, type BurndownPoint } from './burndown';
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

/** The stacked areas of the chart, one SVG path per state, plus its axes. */
function chartSvg(points: BurndownPoint[], total: number): string {
  const w = CHART.width - CHART.left - CHART.right;
  const h = CHART.height - CHART.top - CHART.bottom;
  const first = points[0]?.atMs ?? 0;
  const span = Math.max(1, (points.at(-1)?.atMs ?? first) - first);
  const x = (t: number) => (CHART.left + ((t - first) / span) * w).toFixed(1);
  const y = (n: number) => (CHART.top + h - (n / Math.max(1, total)) * h).toFixed(1);
  const areas: string[] = [];
  const below = points.map(() => 0);
  for (const state of CHART_STATES) {
    const above = points.map((p, i) => (below[i] ?? 0) + p.counts[state]);
    if (above.every((n, i) => n === below[i])) continue;
    const top = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.atMs)},${y(above[i] ?? 0)}`);
    const bottom = points.map((p, i) => `L${x(p.atMs)},${y(below[i] ?? 0)}`).reverse();
    areas.push(
      `<path class="area" data-state="${state}" fill="${COLOURS[state]}" d="${top.join('')}${bottom.join('')}Z"><title>${state.replace('_', ' ')}</title></path>`,
    );
    above.forEach((n, i) => (below[i] = n));
  }
  // Whole-item ticks, evenly spaced, the top one at the total.
  const step = Math.max(1, Math.ceil(total / 4));
  const counts = [0];
  for (let n = step; n < total - step / 2; n += step) counts.push(n);
  if (total > 0) counts.push(total);
  const yTicks = counts.map(
    (n) =>
      `<line x1="${CHART.left}" x2="${CHART.left + w}" y1="${y(n)}" y2="${y(n)}" class="grid"/><text x="${CHART.left - 6}" y="${y(n)}" text-anchor="end" dominant-baseline="middle">${n}</text>`,
  );
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const t = first + span * f;
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    return `<text x="${x(t)}" y="${CHART.height - 8}" text-anchor="${anchor}">${utcTime(t).slice(11)}</text>`;
  });
  return `<svg id="burndown" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="items by state over time">${yTicks.join('')}${areas.join('')}${xTicks.join('')}</svg>`;
}

function legend(): string {
  return CHART_STATES.map(
    (s) => `<span><i style="background:${COLOURS[s]}"></i>${s.replace('_', ' ')}</span>`,
  ).join('');
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
    ['spent', usd(p.spentUsd)],
    ['projected', usd(p.projectedUsd)],
    ...(p.budgetUsd === undefined ? [] : [['budget', usd(p.budgetUsd)] as [string, string]]),
    ['concurrency', String(p.concurrency)],
    ['started', `${utcTime(Date.parse(p.startedAt))} UTC`],
    ...(p.finishedAt ? [['finished', `${utcTime(Date.parse(p.finishedAt))} UTC`] as [string, string]] : []),
  ];
  return rows.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('');
}

function rowHtml(r: ItemRecord, nowMs: number): string {
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
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;margin:4px 0 0}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
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
 * items by state over time drawn from the item timings, and a sortable, filterable table of items.
 */
export function htmlReport(progress: CampaignProgress, records: readonly ItemRecord[], nowMs = Date.now()) {
  const points = burndown(records, { nowMs });
  const title = `${progress.campaignId}${progress.name ? ` — ${progress.name}` : ''}`;
  const headers: [string, string?][] = [
    ['Item'],
    ['State'],
    ['Repository'],
    ['Run', 'number'],
    ['Pull requests'],
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
${chartSvg(points, records.length)}
<div class="legend">${legend()}</div>
<h2>Items</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: key, repository, error…" aria-label="filter items">
<select id="state-filter" aria-label="state"><option value="">every state</option>${options}</select><span id="shown">${records.length} items</span></div>
<table id="items"><thead><tr>${headers.map(([h, type]) => `<th${type ? ` data-type="${type}"` : ''}>${h}</th>`).join('')}</tr></thead>
<tbody>${records.map((r) => rowHtml(r, nowMs)).join('\n')}</tbody></table>
<script>${SCRIPT}</script>
</body></html>
`;
}
