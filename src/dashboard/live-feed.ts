import { versionTag, type SharedReads } from './shared-reads';

interface Listener {
  /** The version the page shows; undefined until the first reading. */
  seen?: string;
  notify(version: string): void;
}

interface Feed {
  listeners: Set<Listener>;
  timer: NodeJS.Timeout;
}

/**
 * Tells open pages when a campaign changed. One timer per watched campaign, however many pages watch
 * it, reads the campaign's progress through the shared cache (so the feed adds no query a page would
 * not cost anyway) and tells each page whose version differs. Pages then fetch what they show, again
 * through the cache. The timer stops with the last listener.
 */
export class LiveFeeds {
  private readonly feeds = new Map<string, Feed>();

  constructor(
    private readonly reads: SharedReads,
    private readonly intervalMs = 1_000,
  ) {}

  /** `seen`: the version tag the page was rendered with (`versionTag`), so no change in between is missed. */
  subscribe(campaignId: string, seen: string | undefined, notify: (version: string) => void): () => void {
    let feed = this.feeds.get(campaignId);
    if (!feed) {
      const created: Feed = {
        listeners: new Set(),
        timer: setInterval(() => void this.tick(campaignId, created), this.intervalMs),
      };
      created.timer.unref();
      this.feeds.set(campaignId, created);
      feed = created;
    }
    const listener: Listener = { notify, ...(seen && { seen }) };
    feed.listeners.add(listener);
    void this.tick(campaignId, feed);
    return () => {
      const current = this.feeds.get(campaignId);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) {
        clearInterval(current.timer);
        this.feeds.delete(campaignId);
      }
    };
  }

  /** Campaigns watched now, and by how many pages (for tests and the benchmark). */
  watched(): Record<string, number> {
    return Object.fromEntries([...this.feeds].map(([id, feed]) => [id, feed.listeners.size]));
  }

  close(): void {
    for (const feed of this.feeds.values()) clearInterval(feed.timer);
    this.feeds.clear();
  }

  private async tick(campaignId: string, feed: Feed): Promise<void> {
    let version: string;
    try {
      version = versionTag(await this.reads.progress(campaignId));
    } catch {
      return; // The page shows the failure on its next fetch; the feed tries again next tick.
    }
    for (const listener of feed.listeners) {
      if (listener.seen === version) continue;
      const first = listener.seen === undefined;
      listener.seen = version;
      if (!first) listener.notify(version);
    }
  }
}
