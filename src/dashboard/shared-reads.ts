import { createHash } from 'node:crypto';
import type { CampaignProgress, ItemRecord } from '../contracts';

/** Where the dashboard's reads come from: the campaign client's own reads (`src/campaign-client`). */
export interface CampaignSource {
  progress(campaignId: string): Promise<CampaignProgress>;
  records(campaignId: string): Promise<ItemRecord[]>;
}

/** Every item record of a campaign as read at one moment; the item table pages through it. */
export interface RecordsSnapshot {
  records: ItemRecord[];
  readAtMs: number;
}

interface Entry<T> {
  /** The last answer (or failure) and when it came. */
  settled?: { atMs: number; value?: T; error?: unknown };
  inflight?: Promise<T>;
  /** For records: the progress they were read under (a changed progress makes them stale). */
  version?: string;
  usedAtMs: number;
}

export interface SharedReadsOptions {
  /** How long an answer serves every viewer before it is asked again (2 s). */
  freshMs?: number;
  /** An entry nobody asked for this long is dropped (5 min). */
  idleMs?: number;
  now?: () => number;
}

/**
 * What changes when an item's record changes: counts, PR counts, the latest events, the rollout. Spend
 * alone moving does not call for re-reading every record.
 */
export function progressVersion(p: CampaignProgress): string {
  return JSON.stringify([
    p.state,
    p.total,
    p.counts,
    p.prsOpened,
    p.outcomes,
    p.pullRequests,
    p.rollout,
    p.stopReason,
    p.recent.at(-1),
    p.recent.length,
  ]);
}

/** A short tag of `progressVersion`: pages carry it, so the live feed knows what each has seen. */
export function versionTag(p: CampaignProgress): string {
  return createHash('sha256').update(progressVersion(p)).digest('base64url').slice(0, 16);
}

/**
 * One in-process cache of campaign reads shared by every page, viewer and live feed: each read is
 * asked at most once per `freshMs` per key, whatever the number of viewers, and viewers that ask
 * while a read is in flight share its answer. A failure is kept as long as an answer would be, so a
 * campaign that does not answer is not asked harder by more viewers.
 *
 * A campaign's records are read again only when its progress changed since they were read (and at
 * most once per `freshMs`): shards are asked by pages of records, so a campaign of 50,000 items costs
 * about a hundred queries to read whole, which a quiet campaign should not pay every 2 s.
 */
export class SharedReads {
  private readonly entries = new Map<string, Entry<unknown>>();
  private readonly freshMs: number;
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: CampaignSource,
    options: SharedReadsOptions = {},
  ) {
    this.freshMs = options.freshMs ?? 2_000;
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  progress(campaignId: string): Promise<CampaignProgress> {
    return this.shared(`progress:${campaignId}`, () => this.source.progress(campaignId));
  }

  async records(campaignId: string): Promise<RecordsSnapshot> {
    const version = progressVersion(await this.progress(campaignId));
    const key = `records:${campaignId}`;
    const entry = this.entries.get(key) as Entry<RecordsSnapshot> | undefined;
    if (entry?.settled?.value && entry.version === version && !entry.inflight) {
      entry.usedAtMs = this.now();
      return entry.settled.value;
    }
    return this.shared(
      key,
      async () => ({ records: await this.source.records(campaignId), readAtMs: this.now() }),
      version,
    );
  }

  /**
   * Any other read shared the same way (the campaign list, schedules, one item's inspection): `read`
   * runs at most once per `freshMs` for `key`.
   */
  shared<T>(key: string, read: () => Promise<T>, version?: string): Promise<T> {
    const now = this.now();
    this.sweep(now);
    let entry = this.entries.get(key) as Entry<T> | undefined;
    if (!entry) {
      entry = { usedAtMs: now };
      this.entries.set(key, entry as Entry<unknown>);
    }
    entry.usedAtMs = now;
    if (entry.inflight) return entry.inflight;
    const settled = entry.settled;
    const stale = version !== undefined && version !== entry.version;
    if (settled && now - settled.atMs < this.freshMs && !stale) {
      return 'error' in settled && settled.error !== undefined
        ? Promise.reject(settled.error)
        : Promise.resolve(settled.value as T);
    }
    const current = entry;
    const inflight = read().then(
      (value) => {
        current.settled = { atMs: this.now(), value };
        if (version !== undefined) current.version = version;
        return value;
      },
      (error: unknown) => {
        current.settled = { atMs: this.now(), error };
        throw error;
      },
    );
    current.inflight = inflight.finally(() => {
      current.inflight = undefined;
    });
    return current.inflight;
  }

  /** Drops what nobody looked at for `idleMs`, so a long-running server holds only what is watched. */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries)
      if (!entry.inflight && now - entry.usedAtMs > this.idleMs) this.entries.delete(key);
  }
}
