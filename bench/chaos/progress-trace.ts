import type { CampaignProgress } from '../../src/contracts';

/** Items that reached an end state, as the campaign counts them. */
export function finishedCount(progress: CampaignProgress): number {
  const { counts } = progress;
  return counts.succeeded + counts.failed + counts.timed_out + counts.cancelled + counts.skipped;
}

export interface Sample {
  atMs: number;
  finished: number;
}

export interface Stall {
  ms: number;
  /** When the stretch began (the last rise before it) and ended, in ms since the trace began. */
  fromMs: number;
  toMs: number;
}

/**
 * The finished count over time, one sample per successful read of the campaign's progress. A read
 * that fails (Temporal or the worker down) leaves a gap; the stall it hides is still measured, from
 * the last rise seen to the next one.
 */
export class ProgressTrace {
  readonly samples: Sample[] = [];
  private lastRiseMs: number;
  private longest: Stall = { ms: 0, fromMs: 0, toMs: 0 };

  constructor(
    readonly total: number,
    private readonly startMs = Date.now(),
  ) {
    this.lastRiseMs = startMs;
  }

  get finished(): number {
    return this.samples.at(-1)?.finished ?? 0;
  }

  get done(): boolean {
    return this.finished >= this.total;
  }

  record(finished: number, atMs = Date.now()): void {
    if (this.done) return;
    const previous = this.finished;
    this.samples.push({ atMs: atMs - this.startMs, finished });
    if (finished > previous) this.closeStretch(atMs);
  }

  /** The longest stretch with items outstanding in which the finished count did not rise. */
  longestStall(nowMs = Date.now()): Stall {
    const open = this.done ? 0 : nowMs - this.lastRiseMs;
    if (open <= this.longest.ms) return this.longest;
    return { ms: open, fromMs: this.lastRiseMs - this.startMs, toMs: nowMs - this.startMs };
  }

  private closeStretch(atMs: number): void {
    const ms = atMs - this.lastRiseMs;
    if (ms > this.longest.ms) {
      this.longest = { ms, fromMs: this.lastRiseMs - this.startMs, toMs: atMs - this.startMs };
    }
    this.lastRiseMs = atMs;
  }
}
