import type { LogLevelName } from '../config/logging-config';

/** One log event after redaction: the four fixed keys, then whatever fields the caller gave. */
export interface LogRecord {
  level: LogLevelName;
  time: Date;
  component: string;
  msg: string;
  fields: Record<string, unknown>;
}

export type LineFormat = 'json' | 'logfmt' | 'human';

const RESERVED = new Set(['level', 'time', 'component', 'msg']);

function extraFields(record: LogRecord): [string, unknown][] {
  return Object.entries(record.fields).filter(([key, value]) => !RESERVED.has(key) && value !== undefined);
}

/** `{"level","time","component","msg",...fields}`: the fixed keys first, so lines read alike. */
export function formatJson(record: LogRecord): string {
  const out: Record<string, unknown> = {
    level: record.level,
    time: record.time.toISOString(),
    component: record.component,
    msg: record.msg,
  };
  for (const [key, value] of extraFields(record)) out[key] = value;
  return JSON.stringify(out);
}

function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[^\s="\\]+$/.test(text) ? text : JSON.stringify(text);
}

export function formatLogfmt(record: LogRecord): string {
  const pairs: [string, unknown][] = [
    ['level', record.level],
    ['time', record.time.toISOString()],
    ['component', record.component],
    ['msg', record.msg],
    ...extraFields(record),
  ];
  return pairs.map(([key, value]) => `${key}=${logfmtValue(value)}`).join(' ');
}

const LEVEL_COLOUR: Record<LogLevelName, string> = {
  debug: '\x1b[90m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
};

/** `12:00:00.123 INFO  worker  message key=value`; an error's stack follows on its own lines. */
export function formatHuman(record: LogRecord, colour: boolean): string {
  const level = record.level.toUpperCase().padEnd(5);
  const stacks: string[] = [];
  const pairs = extraFields(record).map(([key, value]) => {
    const stack = (value as { stack?: unknown } | null)?.stack;
    if (typeof stack === 'string') {
      stacks.push(stack);
      return `${key}=${logfmtValue((value as { message?: unknown }).message ?? '')}`;
    }
    return `${key}=${logfmtValue(value)}`;
  });
  const head = [
    record.time.toISOString().slice(11, 23),
    colour ? `${LEVEL_COLOUR[record.level]}${level}\x1b[0m` : level,
    record.component.padEnd(10),
    record.msg,
    ...pairs,
  ].join(' ');
  return [head, ...stacks.map((stack) => stack.replace(/^/gm, '    '))].join('\n');
}

export function formatLine(record: LogRecord, format: LineFormat, colour: boolean): string {
  if (format === 'json') return formatJson(record);
  if (format === 'logfmt') return formatLogfmt(record);
  return formatHuman(record, colour);
}
