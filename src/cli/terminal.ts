import os from 'node:os';

/** Where a command writes, and what that place can show. */
export interface Screen {
  write(text: string): void;
  /** A terminal: views may redraw in place. Off one, output is plain lines. */
  isTTY: boolean;
  columns: number;
  /** Colour only on a terminal, and never under NO_COLOR or TERM=dumb. */
  colour: boolean;
}

export function screenOf(stream: NodeJS.WriteStream): Screen {
  const isTTY = Boolean(stream.isTTY);
  return {
    write: (text) => stream.write(text),
    isTTY,
    columns: isTTY ? stream.columns || 80 : 120,
    colour: isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  };
}

/** Pretty JSON on stdout: every `--json` output goes through here. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/**
 * An AbortSignal that fires on the first Ctrl-C (SIGINT, or any of `signals`) while `fn` runs, with
 * the signal's name as its reason: long-running reads stop cleanly instead of the process dying
 * mid-write, and nothing they watch is touched. A second signal gets the default: the process ends.
 */
export async function untilInterrupted<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  signals: NodeJS.Signals[] = ['SIGINT'],
): Promise<T> {
  const controller = new AbortController();
  const stop = (name: NodeJS.Signals) => {
    for (const other of signals) process.off(other, stop);
    controller.abort(name);
  };
  for (const name of signals) process.once(name, stop);
  try {
    return await fn(controller.signal);
  } finally {
    for (const name of signals) process.off(name, stop);
  }
}

/** Exit code of a command stopped by Ctrl-C: the shell's convention, 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** Exit code of a command a signal stopped: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export const exitCodeOfSignal = (name: NodeJS.Signals): number => 128 + os.constants.signals[name];
