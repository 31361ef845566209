/**
 * A shard's items: one record per key, and every rule that changes one — an apply (add, keep, update,
 * retry), a start, an end, a prune — plus the counts the shard reports. Plain data in, plain data out
 * (time passed in), so the rules run in milliseconds under unit tests and the shard workflow only
 * does the Temporal parts.
 */
import {
  CAMPAIGN_DEFAULTS,
  ITEM_STATES,
  LIMITS,
  type ActionRequest,
  type ApplySummary,
  outcomeOf,
  targetOf,
  type CampaignItem,
  type ContinueChange,
  type ItemCounts,
  type ItemOutcomes,
  type PullRequestCounts,
  type PullRequestObservation,
  type PullRequestReading,
  parsePullRequestUrl,
  type ItemEvent,
  type ItemRecord,
  type ItemState,
  type KeptReplica,
  type ReplicaJobResult,
  type RoutedItem,
  type WaveCounts,
} from '../contracts';
import { endFixTurn } from './fix-turns';
import { requestAction } from './pull-request-actions';
import { applyObservation } from './change-observations';
import {
  applyReading,
  countChange,
  emptyPullRequestCounts,
  isSettled,
  stillTracked,
} from './change-tracking';

/** A record plus what the shard needs to (re)start the item. */
export interface BookEntry extends ItemRecord {
  ordinal: number;
  environmentId: string;
  vars?: Record<string, string>;
  /** The apply that last named this key (prune cancels what the latest apply no longer names). */
  lastApply: number;
  /** Set by a retry of an item with a PR: the next run continues that change. */
  continueFrom?: ContinueChange;
}

/** How a job ended, as the shard learns it: its result, or only a state and a reason. */
export type JobOutcome =
  | { kind: 'result'; result: ReplicaJobResult }
  | { kind: 'lost'; state: Extract<ItemState, 'failed' | 'cancelled' | 'timed_out'>; error: string };

const FINISHED: ReadonlySet<ItemState> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'skipped',
]);
const RETRYABLE: ReadonlySet<ItemState> = new Set(['failed', 'timed_out']);
/** Kept replicas of earlier runs remembered per item: bounds the record; retries beyond are rare. */
const EARLIER_REPLICAS_KEPT = 20;

/** Why an item that never started is skipped when its campaign closes; reopening runs it after all. */
export const CLOSED_BEFORE_START = 'campaign closed before the item started';

export const emptyCounts = (): ItemCounts =>
  Object.fromEntries(ITEM_STATES.map((state) => [state, 0])) as ItemCounts;

export function isFinished(state: ItemState): boolean {
  return FINISHED.has(state);
}

export class ItemBook {
  private readonly entries = new Map<string, BookEntry>();
  /** Pending keys by ordinal (ordinals rise with waves), so selection stops at the first closed wave. */
  private pending: string[] = [];
  private events: ItemEvent[] = [];

  constructor(entries: BookEntry[] = []) {
    for (const entry of entries) this.entries.set(entry.key, entry);
    this.pending = entries
      .filter((e) => e.state === 'pending')
      .sort(byOrdinal)
      .map((e) => e.key);
  }

  /** The book of a closed campaign applied again: items skipped because it closed may start now. */
  static reopened(entries: BookEntry[]): ItemBook {
    for (const entry of entries) {
      if (entry.state === 'skipped' && entry.error === CLOSED_BEFORE_START) {
        entry.state = 'pending';
        delete entry.error;
        delete entry.endedAtMs;
      }
    }
    return new ItemBook(entries);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): BookEntry | undefined {
    return this.entries.get(key);
  }

