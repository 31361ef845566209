import type { PullRequestHint } from '../workflows/shard/messages';

/** A signal carries at most this many pieces of news; a fuller batch goes at once. */
const MAX_OBSERVATIONS = 200;

interface Batch {
  hint: Required<Pick<PullRequestHint, 'urls' | 'repositories' | 'observations'>>;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Groups the hints bound for one shard within a short window into one signal: a push makes GitHub
 * send several deliveries at once (each check's run, the commit status), and every signal is a
 * Temporal action. Each delivery's promise settles with the signal that carried it, so a delivery is
 * acknowledged only once its news reached the shard.
 */
export class HintBatcher {
  private readonly pending = new Map<string, Batch>();

  constructor(
    private readonly send: (shardId: string, hint: PullRequestHint) => Promise<void>,
    private readonly windowMs = 100,
    /** A failed signal is sent once more this much later: a shard continuing as new refuses a moment. */
    private readonly retryAfterMs = 300,
  ) {}

  add(shardId: string, hint: PullRequestHint): Promise<void> {
    let batch = this.pending.get(shardId);
    if (!batch) {
      batch = {
        hint: { urls: [], repositories: [], observations: [] },
        waiters: [],
        timer: setTimeout(() => void this.flush(shardId), this.windowMs),
      };
      this.pending.set(shardId, batch);
    }
    const into = batch.hint;
    for (const url of hint.urls ?? []) if (!into.urls.includes(url)) into.urls.push(url);
    for (const repository of hint.repositories ?? [])
      if (!into.repositories.includes(repository)) into.repositories.push(repository);
    into.observations.push(...(hint.observations ?? []));
    const settled = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (into.observations.length >= MAX_OBSERVATIONS) void this.flush(shardId);
    return settled;
  }

  private async flush(shardId: string): Promise<void> {
    const batch = this.pending.get(shardId);
    if (!batch) return;
    this.pending.delete(shardId);
    clearTimeout(batch.timer);
    const { urls, repositories, observations } = batch.hint;
    const hint: PullRequestHint = {
      ...(urls.length > 0 && { urls }),
      ...(repositories.length > 0 && { repositories }),
      ...(observations.length > 0 && { observations }),
    };
    try {
      // A hint is safe to send twice: the shard takes news by ids and times, and a read is a read.
      await this.send(shardId, hint).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, this.retryAfterMs));
        await this.send(shardId, hint);
      });
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    }
  }
}
