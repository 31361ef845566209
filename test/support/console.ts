/** Runs a command with its console output captured: exit code, stdout and stderr text. */
export async function captureConsole(fn: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const original = { log: console.log, error: console.error };
  console.log = (...parts: unknown[]) => out.push(parts.map(String).join(' '));
  console.error = (...parts: unknown[]) => err.push(parts.map(String).join(' '));
  try {
    return { code: await fn(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    Object.assign(console, original);
  }
}

/** Runs `fn` with some environment variables set, restoring them after. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}
