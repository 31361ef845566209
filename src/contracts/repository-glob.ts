import picomatch from 'picomatch';

// Not exported from the contracts index: the workflow bundle imports that index, and the matcher has
// no place in it. Client-side validation and the resolving activity import this module directly.

/** Which repository names a `targets` glob matches: the one rule for validation, preview and runs. */
export function repositoryMatcher(pattern: string): (name: string) => boolean {
  const isMatch = picomatch(pattern);
  // One argument only: picomatch reads a second one as "return the match details", which
  // `names.filter(matcher)` would pass (the index) and so match every name but the first.
  return (name) => isMatch(name);
}

const CLOSER = { '{': '}', '[': ']', '(': ')' } as const;
type Opener = keyof typeof CLOSER;
const OPENER = { '}': '{', ']': '[', ')': '(' } as const;

interface Open {
  char: Opener;
  at: number;
  /** A brace group lists alternatives (`{a,b}`) or a range (`{1..3}`); otherwise picomatch reads it literally. */
  choices: boolean;
}

/**
 * What is wrong with a `targets` glob, with the fix, or `undefined` when it is usable. picomatch never
 * refuses a pattern: an unclosed brace makes it match nothing, a stray parenthesis can make it match
 * names it does not show, and a brace with one choice is taken literally. Each would run a campaign
 * on the wrong repositories (or none) without a word, so they are refused before anything starts.
 */
export function globProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'is empty: give a glob over repository names, e.g. "acme/*"';
  if (/\s/.test(pattern)) return `"${pattern}" contains whitespace, which no repository name has; remove it`;
  const open: Open[] = [];
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    const top = open.at(-1);
    if (c === '\\') {
      i += 1; // the next character is literal
      continue;
    }
    if (top?.char === '[') {
      // Inside a class every character is a member; only its end matters.
      if (c === ']') {
        if (i === top.at + 1)
          return `"${pattern}" has an empty class "[]" at character ${i}; list characters in it, e.g. [abc], or remove it`;
        open.pop();
      }
      continue;
    }
    if (c === '{' || c === '[' || c === '(') open.push({ char: c, at: i, choices: false });
    else if (top?.char === '{' && (c === ',' || pattern.startsWith('..', i))) top.choices = true;
    else if (c === '}' || c === ']' || c === ')') {
      const opener = OPENER[c];
      if (top?.char !== opener)
        return `"${pattern}" has a "${c}" at character ${i + 1} with no "${opener}" before it; remove it or add the "${opener}" it closes`;
      open.pop();
      if (c === '}' && !top.choices) {
        const group = pattern.slice(top.at, i + 1);
        return `"${pattern}" has "${group}" with a single choice, which is matched literally; list two or more, e.g. {api,web}, or drop the braces`;
      }
    }
  }
  const unclosed = open[0];
  if (unclosed) {
    const closing = open
      .map((o) => CLOSER[o.char])
      .reverse()
      .join('');
    return `"${pattern}" has a "${unclosed.char}" at character ${unclosed.at + 1} that is never closed; close it, e.g. "${pattern}${closing}"`;
  }
  return undefined;
}
