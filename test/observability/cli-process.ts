/**
 * `replica-fleet <args>` from the TypeScript sources in a process of its own (run with vite-node), for
 * tests that need what a deployment sees: its exit code and every line it writes.
 */
import { main } from '../../src/cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`replica-fleet: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
