import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { searchAttributeKeys } from '../contracts';
import { resolveTemporalCli } from './temporal-binary';

export interface DevServerOptions {
  /** Directory of the persistent SQLite file, so workflows survive restarts of `dev`. */
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  startTimeoutMs?: number;
  /**
   * SQLite pragmas of its database. Default: write-ahead log with `synchronous=normal`, which roughly
   * halves the server's CPU per workflow task; it can lose the last transactions on power loss (not
   * on a process crash). `[]` keeps SQLite's defaults.
   */
  sqlitePragmas?: string[];
  /** Dynamic config values (`--dynamic-config-value KEY=JSON`), e.g. for experiments and benchmarks. */
  dynamicConfig?: Record<string, unknown>;
  /** Stops a start still waiting for the server: the process is killed and the start rejects. */
  signal?: AbortSignal;
}

/** The server could not bind one of its ports (gRPC, Web UI, HTTP API): another process holds it. */
export class PortInUseError extends Error {
  constructor(
    /** The port it named, as `detail` (its log line) tells it. */
    readonly port: number,
    detail: string,
  ) {
    super(`the Temporal dev server could not bind a port: ${detail}`);
    this.name = 'PortInUseError';
  }
}

/** What the server wrote to its log from byte `from` on: the part one start added. */
function logSince(file: string, from: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, statSync(file).size - from));
    readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export const DEFAULT_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` bound to loopback with the project's search attributes registered. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace,
    '--db-filename',
    path.join(options.dataDir, 'temporal.sqlite'),
    '--log-level',
    'error',
    ...(options.sqlitePragmas ?? DEFAULT_SQLITE_PRAGMAS).flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
  // The server's own log goes to a file beside its database so the terminal shows replica-fleet's output.
  const logFile = path.join(options.dataDir, 'temporal-server.log');
  const log = openSync(logFile, 'a');
  const logStart = statSync(logFile).size;
  const child = spawn(resolveTemporalCli(), args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      // A port another process holds is the one failure a caller can work around: name it apart.
      const clash = /^.*:(\d+): bind: address already in use.*$/m.exec(logSince(logFile, logStart));
      if (clash) throw new PortInUseError(Number(clash[1]), clash[0].trim());
      throw new Error(
        `temporal server start-dev exited with code ${child.exitCode} (is port ${options.port} free? see ${logFile})`,
      );
    }
    if (options.signal?.aborted) {
      child.kill('SIGTERM');
      await exited;
      options.signal.throwIfAborted();
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new Error(`Temporal dev server did not answer on ${address}: ${(error as Error).message}`);
      }
      await delay(250);
    }
  }

  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
