import { z } from 'zod';
import { closestWord, issuePath, type Issue } from '../contracts';

/** One thing wrong with a spec or an items file: the field, where it is written, what to do. */
export interface SpecProblem {
  /** `items[3].key`; empty for the document as a whole. */
  field: string;
  /** 1-based line of the field in the file, when the file names it. */
  line?: number;
  message: string;
}

/** `lint.yaml:12: items[3].key: "acme-api" is used twice; keys must be unique`. */
export function formatProblem(source: string, problem: SpecProblem): string {
  const where = problem.line === undefined ? source : `${source}:${problem.line}`;
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

export class CampaignSpecError extends Error {
  /** `field: problem` per problem (what `validate --json` prints as `errors`). */
  readonly issues: string[];

  constructor(
    readonly source: string,
    readonly problems: SpecProblem[],
    what = 'campaign spec',
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `invalid ${what} ${source} (${count}):\n${problems.map((p) => `  ${formatProblem(source, p)}`).join('\n')}`,
    );
    this.name = 'CampaignSpecError';
    this.issues = problems.map((p) => `${p.field || '(file)'}: ${p.message}`);
  }
}

/** Issues as problems, each with the line its field is written on, in the order of the file. */
export function toProblems(
  issues: readonly Issue[],
  lineOf: (path: readonly PropertyKey[]) => number | undefined = () => undefined,
): SpecProblem[] {
  const problems = issues.map((issue): SpecProblem => ({
    field: issuePath(issue.path),
    ...optionalLine(lineOf(issue.path)),
    message: issue.message,
  }));
  // Stable: problems of one line keep the order the checks found them in.
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

const optionalLine = (line: number | undefined) => (line === undefined ? {} : { line });

const EXPECTED: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields',
  record: 'a mapping of names to texts',
};

/** A value as the file gave it: `"abc"`, `42`, `a list`. */
function shown(input: unknown): string {
  if (Array.isArray(input)) return 'a list';
  if (input !== null && typeof input === 'object') return 'a mapping';
  return JSON.stringify(input);
}

function suggestion(word: unknown, candidates: readonly string[]): string {
  const near = typeof word === 'string' ? closestWord(word, candidates) : undefined;
  return near ? `; did you mean "${near}"?` : '';
}

/** The description a field's schema carries (`.describe(…)`), which says what the field holds. */
function descriptionOf(inst: unknown): string | undefined {
  return inst instanceof z.ZodType ? z.globalRegistry.get(inst)?.description : undefined;
}

/**
 * Plain words for zod's issues: what the field needs and what it got. Only issues whose schema gives no
 * message of its own reach this (a schema's message outranks a parse's error map).
 */
function plainWords(issue: z.core.$ZodRawIssue): string {
  const described = descriptionOf(issue.inst);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`;
      if (issue.input === undefined) return `is required: ${described ?? expected}`;
      // "a number of seconds (…)" says the kind already; "the instruction sent to every agent" does not.
      const what = !described
        ? expected
        : described.startsWith(expected)
          ? described
          : `${expected} (${described})`;
      if (issue.input === null) return `is empty: give ${what}, or leave the field out`;
      return `must be ${what}, got ${shown(issue.input)}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const side =
        issue.code === 'too_small'
          ? inclusive
            ? 'at least'
            : 'more than'
          : inclusive
            ? 'at most'
            : 'less than';
      if (issue.origin === 'array') return `needs ${side} ${String(bound)} item(s)`;
      if (issue.origin === 'string')
        return issue.code === 'too_small' && bound === 1
          ? 'must not be empty'
          : `must be ${side} ${String(bound)} characters`;
      return `must be ${side} ${String(bound)}, got ${shown(issue.input)}`;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      return `must be one of ${values.join(', ')}, got ${shown(issue.input)}${suggestion(issue.input, issue.values.map(String))}`;
    }
    case 'invalid_format':
      return `is not in the expected form${described ? ` (${described})` : ''}, got ${shown(issue.input)}`;
    default:
      return described ? `must be ${described}` : 'is not valid here';
  }
}

/**
 * Parses with plain words for every issue, and one issue per unknown field (each on its own line of
 * the file), with the field most likely meant.
 */
export function safeParsePlain<T extends z.ZodType>(
  schema: T,
  document: unknown,
): { data?: z.infer<T>; issues: Issue[] } {
  const knownFields = new Map<string, readonly string[]>();
  const parsed = schema.safeParse(document, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
        knownFields.set(issuePath(issue.path ?? []), Object.keys(shape ?? {}));
        return 'unknown field';
      }
      return plainWords(issue);
    },
  });
  if (parsed.success) return { data: parsed.data, issues: [] };
  const issues = parsed.error.issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'unrecognized_keys') return [issue];
    const known = knownFields.get(issuePath(issue.path)) ?? [];
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      message:
        suggestion(key, known).replace(/^; /, 'unknown field; ') ||
        `unknown field; the fields here are ${known.join(', ')}`,
    }));
  });
  return { issues };
}
