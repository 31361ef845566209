import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DEFAULT_GITHUB_TOKEN,
  DEFAULT_GITHUB_WEBHOOK_SECRET,
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

Beside it runs a code host that behaves like GitHub and holds the same repositories: each PR an
agent's turn opens is there (same repository, number, URL), a later turn pushes a new head commit,
and per head commit check runs and a commit status run, reviewers and a maintainer act (the
codeHost.* knobs). It serves GitHub's REST endpoints (also under /api/v3) and GraphQL (/graphql),
rate-limit headers and signed webhooks. Point GITHUB_API_URL at it, with GITHUB_TOKEN.

Options:
  --port P         port to listen on (default 8787; 0 picks a free one)
  --code-host-port P  port of the code host (default 8789, a free one with --port 0; 0 picks a free one)
  --github-token T accepted GitHub token, repeatable (default: ${DEFAULT_GITHUB_TOKEN})
  --github-webhook URL  where the code host sends GitHub webhooks, e.g. http://127.0.0.1:8788/github
                   (default: none; deliveries are only counted)
  --github-webhook-secret S  the secret they are signed with (default: ${DEFAULT_GITHUB_WEBHOOK_SECRET})
  --github-app-id N --github-app-key FILE  a GitHub App the code host trusts: POST
                   /app/installations/{id}/access_tokens takes its RS256 JWTs (FILE: the app's public
                   key, PEM) and mints installation tokens; webhook bodies then name installation 1
  --host H         address to bind (default 127.0.0.1)
  --api-key K      accepted API key, repeatable; each key is one organisation
                   (default: ${DEFAULT_SIM_API_KEY})
  --config FILE    JSON file with any of the knobs below, e.g. {"faults": {"serverErrorRate": 0.1}}
  --set KNOB=VALUE set one knob, repeatable, applied after --config, e.g. --set faults.rateLimitRate=0.2
                   or --set repositories.count=300
  --seed N         seed of every random choice (same as --set seed=N)

Config knobs (milliseconds, probabilities 0..1):
${describeSimConfig()}

Code-host test endpoints: GET /__sim/stats (requests, webhooks, PR states), GET /__sim/deliveries,
POST /__sim/webhook {"url", "secret"}; its knobs change with the simulator's POST /__sim/config.

Test endpoints (no key, loopback use): GET /__sim/stats, POST /__sim/reset,
POST /__sim/config (same JSON as --config; changes a running simulator),
POST /__sim/replicas/{id}/state {"status": "sleeping"|"error"|..., "error_message"?},
GET /__sim/replicas/{id} (the simulator's own view of one replica, with the config it was created with), GET /__sim/orgs

Example:
  replica-fleet sim --port 8787 --set faults.serverErrorRate=0.05 --seed 7
  replica-fleet sim --set codeHost.checkFailureRate=0.3 --set codeHost.secondaryLimitRate=0.05`,
  options: {
    port: { type: 'string', default: '8787' },
    'code-host-port': { type: 'string' },
    'github-token': { type: 'string', multiple: true },
    'github-webhook': { type: 'string' },
    'github-webhook-secret': { type: 'string', default: DEFAULT_GITHUB_WEBHOOK_SECRET },
    'github-app-id': { type: 'string' },
    'github-app-key': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string', multiple: true },
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    seed: { type: 'string' },
  },
  async run({ values }) {
    const port = wholeNumber(values.port, '--port', 0, 65535);
    // With --port 0 (tests, scripts) the code host takes a free port too, so two simulators never collide.
    const codeHostPort = wholeNumber(
      values['code-host-port'] ?? (port === 0 ? '0' : '8789'),
      '--code-host-port',
      0,
      65535,
    );
    const webhook = values['github-webhook'];
    if (webhook !== undefined && !/^https?:\/\/\S+$/.test(webhook))
      throw new UsageError(
        `--github-webhook ${webhook}: expected an http(s) URL, e.g. http://127.0.0.1:8788/github`,
      );
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
    const app = githubApp(values['github-app-id'], values['github-app-key']);
    const sim = await startSimulator({
      port,
      host: values.host,
      apiKeys: values['api-key'],
      config: knobs,
      codeHost: {
        port: codeHostPort,
        host: values.host,
        tokens: values['github-token'],
        webhook: webhook ? { url: webhook, secret: values['github-webhook-secret'] } : undefined,
        app,
      },
    });
    console.log(`replica-fleet sim: listening on ${sim.url} (seed ${sim.config.seed})`);
    console.log(
      `replica-fleet sim: code host (GitHub) on ${sim.codeHost.url} (GITHUB_API_URL; token ${values['github-token']?.[0] ?? DEFAULT_GITHUB_TOKEN}; GraphQL ${sim.codeHost.url}/graphql${webhook ? `; webhooks to ${webhook}` : ''})`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sim.close();
    return EXIT.ok;
  },
});

/** `--github-app-id` with `--github-app-key` (both or neither): the App whose JWTs the code host takes. */
function githubApp(id: string | undefined, keyFile: string | undefined) {
  if (id === undefined && keyFile === undefined) return undefined;
  if (id === undefined || keyFile === undefined)
    throw new UsageError(
      '--github-app-id and --github-app-key go together: give the app id and its public key (PEM file)',
    );
  const appId = wholeNumber(id, '--github-app-id', 1, Number.MAX_SAFE_INTEGER);
  let publicKey: string;
  try {
    publicKey = createPublicKey(readFileSync(keyFile, 'utf8'))
      .export({ type: 'spki', format: 'pem' })
      .toString();
  } catch (error) {
    throw new UsageError(
      `--github-app-key ${keyFile}: ${error instanceof Error ? error.message : String(error)} (expected the app's public key as PEM)`,
    );
  }
  return { appId, publicKey };
}
