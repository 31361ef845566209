import type { z } from 'zod';
import { describeIssues } from '../contracts';

/** Thrown when environment configuration is invalid; the message names each variable and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates `env` against a zod schema. Values are never echoed back: a variable may hold a secret.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  context: string,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = describeIssues(result.error.issues, '(environment)').map((line) => `  - ${line}`);
  throw new ConfigError(`Invalid ${context} configuration:\n${lines.join('\n')}`);
}
