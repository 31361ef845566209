/** `45s`, `12m 18s`, `3h 05m`, `2d 4h`: the two largest units, enough to plan by. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** `$12.40`; amounts under a dollar keep a tenth of a cent (`$0.048`), as the cost rule rounds them. */
export function usd(amount: number): string {
  return `$${amount.toFixed(Math.abs(amount) < 1 && amount !== 0 ? 3 : 2)}`;
}

/** `2026-11-03 14:05:09` in UTC, for tables and reports that are read later, elsewhere. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** How long an item's current run took (or has taken), in ms. */
export function runMs(record: { startedAtMs?: number; endedAtMs?: number }, nowMs = Date.now()) {
  return record.startedAtMs === undefined ? undefined : (record.endedAtMs ?? nowMs) - record.startedAtMs;
}
