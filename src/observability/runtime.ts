import { IllegalStateError } from '@temporalio/common';
import { Runtime, type LogLevel as SdkLogLevel } from '@temporalio/worker';
import net, { type AddressInfo } from 'node:net';
import type { LogLevelName } from '../config/logging-config';
import { logger } from './logger';

export interface RuntimeSetup {
  /** The lowest level the SDK's native core forwards; the logger filters again by LOG_LEVEL. */
  level: LogLevelName;
  /** Loopback `host:port` for the SDK's Prometheus exporter; omitted, the runtime exports no metrics. */
  prometheusAddress?: string;
  /** Signals that shut the process's workers down (the SDK's default set); `[]` leaves them to the caller. */
  shutdownSignals?: NodeJS.Signals[];
}

export interface InstalledRuntime {
  /** False when the process had a runtime already (a test, an embedding program): theirs is kept. */
  installedHere: boolean;
  /** Where the SDK serves its Prometheus text, when this call installed an exporter. */
  prometheusUrl?: string;
}

const CORE_LEVEL: Record<LogLevelName, SdkLogLevel> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

/**
 * Installs the Temporal SDK runtime with our logger (core's native logs forwarded to it too) and,
 * when asked, its Prometheus exporter. `Runtime.install` works once per process and must precede
 * the first connection or worker, so logging and telemetry are chosen here, together, early.
 */
export function installRuntime(setup: RuntimeSetup): InstalledRuntime {
  const core = CORE_LEVEL[setup.level];
  try {
    Runtime.install({
      logger: logger('temporal'),
      ...(setup.shutdownSignals && { shutdownSignals: setup.shutdownSignals }),
      telemetryOptions: {
        // Third-party crates (gRPC, HTTP) are noisy below WARN.
        logging: { filter: { core, other: setup.level === 'error' ? 'ERROR' : 'WARN' }, forward: {} },
        ...(setup.prometheusAddress && {
          metrics: { prometheus: { bindAddress: setup.prometheusAddress } },
        }),
      },
    });
  } catch (error) {
    // Thrown once a runtime exists: the embedding process already chose. Anything else (a taken
    // exporter port) is a real failure.
    if (error instanceof IllegalStateError) return { installedHere: false };
    throw error;
  }
  return {
    installedHere: true,
    prometheusUrl: setup.prometheusAddress && `http://${setup.prometheusAddress}/metrics`,
  };
}

/**
 * A free loopback `host:port` for the SDK exporter: it cannot report the port it would pick for `:0`,
 * and it stays private (our ops server proxies it), so the brief window before it binds is harmless.
 */
export async function freeLoopbackAddress(): Promise<string> {
  return `127.0.0.1:${await freeLoopbackPort()}`;
}

/** A loopback port that was free a moment ago; whoever binds it later may find it taken meanwhile. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
