import type { Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { campaignProgress } from '../campaign-client/reads';
import type { CampaignProgress, ItemEvent } from '../contracts';
import type { Screen } from './terminal';
import { etaMs, Throughput } from './views/throughput';
import {
  eventLine,
  finishedCount,
  newEvents,
  renderWatch,
  statusLine,
  statusSignature,
  watchEnded,
  type WatchFrame,
} from './views/watch-view';

/** One line of `campaign watch --json`. */
export interface WatchSample {
  atMs: number;
  itemsPerSecond?: number;
  etaSeconds?: number;
  progress: CampaignProgress;
}

export interface WatchOptions {
  screen: Screen;
  /** One JSON object per change instead of the view. */
  json?: boolean;
  intervalMs?: number;
  /** Stops watching (Ctrl-C); the campaign is not touched. */
  signal?: AbortSignal;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Follows a campaign until it ends or `signal` fires, looking once a second: on a terminal the view
 * is redrawn in place; elsewhere each change is one plain line (and each new item event one more).
 */
export async function watchCampaign(
  client: Client,
  campaignId: string,
  options: WatchOptions,
): Promise<{ progress: CampaignProgress; interrupted: boolean }> {
  const { screen } = options;
  const throughput = new Throughput();
  const redraw = screen.isTTY && !options.json;
  let drawn = 0;
  let signature: string | undefined;
  let seen: ItemEvent[] = [];
  if (redraw) screen.write(HIDE_CURSOR);
  try {
    for (;;) {
      const progress = await campaignProgress(client, campaignId);
      const nowMs = Date.now();
      throughput.add(nowMs, finishedCount(progress));
      const itemsPerSecond = throughput.perSecond({ startedAtMs: Date.parse(progress.startedAt) });
      const frame: WatchFrame = {
        progress,
        nowMs,
        itemsPerSecond,
        etaMs: watchEnded(progress)
          ? undefined
          : etaMs(progress.counts.pending + progress.counts.running, itemsPerSecond),
      };
      const fresh = newEvents(seen, progress.recent);
      const changed = statusSignature(progress) !== signature;
      if (options.json) {
        if (changed || fresh.length) {
          const sample: WatchSample = {
            atMs: nowMs,
            ...(itemsPerSecond !== undefined && { itemsPerSecond }),
            ...(frame.etaMs !== undefined && { etaSeconds: Math.round(frame.etaMs / 1000) }),
            progress,
          };
          screen.write(`${JSON.stringify(sample)}\n`);
        }
      } else if (redraw) {
        const lines = renderWatch(frame, { width: screen.columns, colour: screen.colour });
        screen.write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
      } else {
        for (const event of fresh) screen.write(`${eventLine(event)}\n`);
        if (changed) screen.write(`${statusLine(frame)}\n`);
      }
      signature = statusSignature(progress);
      seen = progress.recent;
      if (watchEnded(progress)) return { progress, interrupted: false };
      try {
        await sleep(options.intervalMs ?? 1000, undefined, { signal: options.signal });
      } catch (error) {
        if (options.signal?.aborted) return { progress, interrupted: true };
        throw error;
      }
    }
  } finally {
    if (redraw) screen.write(SHOW_CURSOR);
  }
}
