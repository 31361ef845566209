import { Client } from '@temporalio/client';
import { z } from 'zod';
import { parseEnv } from '../../config/parse-env';
import { loadTemporalConfig } from '../../config/temporal-config';
import { connectClient } from '../../temporal/connection';
import { WEBHOOK_PATH_PREFIX } from '../../webhooks/callback-targets';
import { createIngressServer } from '../../webhooks/ingress-server';
import { EXIT, command, wholeNumber } from '../command';

const WebhookEnvSchema = z.object({
  REPLICA_FLEET_WEBHOOK_SECRET: z
    .string({ error: 'is required: the master secret webhook signatures are derived from' })
    .min(32, 'must be at least 32 characters; generate one with `openssl rand -hex 32`'),
});

export const webhooksCommand = command({
  name: 'webhooks',
  summary: 'verify signed Replicas callbacks and signal their workflows',
  help: `Usage: replica-fleet webhooks --port N [--host ADDR]

Receives signed Replicas callbacks on POST ${WEBHOOK_PATH_PREFIX}<workflow id>, verifies each signature
with the workflow's secret (derived from REPLICA_FLEET_WEBHOOK_SECRET) and signals the workflow.
Also serves GET /healthz and GET /metrics (Prometheus). Stops gracefully on SIGINT/SIGTERM.

Options:
  --port N        port to listen on (required; 0 picks a free one)
  --host ADDR     address to bind (default 127.0.0.1; put a TLS proxy in front for the internet)

Environment:
  REPLICA_FLEET_WEBHOOK_SECRET  master secret, at least 32 characters (e.g. \`openssl rand -hex 32\`)
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY  how to reach Temporal

Example:
  REPLICA_FLEET_WEBHOOK_SECRET=$(openssl rand -hex 32) replica-fleet webhooks --port 8788`,
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
  },
  async run({ values }) {
    const port = wholeNumber(values.port, '--port', 0, 65535);
    const env = process.env;
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
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
});
