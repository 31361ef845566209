/**
 * How the campaign shares its global window among shards. Shards report what they run and could
 * start; the campaign grants slots (items running at once) and, when pacing or a budget applies,
 * start limits. Reports lag, so every rule here errs on the side of granting less.
 */

/** Water-filling: `total` split over demands, nobody getting more than they want, leftovers shared. */
export function fairShares(total: number, wants: readonly number[]): number[] {
  const shares = wants.map(() => 0);
  let left = Math.max(0, Math.floor(total));
  let open = wants.map((want, i) => i).filter((i) => (wants[i] ?? 0) > 0);
  while (left > 0 && open.length > 0) {
    const share = Math.floor(left / open.length);
    const satisfiable = open.filter((i) => (wants[i] ?? 0) - (shares[i] ?? 0) <= Math.max(share, 0));
    if (share === 0) {
      // Fewer units than takers: one each, in order.
      for (const i of open.slice(0, left)) shares[i] = (shares[i] ?? 0) + 1;
      break;
    }
    if (satisfiable.length === 0) {
      for (const i of open) shares[i] = (shares[i] ?? 0) + share;
      left -= share * open.length;
      continue;
    }
    for (const i of satisfiable) {
      left -= (wants[i] ?? 0) - (shares[i] ?? 0);
      shares[i] = wants[i] ?? 0;
    }
    open = open.filter((i) => !satisfiable.includes(i));
  }
  return shares;
}

export interface SlotHolder {
  /** Items the shard runs, as last reported. */
  running: number;
  /** Items it could start now. */
  startable: number;
  /** Slots it may be using: the largest grant it may have applied (acknowledged or not). */
  held: number;
  /** Its latest grant. */
  slots: number;
}

/**
 * New slot grants. Targets are fair shares of `concurrency` over each shard's want (running plus
 * startable). Cuts apply at once; raises only from slots no shard may still be using, so the sum of
 * what shards can run never exceeds `concurrency`, whatever order the grants arrive in.
 */
export function allocateSlots(concurrency: number, shards: readonly SlotHolder[]): number[] {
  const targets = fairShares(
    concurrency,
    shards.map((s) => s.running + s.startable),
  );
  const next = shards.map((s, i) => Math.min(s.slots, targets[i] ?? 0));
  let free = concurrency - shards.reduce((sum, s, i) => sum + Math.max(next[i] ?? 0, s.held, s.running), 0);
  for (const [i, target] of targets.entries()) {
    const raise = Math.min(Math.max(0, target - (next[i] ?? 0)), Math.max(0, free));
    next[i] = (next[i] ?? 0) + raise;
    free -= raise;
  }
  return next;
}

export interface QuotaHolder {
  /** Items it could start now. */
  startable: number;
  /** Its allowance in the current quota window. */
  allowance: number;
  /** Starts it reported in the current window (0 while its latest report is of an earlier one). */
  used: number;
  /** Starts it may have made under the previous window's allowance that no report shows yet. */
  unreported: number;
}

/** Starts granted but not yet reported as made: they count against the budget as if running. */
export function outstandingStarts(holder: QuotaHolder): number {
  return Math.max(0, holder.allowance - holder.used) + holder.unreported;
}

/**
 * New allowances when starts are rationed: `pool` more starts, shared fairly among shards that could
 * use them beyond what they already hold. Allowances only grow within a window.
 */
export function allocateQuota(pool: number, holders: readonly QuotaHolder[]): number[] {
  const wants = holders.map((h) => Math.max(0, h.startable - Math.max(0, h.allowance - h.used)));
  const grants = fairShares(pool, wants);
  return holders.map((h, i) => h.allowance + (grants[i] ?? 0));
}
