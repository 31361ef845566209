/** FNV-1a, 32 bit: a pure, deterministic hash usable in workflow code. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function slug(text: string, maxLength: number): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return cleaned.slice(0, maxLength).replace(/-$/, '');
}

/** The child workflow id of an item: also the webhook route and the key of its webhook secret. */
export function jobWorkflowId(campaignId: string, itemKey: string): string {
  return `${campaignId}/${itemKey}`;
}

/**
 * The replica name of an item: whitespace-free (the API requires `^\S+$`), readable, and unique per
 * campaign and item even when two keys slug alike, thanks to a hash of the exact pair.
 */
export function replicaName(campaignId: string, itemKey: string): string {
  const readable = `${slug(campaignId, 40) || 'campaign'}--${slug(itemKey, 60) || 'item'}`;
  return `rf-${readable}-${fnv1a(jobWorkflowId(campaignId, itemKey))}`;
}

/** The item key a `targets` campaign gives a repository: `acme/api` → `acme__api` (keys have no `/`). */
export function repositoryItemKey(repository: string): string {
  return repository.replace(/\//g, '__');
}

/** The shard workflow of a campaign that owns items routed to `index`. */
export function shardWorkflowId(campaignId: string, index: number): string {
  return `${campaignId}/shard-${index}`;
}

/**
 * The shard an item key belongs to: a stable hash of the key over the campaign's shard count (fixed
 * when the campaign is created), so re-applying a spec finds every key where it was.
 */
export function shardOf(itemKey: string, shardCount: number): number {
  return Number.parseInt(fnv1a(itemKey), 16) % shardCount;
}

/** Things named by item key, grouped by their shard, in the order each shard first appears. */
export function groupByShard<T extends { key: string }>(
  things: readonly T[],
  shardCount: number,
): Map<number, T[]> {
  const byShard = new Map<number, T[]>();
  for (const thing of things) {
    const shard = shardOf(thing.key, shardCount);
    const group = byShard.get(shard);
    if (group) group.push(thing);
    else byShard.set(shard, [thing]);
  }
  return byShard;
}
