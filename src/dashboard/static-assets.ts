import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../stack/temporal-binary';

export interface Asset {
  body: Buffer;
  type: string;
}

const uplotDist = () => path.dirname(require.resolve('uplot'));

/**
 * The only files the dashboard serves, by name: its own script and style, and uPlot's from
 * node_modules (no CDN: the page works offline). Read once, at start.
 */
export function loadAssets(): Map<string, Asset> {
  const own = path.join(packageRoot(), 'src', 'dashboard', 'assets');
  const files: [string, string, string][] = [
    ['dashboard.css', path.join(own, 'dashboard.css'), 'text/css; charset=utf-8'],
    ['dashboard.js', path.join(own, 'dashboard.js'), 'text/javascript; charset=utf-8'],
    ['uplot.iife.min.js', path.join(uplotDist(), 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['uplot.min.css', path.join(uplotDist(), 'uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  return new Map(files.map(([name, file, type]) => [name, { body: readFileSync(file), type }]));
}
