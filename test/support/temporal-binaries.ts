import { existsSync } from 'node:fs';
import path from 'node:path';

const toolsBin = path.resolve(__dirname, '..', '..', '.tools', 'bin');

function requireBinary(envVar: string, fileName: string): string {
  const candidate = process.env[envVar] || path.join(toolsBin, fileName);
  if (!existsSync(candidate)) {
    // Fail loudly: a Temporal test that silently skips proves nothing.
    throw new Error(
      `${fileName} not found at ${candidate}. Run \`bash scripts/setup.sh\` to install it into .tools/bin, ` +
        `or set ${envVar} to an existing binary.`,
    );
  }
  return candidate;
}

/** The Temporal CLI (`temporal server start-dev`). */
export const temporalCliPath = (): string => requireBinary('TEMPORAL_CLI_PATH', 'temporal');

/** The time-skipping test server. */
export const temporalTestServerPath = (): string =>
  requireBinary('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
