import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlReport } from '../../src/cli/format/html-report';
import { renderPage } from './chromium';
import { NOW, trackedProgress, trackedRecords } from './tracked-records';

// Run in the page after the report's own script: writes what the browser laid out into the DOM, where
// the dumped DOM shows it (`--dump-dom` has no other way out).
const MEASURE = `<script>(function(){
var svg=document.getElementById('pr-burndown');
svg.setAttribute('data-rendered-width',String(Math.round(svg.getBoundingClientRect().width)));
Array.prototype.forEach.call(svg.querySelectorAll('[data-series]'),function(el){
var box=el.getBBox();el.setAttribute('data-box',Math.round(box.width)+'x'+Math.round(box.height));});
Array.prototype.forEach.call(svg.querySelectorAll('line.mark'),function(el){
var box=el.getBBox();el.setAttribute('data-at',Math.round(box.x)+','+Math.round(box.y)+','+Math.round(box.height));});
Array.prototype.forEach.call(document.querySelectorAll('#pr-burndown-legend .swatch'),function(el){
el.setAttribute('data-box',Math.round(el.getBoundingClientRect().width)+'x'+Math.round(el.getBoundingClientRect().height));});
})();</script>`;

describe('the HTML report of a campaign that follows its PRs, in headless Chromium', () => {
  it('draws the burndown of what landed below the items chart: every series, its names, the fix turns on the time axis, and its key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'report-burndown-'));
    const file = path.join(dir, 'report.html');
    const html = htmlReport(trackedProgress, trackedRecords, NOW);
    writeFileSync(file, html.replace('</body>', `${MEASURE}</body>`));
    const screenshot = path.join(dir, 'report.png');
    const dom = await renderPage(file, screenshot);

    expect(dom).toMatch(/<svg id="pr-burndown"[^>]* data-rendered-width="(\d{3})"/);
    const boxes = Object.fromEntries(
      [
        ...dom.matchAll(
          /<(path|text) class="(?:area|line|end-label)" data-series="(\w+)"[^>]*data-box="(\d+)x(\d+)"/g,
        ),
      ].map((m) => [`${m[1]} ${m[2]}`, { width: Number(m[3]), height: Number(m[4]) }]),
    );
    // Every series is drawn across the chart, with some height, and named at its end.
    for (const series of ['merged', 'closed', 'openGreen', 'openRed']) {
      expect(boxes[`path ${series}`]?.width, series).toBeGreaterThan(100);
      expect(boxes[`path ${series}`]?.height, series).toBeGreaterThan(10);
      expect(boxes[`text ${series}`]?.width, series).toBeGreaterThan(20);
    }
    expect(boxes['path opened']?.width).toBeGreaterThan(100);
    expect(dom).toMatch(/>merged 1<\/text>/);
    expect(dom).toMatch(/>open, green 1<\/text>/);
    const swatches = [...dom.matchAll(/<svg class="swatch"[^>]*data-box="(\d+)x(\d+)"/g)];
    expect(swatches).toHaveLength(6); // four series, the opened line and the fix turns' tick
    for (const [, w, h] of swatches) expect([Number(w), Number(h)]).toEqual([12, 12]);
    // Each fix turn is a tick across the time axis (y 232 in the chart's units) where it was sent: the
    // chart runs from the campaign's start to now (an hour), 712 units wide from x 48, and the turns
    // came at 12, 14 and 24 minutes. A name and a legend entry say what the ticks are, not colour alone.
    const ticks = [
      ...dom.matchAll(/<line class="mark" data-series="fixTurns"[^>]*data-at="(\d+),(\d+),(\d+)"/g),
    ];
    expect(ticks.map((m) => Number(m[1]))).toEqual(
      [12, 14, 24].map((min) => Math.round(48 + (min / 60) * 712)),
    );
    for (const [, , y, height] of ticks) {
      expect(Number(height)).toBeGreaterThanOrEqual(10);
      expect(Number(y)).toBeLessThan(232);
      expect(Number(y) + Number(height)).toBeGreaterThan(232);
    }
    expect(boxes['text fixTurns']?.width).toBeGreaterThan(20);
    expect(dom).toMatch(/>fix turns 3<\/text>/);
    expect(dom).toMatch(
      /<span data-series="fixTurns"><svg class="swatch"[^>]*>.*<\/svg>fix turn sent \(a tick on the time axis; 3 in all\)<\/span>/,
    );
    expect(dom.indexOf('id="burndown"')).toBeLessThan(dom.indexOf('id="pr-burndown"'));
    expect(dom).toContain('<span id="shown">5 of 5 items shown</span>'); // the report's script ran
    expect(existsSync(screenshot) && statSync(screenshot).size).toBeGreaterThan(20_000);
  }, 120_000);
});
