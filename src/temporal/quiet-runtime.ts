import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Installs the SDK runtime with a quieter logger; a runtime that already exists (tests, embedding) is kept. */
export function installRuntimeLogger(level: LogLevel = 'WARN'): void {
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Runtime.install throws once a runtime was created: the embedding process already chose its logger.
  }
}
