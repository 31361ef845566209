import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/stack/dev-server';

/** A process the chaos run owns: started, SIGKILLed and started again, stopped at the end. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** SIGKILL: no drain, no goodbye; resolves once the process is gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Exits nobody asked for (each was followed by a restart). */
  readonly unexpectedExits: number;
}

const START_ATTEMPTS = 10;
const STOP_GRACE_MS = 10_000;

async function ended(child: ChildProcess, withinMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const timeout = delay(withinMs).then(() => false);
  return Promise.race([once(child, 'exit').then(() => true), timeout]);
}

/**
 * Keeps one process running: a start waits for it to be ready (and tries again if it is not, e.g.
 * while Temporal is down); an exit nobody asked for is counted and followed by a restart.
 */
abstract class Supervised implements Service {
  unexpectedExits = 0;
  private expecting = false;
  private stopped = false;
  private restarting?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts one process; resolves when it is ready, rejects if it exits or hangs first. */
  protected abstract launch(): Promise<ChildProcess>;

  async start(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const child = await this.launch();
        this.current = child;
        child.once('exit', (code, signal) => this.onExit(child, code, signal));
        return;
      } catch (error) {
        if (this.stopped || attempt >= START_ATTEMPTS) throw error;
        this.log(`${this.name}: start failed (${(error as Error).message}); trying again`);
        await delay(1_000);
      }
    }
  }

  protected current?: ChildProcess;

  async kill(): Promise<void> {
    await this.restarting;
    const child = this.current;
    if (!child) return;
    this.expecting = true;
    child.kill('SIGKILL');
    await ended(child, STOP_GRACE_MS);
    this.current = undefined;
    this.expecting = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting?.catch(() => undefined);
    const child = this.current;
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await ended(child, STOP_GRACE_MS))) {
      child.kill('SIGKILL');
      await ended(child, STOP_GRACE_MS);
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.expecting || this.stopped || child !== this.current) return;
    this.unexpectedExits += 1;
    this.current = undefined;
    this.log(`${this.name}: exited unexpectedly (${signal ?? `code ${code}`}); restarting`);
    this.restarting = delay(1_000)
      .then(() => this.start())
      .catch((error: unknown) => this.log(`${this.name}: could not restart: ${String(error)}`))
      .finally(() => {
        this.restarting = undefined;
      });
  }
}

export interface CliServiceOptions {
  name: string;
  /** How to run `replica-fleet` (e.g. `node dist/src/cli/main.js`), then the command's arguments. */
  command: string[];
  env: NodeJS.ProcessEnv;
  /** The `msg` of the log line that says the process is serving. */
  readyMessage: string;
  logPath: string;
  startTimeoutMs?: number;
  log: (line: string) => void;
}

/** A `replica-fleet` command (worker, webhooks) in its own process, its output appended to a file. */
export function cliService(options: CliServiceOptions): Service {
  const file = createWriteStream(options.logPath, { flags: 'a' });
  const [executable, ...args] = options.command as [string, ...string[]];
  return new (class extends Supervised {
    protected async launch(): Promise<ChildProcess> {
      const child = spawn(executable, args, {
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const ready = `"msg":${JSON.stringify(options.readyMessage)}`;
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`not ready within ${timeoutMs / 1000} s`)),
            timeoutMs,
          );
          const settle = (error?: Error) => {
            clearTimeout(timer);
            if (error) reject(error);
            else resolve();
          };
          for (const stream of [child.stdout, child.stderr]) {
            stream?.on('data', (chunk: Buffer) => {
              file.write(chunk);
              if (chunk.toString('utf8').includes(ready)) settle();
            });
          }
          child.once('exit', (code, signal) => settle(new Error(`exited before ready (${signal ?? code})`)));
        });
        return child;
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
    }
  })(options.name, options.log);
}

/** The Temporal dev server on a fixed port and database file, so a restart finds every workflow again. */
export function devServerService(options: DevServerOptions, log: (line: string) => void): Service {
  return new (class extends Supervised {
    private server?: DevServer;
    protected async launch(): Promise<ChildProcess> {
      this.server = await startDevServer(options);
      return this.server.process;
    }
  })('temporal', log);
}
