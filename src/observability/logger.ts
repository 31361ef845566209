import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { LOG_FORMATS, LOG_LEVELS, type LogFormatName, type LogLevelName } from '../config/logging-config';
import { formatLine, type LineFormat, type LogRecord } from './log-format';
import { createRedactor, secretsFromEnv, type Redactor } from './redaction';

/**
 * The one logger of the process. It is the SDK's `Logger` (so the runtime, workflows and activities
 * log through it) and ours: `logger('webhooks').warn('…', { workflowId })`.
 */
export interface FleetLogger extends SdkLogger {
  child(component: string, fields?: Record<string, unknown>): FleetLogger;
}

export interface LoggingOptions {
  level: LogLevelName;
  format: LogFormatName;
  /** Values never to print, in any spelling (see `secretsFromEnv`). */
  secrets?: readonly string[];
  /** Where lines go; stderr (through `console.error`) unless given. */
  write?: (line: string) => void;
  /** Whether `write` reaches a terminal (chooses the human format and colour under `auto`). */
  tty?: boolean;
}

interface Output {
  threshold: number;
  format: LineFormat;
  colour: boolean;
  redactor: Redactor;
  write: (line: string) => void;
}

const RANK: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** TRACE ranks below every LOG_LEVEL: the SDK's trace output is never printed. */
const SDK_LEVEL: Record<SdkLogLevel, { name: LogLevelName; rank: number }> = {
  TRACE: { name: 'debug', rank: 0 },
  DEBUG: { name: 'debug', rank: RANK.debug },
  INFO: { name: 'info', rank: RANK.info },
  WARN: { name: 'warn', rank: RANK.warn },
  ERROR: { name: 'error', rank: RANK.error },
};

/** The SDK stamps its records with their own time under this registered symbol (`LogTimestamp`). */
const SDK_TIMESTAMP = Symbol.for('log_timestamp');

/** SDK records name their subsystem in `sdkComponent`; ours name theirs as the logger's component. */
const SDK_COMPONENT: Record<string, string> = {
  worker: 'temporal.worker',
  core: 'temporal.core',
  workflow: 'workflow',
  activity: 'activity',
  nexus: 'nexus',
};

function createOutput(options: LoggingOptions): Output {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  const format = options.format === 'auto' ? (tty ? 'human' : 'json') : options.format;
  return {
    threshold: RANK[options.level],
    format,
    colour: format === 'human' && tty && !process.env.NO_COLOR,
    redactor: createRedactor(options.secrets ?? []),
    // Through console.error (to stderr, like the SDK's own logger), so a test capturing the console sees it.
    write: options.write ?? ((line) => console.error('%s', line)),
  };
}

/** LOG_LEVEL/LOG_FORMAT when valid (commands validate them with `loadLoggingConfig`), else the defaults. */
function fromEnv(env: NodeJS.ProcessEnv): LoggingOptions {
  const level = LOG_LEVELS.find((l) => l === env.LOG_LEVEL?.trim().toLowerCase()) ?? 'info';
  const format = LOG_FORMATS.find((f) => f === env.LOG_FORMAT?.trim().toLowerCase()) ?? 'auto';
  return { level, format, secrets: secretsFromEnv(env) };
}

let output = createOutput(fromEnv(process.env));

/**
 * Sets level, format, secrets and destination for every logger of the process, existing ones
 * included; what `options` leaves out comes from the environment, whose secret variables are always
 * redacted.
 */
export function configureLogging(options: Partial<LoggingOptions> = {}): void {
  const env = fromEnv(process.env);
  output = createOutput({
    ...env,
    ...options,
    secrets: [...(env.secrets ?? []), ...(options.secrets ?? [])],
  });
}

/**
 * The campaign a workflow belongs to, from the ids the SDK puts on workflow and activity records:
 * a campaign's workflow id is the campaign id, a job's is `<campaignId>/<itemKey>` (`jobWorkflowId`).
 */
function campaignIdOf(fields: Record<string, unknown>): string | undefined {
  const { workflowId, workflowType } = fields;
  if (typeof workflowId !== 'string') return undefined;
  if (workflowType === 'campaignWorkflow') return workflowId;
  const slash = workflowId.lastIndexOf('/');
  return workflowType === 'replicaJobWorkflow' && slash > 0 ? workflowId.slice(0, slash) : undefined;
}

function timeOf(meta: LogMetadata | undefined): Date {
  const nanos: unknown = meta?.[SDK_TIMESTAMP];
  return typeof nanos === 'bigint' ? new Date(Number(nanos / 1_000_000n)) : new Date();
}

/** Records never printed: an exact message, where it carries all of these fields. */
const muted: { message: string; fields: Record<string, unknown> }[] = [];

/**
 * Drops one message where it is noise, by its exact text and the fields that place it (an SDK
 * record's `sdkComponent` and `taskQueue`, say): every other record, that message elsewhere
 * included, still prints. Returns the function that lifts the mute.
 */
export function muteLogMessage(message: string, fields: Record<string, unknown>): () => void {
  const entry = { message, fields };
  muted.push(entry);
  return () => {
    const index = muted.indexOf(entry);
    if (index >= 0) muted.splice(index, 1);
  };
}

const isMuted = (message: string, fields: Record<string, unknown>) =>
  muted.some(
    (m) => m.message === message && Object.entries(m.fields).every(([key, value]) => fields[key] === value),
  );

function emit(
  level: SdkLogLevel,
  component: string,
  base: Record<string, unknown>,
  message: string,
  meta?: LogMetadata,
): void {
  const { name, rank } = SDK_LEVEL[level] ?? SDK_LEVEL.INFO;
  if (rank < output.threshold) return;
  try {
    const all = { ...base, ...meta } as Record<string, unknown>;
    if (isMuted(message, all)) return;
    const { sdkComponent, ...rest } = all;
    const fields = output.redactor.value(rest) as Record<string, unknown>;
    const campaignId = fields.campaignId ?? campaignIdOf(fields);
    const record: LogRecord = {
      level: name,
      time: timeOf(meta),
      component: (typeof sdkComponent === 'string' && SDK_COMPONENT[sdkComponent]) || component,
      msg: output.redactor.text(String(message)),
      fields: campaignId === undefined ? fields : { ...fields, campaignId },
    };
    output.write(formatLine(record, output.format, output.colour));
  } catch {
    // A log call must never take the process down (a closed stream, an exotic field).
  }
}

export function logger(component: string, fields: Record<string, unknown> = {}): FleetLogger {
  const at = (level: SdkLogLevel) => (message: string, meta?: LogMetadata) =>
    emit(level, component, fields, message, meta);
  return {
    log: (level, message, meta) => emit(level, component, fields, message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
    child: (name, more = {}) => logger(name, { ...fields, ...more }),
  };
}
