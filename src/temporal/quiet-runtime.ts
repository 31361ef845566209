import type { LogLevel } from '@temporalio/worker';
import type { LogLevelName } from '../config/logging-config';
import { configureLogging } from '../observability/logger';
import { installRuntime } from '../observability/runtime';

/**
 * Tests, benchmarks and `replica-fleet dev`: the SDK runtime on our logger, at WARN by default
 * (worker state changes at INFO drown their output). A runtime that already exists is kept.
 */
export function installRuntimeLogger(
  level: LogLevel = 'WARN',
  options: { shutdownSignals?: NodeJS.Signals[] } = {},
): void {
  const name: LogLevelName = level === 'TRACE' ? 'debug' : (level.toLowerCase() as LogLevelName);
  configureLogging({ level: name });
  installRuntime({ level: name, ...options });
}
