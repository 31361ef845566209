import { runWorker } from '../worker';
import { runSimCommand } from '../simulator/sim-command';
import { runWebhooksCommand } from '../webhooks/ingress-command';
import { runAutomationCommand } from './automation-command';
import { runCampaignCommand } from './campaign-command';
import { runDevCommand } from './dev-command';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, { summary: string; run: Command }> = {
  automation: {
    summary: 'manage Replicas Automations (recurring single-repo prompts)',
    run: runAutomationCommand,
  },
  campaign: { summary: 'start, watch, steer and schedule campaigns', run: runCampaignCommand },
  dev: { summary: 'embedded Temporal dev server + workers (local development)', run: runDevCommand },
  sim: { summary: 'local Replicas API simulator with fault injection', run: runSimCommand },
  webhooks: {
    summary: 'verify signed Replicas callbacks and signal their workflows',
    run: (argv) => runWebhooksCommand(argv),
  },
  worker: {
    summary: 'run the workers against TEMPORAL_ADDRESS (production)',
    run: async () => {
      await runWorker();
      return 0;
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: replica-fleet <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'replica-fleet <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`replica-fleet: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`replica-fleet: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
