import { EXIT, runCommand, type AnyCommand } from './command';
import { automationCommand } from './commands/automation';
import { campaignCommand } from './commands/campaign';
import { devCommand } from './commands/dev';
import { replicasCommand } from './commands/replicas';
import { setupCommand } from './commands/setup';
import { simCommand } from './commands/sim';
import { uiCommand } from './commands/ui';
import { webhooksCommand } from './commands/webhooks';
import { workerCommand } from './commands/worker';

export const commands: AnyCommand[] = [
  automationCommand,
  campaignCommand,
  devCommand,
  replicasCommand,
  setupCommand,
  simCommand,
  uiCommand,
  webhooksCommand,
  workerCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: replica-fleet <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'replica-fleet <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return EXIT.ok;
  }
  if (!name) {
    console.error(usage());
    return EXIT.usage;
  }
  const found = commands.find((c) => c.name === name);
  if (!found) {
    console.error(`replica-fleet: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  return runCommand(found, rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`replica-fleet: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = EXIT.failed;
    },
  );
}