  all(): BookEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Reconciles a chunk of an apply by key: new keys are added (a skip reason records them skipped),
   * pending ones take the new environment, variables and repository, finished ones are kept —
   * failed and timed-out ones re-run when `retryFailed`. Running items carry on.
   */
  apply(
    items: RoutedItem[],
    options: { applyId: number; retryFailed: boolean; addOnly: boolean },
    nowMs: number,
  ): ApplySummary & { requeued: number } {
    const summary = { added: 0, kept: 0, retried: 0, pruned: 0, updated: 0, requeued: 0 };
    for (const item of items) {
      const entry = this.entries.get(item.key);
      if (!entry) {
        this.add(item, options.applyId, nowMs);
        summary.added += 1;
        continue;
      }
      if (options.addOnly) {
        summary.kept += 1;
        continue;
      }
      entry.lastApply = options.applyId;
      if (entry.state === 'pending') {
        // Not started yet: it starts with what the latest spec says.
        summary[assignItem(entry, item) ? 'updated' : 'kept'] += 1;
      } else if (entry.state === 'skipped' && !item.skipReason) {
        // A repository that has an environment now runs.
        assignItem(entry, item);
        this.requeue(entry, nowMs, 'updated');
        summary.updated += 1;
      } else if (options.retryFailed && RETRYABLE.has(entry.state)) {
        assignItem(entry, item);
        this.requeue(entry, nowMs, 'retried');
        summary.retried += 1;
      } else {
        summary.kept += 1;
      }
    }
    return summary;
  }

  /** Failed and timed-out items run again, each on a fresh replica (its run number goes up). */
  retryFailed(nowMs: number): number {
    let requeued = 0;
    for (const entry of this.entries.values()) {
      if (!RETRYABLE.has(entry.state)) continue;
      this.requeue(entry, nowMs, 'retried');
      requeued += 1;
    }
    return requeued;
  }

  /**
   * Items the latest apply (`applyId`) no longer names and that have not finished: pending ones are
   * cancelled here, running ones are returned for the shard to cancel (their cleanup runs).
   */
  prune(applyId: number, nowMs: number): { pruned: number; cancel: string[] } {
    const cancel: string[] = [];
    let pruned = 0;
    for (const entry of this.entries.values()) {
      if (entry.lastApply >= applyId || isFinished(entry.state)) continue;
      pruned += 1;
      if (entry.state === 'running') cancel.push(entry.key);
      else this.end(entry, 'cancelled', 'pruned: no longer in the spec', nowMs);
    }
    return { pruned, cancel };
  }

  /** Every item not started yet ends `state` (cancel: cancelled; close: skipped). */
  endPending(state: 'cancelled' | 'skipped', reason: string, nowMs: number): number {
    let ended = 0;
    for (const key of this.pending) {
      const entry = this.entries.get(key);
      if (entry?.state !== 'pending') continue;
      this.end(entry, state, reason, nowMs);
      ended += 1;
    }
    this.pending = [];
    return ended;
  }

  /** The next pending items whose wave is open, in ordinal order, at most `limit`. */
  startable(openWave: number, limit: number): BookEntry[] {
    const found: BookEntry[] = [];
    this.pending = this.pending.filter((key) => this.entries.get(key)?.state === 'pending');
    for (const key of this.pending) {
      if (found.length >= limit) break;
      const entry = this.entries.get(key) as BookEntry;
      if ((entry.wave ?? 0) > openWave) break;
      found.push(entry);
    }
    return found;
  }

  /** How many pending items could start if slots and limits allowed. */
  countStartable(openWave: number): number {
    let n = 0;
    for (const key of this.pending) {
      const entry = this.entries.get(key);
      if (entry?.state === 'pending' && (entry.wave ?? 0) <= openWave) n += 1;
    }
    return n;
  }

  markStarted(entry: BookEntry, nowMs: number): void {
    entry.state = 'running';
    entry.startedAtMs = nowMs;
    delete entry.endedAtMs;
    this.event({ atMs: nowMs, key: entry.key, kind: 'started' });
  }

