import { msToNumber } from '@temporalio/common/lib/time';

/** Fields of a cron expression by count: 5 (standard), 6 (plus year), 7 (seconds first, plus year). */
const LAYOUTS: Record<number, string[]> = {
  5: ['minute', 'hour', 'day of month', 'month', 'day of week'],
  6: ['minute', 'hour', 'day of month', 'month', 'day of week', 'year'],
  7: ['second', 'minute', 'hour', 'day of month', 'month', 'day of week', 'year'],
};

const BOUNDS: Record<string, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  'day of month': [1, 31],
  month: [1, 12],
  'day of week': [0, 7],
  year: [1970, 2199],
};

const NAMES: Record<string, string[]> = {
  month: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  'day of week': ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
};

const SHORTHANDS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function valueOf(field: string, text: string): number | undefined {
  const names = NAMES[field];
  const named = names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return field === 'month' ? named + 1 : named;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function fieldProblem(field: string, text: string): string | undefined {
  const [min, max] = BOUNDS[field] as [number, number];
  const bad = `${field} "${text}" must be *, a number from ${min} to ${max}, a range (1-5), a step (*/15) or a list of them`;
  if (text === '?' && (field === 'day of month' || field === 'day of week')) return undefined;
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') return bad;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return bad;
    if (range === '*') continue;
    const ends = range.split('-');
    if (ends.length > 2) return bad;
    for (const end of ends) {
      const value = valueOf(field, end);
      if (value === undefined || value < min || value > max) return bad;
    }
  }
  return undefined;
}

/**
 * What is wrong with a cron expression as Temporal Schedules read it (5, 6 or 7 fields, an optional
 * `CRON_TZ=` prefix, `@daily`-style shorthands, `@every 2h`), or undefined when it reads fine.
 */
export function cronProblem(expression: string): string | undefined {
  const body = expression
    .trim()
    .replace(/^(CRON_TZ|TZ)=\S+\s+/, '')
    .replace(/\s+#.*$/, '');
  if (body.startsWith('@')) {
    if (SHORTHANDS.has(body)) return undefined;
    const every = /^@every\s+(\S+)$/.exec(body);
    if (every) return intervalProblem(every[1] as string);
    return `unknown shorthand; use one of ${[...SHORTHANDS].join(', ')} or @every <interval>`;
  }
  const fields = body.split(/\s+/);
  const layout = LAYOUTS[fields.length];
  if (!layout)
    return `has ${fields.length} field(s); expected 5 (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"`;
  for (const [i, field] of layout.entries()) {
    const problem = fieldProblem(field, fields[i] as string);
    if (problem) return problem;
  }
  return undefined;
}

/** What is wrong with an interval such as `24h`, `90m` or `1 day`, or undefined when it reads fine. */
export function intervalProblem(text: string): string | undefined {
  try {
    if (msToNumber(text as Parameters<typeof msToNumber>[0]) > 0) return undefined;
  } catch {
    // Falls through to the message.
  }
  return 'must be a positive duration such as 30m, 24h or 7d';
}
