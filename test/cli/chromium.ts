import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's chromium, which `scripts/setup.sh` installs; its absence fails the test, loudly. */
export function chromiumPath(): string {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    "chromium is not installed: run 'bash scripts/setup.sh' (it installs Debian's chromium with apt-get as root)",
  );
}

/** Headless Chromium on a local file: the DOM after its scripts ran, and a screenshot of the page. */
export async function renderPage(
  file: string,
  screenshot: string,
  size = { width: 1200, height: 1400 },
): Promise<string> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  const common = [
    '--headless',
    '--disable-gpu',
    '--no-sandbox',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--window-size=${size.width},${size.height}`,
  ];
  try {
    const url = `file://${path.resolve(file)}`;
    const { stdout } = await run(chromiumPath(), [...common, '--dump-dom', url], {
      maxBuffer: 32 * 1024 * 1024,
      timeout: 60_000,
    });
    await run(chromiumPath(), [...common, `--screenshot=${screenshot}`, url], { timeout: 60_000 });
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