  /**
   * Records how a run ended. Reports of another run (an earlier attempt arriving late) and reports for
   * items that are not running are ignored, so duplicates are harmless.
   */
  finish(
    key: string,
    attempt: number,
    outcome: JobOutcome,
    nowMs: number,
    costOf: (ms: number) => number,
  ): boolean {
    const entry = this.entries.get(key);
    if (!entry || entry.state !== 'running' || entry.attempt !== attempt) return false;
    // The run's cost counts from the earlier of the shard's start and the job's own, so a finished
    // run never costs less than the running one was last reported to accrue.
    const runStart = entry.startedAtMs ?? nowMs;
    if (outcome.kind === 'lost') {
      this.addCost(entry, costOf(Math.max(0, nowMs - runStart)));
      this.end(entry, outcome.state, outcome.error, nowMs);
    } else {
      const { result } = outcome;
      const started = Date.parse(result.startedAt);
      const ended = Number.isNaN(Date.parse(result.endedAt)) ? nowMs : Date.parse(result.endedAt);
      entry.replicaId = result.replicaId;
      this.takeChange(entry, result.prs);
      entry.turns = (entry.turns ?? 0) + (result.turnsStarted ?? result.turns);
      entry.lastMessage = result.lastMessage;
      entry.replicaKept = result.replicaId !== undefined && !result.deleted;
      // A re-run that continued on a kept workspace made it the item's current one again.
      if (result.replicaId && entry.earlierReplicas?.includes(result.replicaId)) {
        entry.earlierReplicas = entry.earlierReplicas.filter((id) => id !== result.replicaId);
        if (entry.earlierReplicas.length === 0) delete entry.earlierReplicas;
      }
      this.addCost(
        entry,
        costOf(Math.max(0, ended - Math.min(runStart, Number.isNaN(started) ? runStart : started))),
      );
      entry.startedAtMs = Number.isNaN(started) ? entry.startedAtMs : started;
      this.end(entry, result.state, result.error, ended);
    }
    delete entry.continueFrom;
    return true;
  }

