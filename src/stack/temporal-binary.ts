import { existsSync } from 'node:fs';
import path from 'node:path';

/** Package root, whether running from src/ (ts tooling) or dist/src/ (compiled). */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('replica-fleet: cannot find package.json above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/** The Temporal CLI installed by scripts/setup.sh, unless TEMPORAL_CLI_PATH points elsewhere. */
export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const candidate = env.TEMPORAL_CLI_PATH || path.join(packageRoot(), '.tools', 'bin', 'temporal');
  if (!existsSync(candidate)) {
    throw new Error(
      `Temporal CLI not found at ${candidate}: run \`bash scripts/setup.sh\` (installs it into .tools/bin) ` +
        'or set TEMPORAL_CLI_PATH to a `temporal` binary.',
    );
  }
  return candidate;
}
