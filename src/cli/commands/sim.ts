import { readFileSync } from 'node:fs';
import {
  DEFAULT_SIM_API_KEY,
  applyFlags,
  describeSimConfig,
  parseSimConfig,
  startSimulator,
  type SimConfigInput,
} from '../../simulator';
import { EXIT, UsageError, command, wholeNumber } from '../command';

/**
 * `--set KNOB=VALUE` flags over a base config (a --config file, a command's own defaults), checked
 * against the simulator's knobs before anything starts: a malformed flag, an unknown knob or a value
 * out of range is a usage error naming it (exit 2).
 */
export function simKnobs(flags: string[] | undefined, base: object = {}): SimConfigInput {
  try {
    const config = applyFlags(base as Record<string, unknown>, flags ?? []);
    parseSimConfig(config);
    return config as SimConfigInput;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export const simCommand = command({
  name: 'sim',
  summary: 'local Replicas API simulator with fault injection',
  help: `Usage: replica-fleet sim [--port P] [--host 127.0.0.1] [--api-key K]... [--config FILE] [--set KNOB=VALUE]...

A local stand-in for the Replicas API (same paths, status codes, JSON shapes, lifecycle, 409 rules and
signed webhooks), with seeded fault injection. Point REPLICAS_API_URL at it.

Options:
  --port P         port to listen on (default 8787; 0 picks a free one)
  --host H         address to bind (default 127.0.0.1)
  --api-key K      accepted API key, repeatable; each key is one organisation
                   (default: ${DEFAULT_SIM_API_KEY})
  --config FILE    JSON file with any of the knobs below, e.g. {"faults": {"serverErrorRate": 0.1}}
  --set KNOB=VALUE set one knob, repeatable, applied after --config, e.g. --set faults.rateLimitRate=0.2
                   or --set repositories.count=300
  --seed N         seed of every random choice (same as --set seed=N)

Config knobs (milliseconds, probabilities 0..1):
${describeSimConfig()}

Test endpoints (no key, loopback use): GET /__sim/stats, POST /__sim/reset,
POST /__sim/config (same JSON as --config; changes a running simulator),
POST /__sim/replicas/{id}/state {"status": "sleeping"|"error"|..., "error_message"?},
GET /__sim/replicas/{id} (the simulator's own view of one replica, with the config it was created with), GET /__sim/orgs

Example:
  replica-fleet sim --port 8787 --set faults.serverErrorRate=0.05 --seed 7`,
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string', multiple: true },
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    seed: { type: 'string' },
  },
  async run({ values }) {
    const port = wholeNumber(values.port, '--port', 0, 65535);
    let config: unknown = {};
    if (values.config) {
      try {
        config = JSON.parse(readFileSync(values.config, 'utf8'));
      } catch (error) {
        throw new UsageError(
          `--config ${values.config}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const knobs = simKnobs(
      [...(values.seed ? [`seed=${values.seed}`] : []), ...(values.set ?? [])],
      config as object,
    );
    const sim = await startSimulator({ port, host: values.host, apiKeys: values['api-key'], config: knobs });
    console.log(`replica-fleet sim: listening on ${sim.url} (seed ${sim.config.seed})`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sim.close();
    return EXIT.ok;
  },
});
