import { z } from 'zod';
import { parseEnv } from './parse-env';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `auto`: human lines on a terminal, JSON lines anywhere else (files, pipes, log collectors). */
export const LOG_FORMATS = ['auto', 'json', 'logfmt', 'human'] as const;
export type LogFormatName = (typeof LOG_FORMATS)[number];

const choice = <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .default(fallback)
    .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }));

const LoggingEnvSchema = z.object({
  LOG_LEVEL: choice(LOG_LEVELS, 'info'),
  LOG_FORMAT: choice(LOG_FORMATS, 'auto'),
});

export interface LoggingConfig {
  level: LogLevelName;
  format: LogFormatName;
}

export function loadLoggingConfig(env: NodeJS.ProcessEnv = process.env): LoggingConfig {
  const parsed = parseEnv(LoggingEnvSchema, env, 'logging');
  return { level: parsed.LOG_LEVEL, format: parsed.LOG_FORMAT };
}
