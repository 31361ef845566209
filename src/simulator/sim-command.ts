import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeSimConfig } from './sim-config';
import { DEFAULT_SIM_API_KEY, startSimulator } from './server';

const HELP = `Usage: replica-fleet sim [--port P] [--host 127.0.0.1] [--api-key K]... [--config FILE]

A local stand-in for the Replicas API (same paths, status codes, JSON shapes, lifecycle, 409 rules and
signed webhooks), with seeded fault injection. Point REPLICAS_API_URL at it.

Options:
  --port P         port to listen on (default 8787; 0 picks a free one)
  --host H         address to bind (default 127.0.0.1)
  --api-key K      accepted API key, repeatable; each key is one organisation
                   (default: ${DEFAULT_SIM_API_KEY})
  --config FILE    JSON file with any of the knobs below, e.g. {"faults": {"serverErrorRate": 0.1}}
  --set KNOB=VALUE set one knob, repeatable, applied after --config, e.g. --set faults.rateLimitRate=0.2
  --seed N         seed of every random choice (same as --set seed=N)

Config knobs (milliseconds, probabilities 0..1):
${describeSimConfig()}

Test endpoints (no key, loopback use): GET /__sim/stats, POST /__sim/reset,
POST /__sim/config (same JSON as --config; changes a running simulator),
POST /__sim/replicas/{id}/state {"status": "sleeping"|"error"|..., "error_message"?}, GET /__sim/orgs`;

/** `replica-fleet sim`: runs the simulator until SIGINT/SIGTERM. */
export async function runSimCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string', multiple: true },
      config: { type: 'string' },
      set: { type: 'string', multiple: true },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`replica-fleet sim: --port must be a port number (0-65535), got "${values.port}"`);
    return 2;
  }
  let config: unknown = {};
  if (values.config) {
    try {
      config = JSON.parse(readFileSync(values.config, 'utf8'));
    } catch (error) {
      console.error(
        `replica-fleet sim: --config ${values.config}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 2;
    }
  }
  try {
    config = applyFlags(config as Record<string, unknown>, [
      ...(values.seed ? [`seed=${values.seed}`] : []),
      ...(values.set ?? []),
    ]);
  } catch (error) {
    console.error(`replica-fleet sim: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const sim = await startSimulator({
    port,
    host: values.host,
    apiKeys: values['api-key'],
    config: config as object,
  });
  console.log(`replica-fleet sim: listening on ${sim.url} (seed ${sim.config.seed})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

/** Applies `group.knob=value` flags over a config document; values must be numbers. */
export function applyFlags(config: Record<string, unknown>, flags: string[]): Record<string, unknown> {
  const out = structuredClone(config);
  for (const flag of flags) {
    const match = /^(seed|(timings|behaviour|faults)\.(\w+))=(-?\d+(?:\.\d+)?)$/.exec(flag);
    if (!match) {
      throw new Error(
        `--set ${flag}: expected KNOB=NUMBER with KNOB one of seed, timings.*, behaviour.*, faults.* (see --help)`,
      );
    }
    const value = Number(match[4]);
    if (match[1] === 'seed') out.seed = value;
    else {
      const group = (out[match[2] as string] ??= {}) as Record<string, unknown>;
      group[match[3] as string] = value;
    }
  }
  return out;
}