  /** Kept replicas that are gone now (`campaign cleanup`): records stop naming them; how many changed. */
  release(replicas: readonly KeptReplica[]): number {
    let changed = 0;
    for (const { key, replicaId } of replicas) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      if (entry.replicaKept && entry.replicaId === replicaId && isFinished(entry.state)) {
        entry.replicaKept = false;
        changed += 1;
      } else if (entry.earlierReplicas?.includes(replicaId)) {
        entry.earlierReplicas = entry.earlierReplicas.filter((id) => id !== replicaId);
        if (entry.earlierReplicas.length === 0) delete entry.earlierReplicas;
        changed += 1;
      }
    }
    return changed;
  }

  /**
   * The PRs still followed (`stillTracked`): of items that ended with a PR, not merged or closed, not
   * past `maxDays`; optionally only those `wanted` picks. Ones past `maxDays` are marked expired here.
   */
  trackedChanges(
    nowMs: number,
    maxDays: number,
    wanted?: (url: string) => boolean,
  ): { url: string; nodeId?: string }[] {
    const handles: { url: string; nodeId?: string }[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.pullRequest || !isFinished(entry.state)) continue;
      const url = entry.change?.url ?? entry.pullRequest;
      if (wanted && !wanted(url) && !wanted(entry.pullRequest)) continue;
      if (!stillTracked(entry.change, entry.endedAtMs, maxDays, nowMs)) {
        if (entry.change && !isSettled(entry.change)) entry.change.expired = true;
        continue;
      }
      handles.push({ url, ...(entry.change?.nodeId && { nodeId: entry.change.nodeId }) });
    }
    return handles;
  }

  /**
   * Takes the code host's readings onto the items whose PR they name; returns the items whose PR
   * became merged or closed with this reading (their kept workspace can go now).
   */
  takeReadings(readings: readonly PullRequestReading[], nowMs: number): BookEntry[] {
    const byUrl = this.byPullRequest();
    const settled: BookEntry[] = [];
    for (const reading of readings) {
      const entry = byUrl.get(reading.url);
      if (!entry) continue;
      const wasSettled = isSettled(entry.change);
      entry.change = applyReading(entry.change, reading, nowMs);
      if (!wasSettled && isSettled(entry.change)) settled.push(entry);
    }
    return settled;
  }

  /**
   * Takes what webhook deliveries told onto the open PRs they name (a commit status names a head
   * commit of a repository instead). Returns the items whose PR settled, and the URLs only a reading
   * can tell about: a PR the campaign has not read yet, or news it cannot place.
   */
  takeObservations(
    observations: readonly PullRequestObservation[],
    nowMs: number,
  ): { settled: BookEntry[]; toRead: string[] } {
    const byUrl = this.byPullRequest();
    const settled: BookEntry[] = [];
    const toRead = new Set<string>();
    for (const news of observations) {
      const urls = news.kind === 'check' ? news.urls : [news.url];
      const entries =
        urls.length > 0
          ? urls.map((url) => byUrl.get(url)).filter((entry) => entry !== undefined)
          : [...new Set(byUrl.values())].filter(
              (entry) =>
                news.kind === 'check' &&
                entry.change?.headSha === news.headSha &&
                parsePullRequestUrl(entry.change.url)?.repository === news.repository,
            );
      for (const entry of entries) {
        if (!isFinished(entry.state) || isSettled(entry.change) || entry.change?.expired) continue;
        const effect = entry.change ? applyObservation(entry.change, news, nowMs) : 'read';
        if (effect === 'read') {
          toRead.add(entry.change?.url ?? (entry.pullRequest as string));
          continue;
        }
        entry.change = effect;
        if (isSettled(effect)) settled.push(entry);
      }
    }
    return { settled, toRead: [...toRead] };
  }

  /** Items by their PR's URL, the one the job reported and the one the host gave since. */
  private byPullRequest(): Map<string, BookEntry> {
    const byUrl = new Map<string, BookEntry>();
    for (const entry of this.entries.values()) {
      if (!entry.pullRequest) continue;
      byUrl.set(entry.pullRequest, entry);
      if (entry.change) byUrl.set(entry.change.url, entry);
    }
    return byUrl;
  }

  /** Finished items whose PR merged or closed while their workspace is still kept. */
  settledWithWorkspace(): BookEntry[] {
    return [...this.entries.values()].filter(
      (entry) =>
        isFinished(entry.state) &&
        entry.replicaKept &&
        entry.replicaId !== undefined &&
        isSettled(entry.change),
    );
  }

  /** Items whose open PR (one of `urls`, or any) the campaign's `pullRequest` block was not applied to yet. */
  undecorated(urls?: readonly string[]): BookEntry[] {
    const wanted = urls && new Set(urls);
    return [...this.entries.values()].filter(
      (entry) =>
        entry.change !== undefined &&
        !entry.change.decorated &&
        entry.change.lifecycle === 'open' &&
        (!wanted ||
          wanted.has(entry.change.url) ||
          (entry.pullRequest !== undefined && wanted.has(entry.pullRequest))),
    );
  }

  /** Finished items whose PR is followed and open: what the fix loop looks at. */
  openChanges(): BookEntry[] {
    return [...this.entries.values()].filter(
      (entry) => isFinished(entry.state) && entry.change?.lifecycle === 'open' && !entry.change.expired,
    );
  }

  /**
   * A fix turn's job ended: its cost and turns go to the item, the turn is marked sent or failed, and a
   * workspace found gone is no longer counted on. `ended` without a result: an earlier run started it.
   */
  fixEnded(
    key: string,
    number: number,
    ended: { result?: ReplicaJobResult; error?: string },
    nowMs: number,
    costOf: (ms: number) => number,
  ): void {
    const entry = this.entries.get(key);
    const change = entry?.change;
    if (!entry || !change) return;
    const turn = change.fixTurns?.find((t) => t.number === number);
    // A turn ends once: a second report of its end adds nothing.
    if (turn?.state !== 'running') return;
    const { result } = ended;
    // Its cost counts from when it was recorded (as `spend` accrued it while it ran, so the spend never
    // goes down) to now, or from the job's own start if that came first. A turn an earlier run of the
    // shard started (no result here) still costs the time it ran.
    const started = result ? Date.parse(result.startedAt) : Number.NaN;
    const from = Number.isNaN(started) ? turn.atMs : Math.min(turn.atMs, started);
    this.addCost(entry, costOf(Math.max(0, nowMs - from)));
    if (result) {
      entry.turns = (entry.turns ?? 0) + (result.turnsStarted ?? result.turns);
      if (result.lastMessage !== undefined) entry.lastMessage = result.lastMessage;
      if (result.replicaId === undefined || result.deleted) entry.replicaKept = false;
    }
    endFixTurn(change, number, ended.error);
    this.event({
      atMs: nowMs,
      key,
      kind: 'fix-turn',
      detail: `fix turn ${number} ${ended.error ? `failed: ${ended.error}` : 'sent'}`,
    });
  }

  /** A bulk action on these items' PRs: each pending, or refused with why; keys without a PR are named. */
  requestActions(
    request: ActionRequest,
    nowMs: number,
  ): { pending: number; refused: number; without: string[] } {
    const summary = { pending: 0, refused: 0, without: [] as string[] };
    for (const key of request.keys) {
      const entry = this.entries.get(key);
      if (!entry?.pullRequest) {
        summary.without.push(key);
        continue;
      }
      const state = requestAction(entry.change, request, nowMs);
      if (state?.status === 'pending') summary.pending += 1;
      else summary.refused += 1;
    }
    return summary;
  }

  /** PRs whose bulk action waits to be sent, oldest request first. */
  pendingActions(): BookEntry[] {
    return [...this.entries.values()]
      .filter((entry) => entry.change?.action?.status === 'pending')
      .sort((a, b) => (a.change?.action?.atMs ?? 0) - (b.change?.action?.atMs ?? 0));
  }

  /** `campaign prs --mark-ready`: every open draft is to be marked ready; how many were asked. */
  requestReady(): number {
    let asked = 0;
    for (const entry of this.entries.values()) {
      const change = entry.change;
      if (!change || change.lifecycle !== 'open' || !change.draft || change.expired) continue;
      change.readyRequested = true;
      asked += 1;
    }
    return asked;
  }

  /** Open drafts asked to be marked ready and not marked yet. */
  readyRequested(): BookEntry[] {
    return [...this.entries.values()].filter(
      (entry) => entry.change?.readyRequested === true && entry.change.lifecycle === 'open',
    );
  }

  /** The items' PRs by state, checks and review (only those the code host has told of). */
  pullRequestCounts(): PullRequestCounts {
    const counts = emptyPullRequestCounts();
    for (const entry of this.entries.values()) if (entry.change) countChange(counts, entry.change);
    return counts;
  }

  /** Distinct targets of pending and running items. */
  activeTargets(): string[] {
    const targets = new Set<string>();
    for (const entry of this.entries.values())
      if (entry.state === 'pending' || entry.state === 'running') targets.add(targetOf(entry));
    return [...targets];
  }

  /** Running items, for cancels and lost-report checks. */
  running(): BookEntry[] {
    return [...this.entries.values()].filter((e) => e.state === 'running');
  }

  counts(): ItemCounts {
    const counts = emptyCounts();
    for (const entry of this.entries.values()) counts[entry.state] += 1;
    return counts;
  }

  /** Per wave, for rollout and failure-threshold decisions. */
  waveCounts(): WaveCounts[] {
    const waves: WaveCounts[] = [];
    for (const entry of this.entries.values()) {
      const wave = entry.wave ?? 0;
      for (let w = waves.length; w <= wave; w += 1)
        waves.push({ pending: 0, running: 0, succeeded: 0, failed: 0, other: 0 });
      const counts = waves[wave] as WaveCounts;
      if (entry.state === 'pending' || entry.state === 'running' || entry.state === 'succeeded')
        counts[entry.state] += 1;
      else if (RETRYABLE.has(entry.state)) counts.failed += 1;
      else counts.other += 1;
    }
    return waves;
  }

  /**
   * What every run cost so far (running ones by elapsed time, priced by `costOf` like finished ones,
   * so the figure never goes down when a run ends), and what running ones add if they run `expectedMs`.
   * A fix turn running on a finished item counts the same way, from when it was recorded, against
   * `expectedFixMs`.
   */
  spend(
    nowMs: number,
    expectedMs: number,
    costOf: (ms: number) => number,
    expectedFixMs = expectedMs,
  ): { spentUsd: number; runningProjectedUsd: number } {
    let spentUsd = 0;
    let runningProjectedUsd = 0;
    const running = (sinceMs: number, expected: number) => {
      const elapsed = Math.max(0, nowMs - sinceMs);
      const accrued = costOf(elapsed);
      spentUsd += accrued;
      runningProjectedUsd += Math.max(0, costOf(Math.max(elapsed, expected)) - accrued);
    };
    for (const entry of this.entries.values()) {
      spentUsd += entry.costUsd ?? 0;
      if (entry.state === 'running') running(entry.startedAtMs ?? nowMs, expectedMs);
      for (const turn of entry.change?.fixTurns ?? [])
        if (turn.state === 'running') running(turn.atMs, expectedFixMs);
    }
    return { spentUsd, runningProjectedUsd };
  }

  /** Succeeded items without a PR and failed ones with one (`outcomeOf`). */
  outcomes(): ItemOutcomes {
    const outcomes: ItemOutcomes = { succeededWithoutPr: 0, failedWithPr: 0 };
    for (const entry of this.entries.values()) {
      const outcome = outcomeOf(entry);
      if (outcome === 'succeeded-without-pr') outcomes.succeededWithoutPr += 1;
      else if (outcome === 'failed-with-pr') outcomes.failedWithPr += 1;
    }
    return outcomes;
  }

  prsOpened(): number {
    let n = 0;
    for (const entry of this.entries.values()) n += entry.prs?.length ?? 0;
    return n;
  }

  /** Events since the last call, newest last (a live view needs only the latest few). */
  /** Events the next report would carry. */
  get hasEvents(): boolean {
    return this.events.length > 0;
  }

  takeEvents(): ItemEvent[] {
    const taken = this.events.slice(-CAMPAIGN_DEFAULTS.recentEvents);
    this.events = [];
    return taken;
  }

  /** A page of records in ordinal order, optionally of one state. */
  page(offset: number, limit: number, state?: ItemState): { total: number; records: ItemRecord[] } {
    const chosen = [...this.entries.values()].filter((e) => !state || e.state === state).sort(byOrdinal);
    return { total: chosen.length, records: chosen.slice(offset, offset + limit).map(toRecord) };
  }

  private add(item: RoutedItem, applyId: number, nowMs: number): void {
    const entry: BookEntry = {
      key: item.key,
      state: 'pending',
      attempt: 1,
      ordinal: item.ordinal,
      wave: item.wave,
      environmentId: item.environmentId,
      lastApply: applyId,
      ...(item.repository !== undefined && { repository: item.repository }),
      ...(item.vars !== undefined && { vars: item.vars }),
    };
    this.entries.set(item.key, entry);
    if (item.skipReason) this.end(entry, 'skipped', item.skipReason, nowMs);
    else if (item.importedPullRequest) this.adopt(entry, item.importedPullRequest, nowMs);
    else this.insertPending(entry);
  }

  /** A PR opened elsewhere is the item's change from the start: nothing runs, the PR is followed. */
  private adopt(entry: BookEntry, url: string, nowMs: number): void {
    entry.prs = [url];
    entry.pullRequest = url;
    entry.imported = true;
    this.end(entry, 'succeeded', undefined, nowMs);
  }

  private requeue(entry: BookEntry, nowMs: number, why: 'retried' | 'updated'): void {
    if (entry.state !== 'skipped' || why === 'retried') entry.attempt += 1;
    const kept = entry.replicaKept && entry.replicaId ? entry.replicaId : undefined;
    // The kept replica stays on record until cleanup deletes it (or the next run continues on it).
    if (kept) entry.earlierReplicas = [...(entry.earlierReplicas ?? []), kept].slice(-EARLIER_REPLICAS_KEPT);
    // The item owns its change: the next run continues its PR, on the kept workspace if it still lives.
    if (entry.pullRequest)
      entry.continueFrom = {
        pullRequest: entry.pullRequest,
        ...(entry.branch !== undefined && { branch: entry.branch }),
        ...(kept !== undefined && { replicaId: kept }),
        ...(entry.error !== undefined && { previousError: entry.error }),
      };
    // PRs, branch, turns and cost belong to the item across runs; the rest describes the last run.
    for (const field of [
      'replicaId',
      'error',
      'startedAtMs',
      'endedAtMs',
      'lastMessage',
      'replicaKept',
    ] as const) {
      delete entry[field];
    }
    entry.state = 'pending';
    this.insertPending(entry);
    this.event({ atMs: nowMs, key: entry.key, kind: 'retried' });
  }

  /** Adds a run's PRs to the item's; the first PR it ever had stays its change. */
  private takeChange(entry: BookEntry, prs: readonly { url: string; branch?: string }[]): void {
    const urls = [...(entry.prs ?? [])];
    for (const pr of prs) if (!urls.includes(pr.url)) urls.push(pr.url);
    if (urls.length === 0) return;
    entry.prs = urls;
    entry.pullRequest ??= urls[0];
    entry.branch =
      prs.find((pr) => pr.url === entry.pullRequest)?.branch ??
      entry.branch ??
      prs.find((pr) => pr.branch)?.branch;
  }

  /** Unrounded, so many short runs add up to what they cost; records round when they are read. */
  private addCost(entry: BookEntry, usd: number): void {
    entry.costUsd = (entry.costUsd ?? 0) + usd;
  }

  private end(entry: BookEntry, state: ItemState, error: string | undefined, nowMs: number): void {
    entry.state = state;
    entry.endedAtMs = nowMs;
    if (error !== undefined) entry.error = error.slice(0, LIMITS.maxErrorLength);
    else delete entry.error;
    const detail = state === 'succeeded' ? entry.prs?.join(' ') : entry.error;
    this.event({
      atMs: nowMs,
      key: entry.key,
      kind: state as ItemEvent['kind'],
      ...(detail ? { detail } : {}),
    });
  }

  private insertPending(entry: BookEntry): void {
    const at = this.pending.findIndex((key) => (this.entries.get(key)?.ordinal ?? 0) > entry.ordinal);
    if (at < 0) this.pending.push(entry.key);
    else this.pending.splice(at, 0, entry.key);
  }

  private event(event: ItemEvent): void {
    this.events.push(event);
    if (this.events.length > 2 * CAMPAIGN_DEFAULTS.recentEvents)
      this.events.splice(0, this.events.length - CAMPAIGN_DEFAULTS.recentEvents);
  }
}

function byOrdinal(a: BookEntry, b: BookEntry): number {
  return a.ordinal - b.ordinal;
}

/** Takes a routed item's fields onto an entry; whether anything changed. */
function assignItem(entry: BookEntry, item: CampaignItem & { wave?: number }): boolean {
  const before = JSON.stringify([entry.environmentId, entry.repository, entry.vars]);
  entry.environmentId = item.environmentId;
  if (item.repository !== undefined) entry.repository = item.repository;
  else delete entry.repository;
  if (item.vars !== undefined) entry.vars = item.vars;
  else delete entry.vars;
  return before !== JSON.stringify([entry.environmentId, entry.repository, entry.vars]);
}

/** The record as results show it (without the routing fields). */
export function toRecord(entry: BookEntry): ItemRecord {
  const { ordinal: _o, environmentId: _e, vars: _v, lastApply: _a, continueFrom: _c, ...record } = entry;
  const outcome = outcomeOf(record);
  const costUsd = record.costUsd === undefined ? undefined : Math.round(record.costUsd * 1e6) / 1e6;
  return { ...record, ...(costUsd !== undefined && { costUsd }), ...(outcome && { outcome }) };
}
