import { Client } from '@temporalio/client';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseEnv } from '../config/parse-env';
import { loadTemporalConfig } from '../config/temporal-config';
import { connectClient } from '../temporal/connection';
import { createIngressServer } from './ingress-server';
import { WEBHOOK_PATH_PREFIX } from './signing';

export const webhooksHelp = `replica-fleet webhooks --port N [options]

Receives signed Replicas callbacks on POST ${WEBHOOK_PATH_PREFIX}<workflow id>, verifies each signature
with the workflow's secret (derived from REPLICA_FLEET_WEBHOOK_SECRET) and signals the workflow.
Also serves GET /healthz and GET /metrics (Prometheus). Stops gracefully on SIGINT/SIGTERM.

Options:
  --port N        port to listen on (required; 0 picks a free one)
  --host ADDR     address to bind (default 127.0.0.1; put a TLS proxy in front for the internet)
  -h, --help      show this help

Environment:
  REPLICA_FLEET_WEBHOOK_SECRET  master secret, at least 32 characters (e.g. \`openssl rand -hex 32\`)
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY  how to reach Temporal`;

const WebhookEnvSchema = z.object({
  REPLICA_FLEET_WEBHOOK_SECRET: z
    .string({ error: 'is required: the master secret webhook signatures are derived from' })
    .min(32, 'must be at least 32 characters; generate one with `openssl rand -hex 32`'),
});

export async function runWebhooksCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(webhooksHelp);
    return 0;
  }
  const port = Number(values.port);
  if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`replica-fleet webhooks: --port must be a port number from 0 to 65535\n\n${webhooksHelp}`);
    return 2;
  }
  const masterSecret = parseEnv(WebhookEnvSchema, env, 'webhook ingress').REPLICA_FLEET_WEBHOOK_SECRET;
  const temporal = loadTemporalConfig(env);

  const connection = await connectClient(temporal);
  const client = new Client({ connection, namespace: temporal.TEMPORAL_NAMESPACE });
  const ingress = createIngressServer({ client, masterSecret, host: values.host, port });
  try {
    await ingress.listen();
    console.log(
      `replica-fleet webhooks: listening on ${ingress.url}${WEBHOOK_PATH_PREFIX}<workflow id> ` +
        `(Temporal ${temporal.TEMPORAL_ADDRESS}, namespace ${temporal.TEMPORAL_NAMESPACE})`,
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (name: NodeJS.Signals) => {
        process.off('SIGINT', stop).off('SIGTERM', stop);
        resolve(name);
      };
      process.on('SIGINT', stop).on('SIGTERM', stop);
    });
    console.log(`replica-fleet webhooks: ${signal} received; finishing in-flight deliveries`);
    await ingress.close();
    return 0;
  } finally {
    await connection.close();
  }
}
