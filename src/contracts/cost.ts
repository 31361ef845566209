import type { ReplicaSize } from './enums';

/** Documented per-minute prices: small, large, and the legacy rate when no size is given. */
export const RATE_PER_MINUTE_USD = { small: 0.008, large: 0.016, unspecified: 0.0166 } as const;

export function ratePerMinute(size: ReplicaSize | undefined): number {
  return size ? RATE_PER_MINUTE_USD[size] : RATE_PER_MINUTE_USD.unspecified;
}
