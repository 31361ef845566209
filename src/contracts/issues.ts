/** The fields of a zod issue a message needs; structural, so this layer imports no validation library. */
export interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** `items[3].key`: a field's path as people write it (list positions in brackets). */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** `field.path: message` for each issue, the form every validation error of the project uses. */
export function describeIssues(issues: readonly Issue[], rootLabel = '(root)'): string[] {
  return issues.map((issue) => `${issuePath(issue.path) || rootLabel}: ${issue.message}`);
}

/** Single-character insertions, deletions and substitutions that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate `word` was most likely meant to be, if one is close enough to be a slip (about one
 * wrong character in three) or `word` is a shortening of it (`repo`); `undefined` when none is.
 */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = lower.length >= 3 && other.startsWith(lower) ? 1 : editDistance(lower, other);
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
