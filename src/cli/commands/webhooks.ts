import { Client } from '@temporalio/client';
import { z } from 'zod';
import { createWebhookVerifier } from '../../code-host';
import { TASK_QUEUES } from '../../contracts';
import { loadLoggingConfig } from '../../config/logging-config';
import { parseEnv } from '../../config/parse-env';
import { loadTemporalConfig } from '../../config/temporal-config';
import { configureLogging, logger } from '../../observability/logger';
import { connectClient } from '../../temporal/connection';
import { WEBHOOK_PATH_PREFIX } from '../../webhooks/callback-targets';
import { GITHUB_PATH, createIngressServer } from '../../webhooks/ingress-server';
import { command, wholeNumber } from '../command';
import { runService } from './worker';

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
Also serves GET /healthz (200 while Temporal answers, else 503) and GET /metrics (Prometheus).
Logs one JSON object per line unless on a terminal (LOG_LEVEL, LOG_FORMAT). Stops gracefully on
SIGINT/SIGTERM.

Options:
  --port N        port to listen on (required; 0 picks a free one)
  --host ADDR     address to bind (default 127.0.0.1; put a TLS proxy in front for the internet,
                  see the README, "Webhook ingress behind TLS")

Environment:
  REPLICA_FLEET_WEBHOOK_SECRET  master secret, at least 32 characters (e.g. \`openssl rand -hex 32\`)
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY  how to reach Temporal
  LOG_LEVEL (debug|info|warn|error), LOG_FORMAT (auto|json|logfmt|human)

Example:
  REPLICA_FLEET_WEBHOOK_SECRET=$(openssl rand -hex 32) replica-fleet webhooks --port 8788`,
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
  },
  async run({ values }) {
    const port = wholeNumber(values.port, '--port', 0, 65535);
    return runService('webhooks', () => serveIngress(values.host, port));
  },
});

async function serveIngress(host: string, port: number): Promise<void> {
  const env = process.env;
  configureLogging(loadLoggingConfig(env));
  const log = logger('webhooks');
  const masterSecret = parseEnv(WebhookEnvSchema, env, 'webhook ingress').REPLICA_FLEET_WEBHOOK_SECRET;
  const temporal = loadTemporalConfig(env);
  const connection = await connectClient(temporal);
  const client = new Client({ connection, namespace: temporal.TEMPORAL_NAMESPACE });
  // With GITHUB_WEBHOOK_SECRET, GitHub's deliveries to /github tell campaigns their PRs changed.
  const githubSecret = env.GITHUB_WEBHOOK_SECRET?.trim();
  const ingress = createIngressServer({
    client,
    masterSecret,
    host,
    port,
    ...(githubSecret && {
      verifyGitHub: createWebhookVerifier(githubSecret),
      // GitHub's deliveries go to the shards of the campaigns on this fleet's task queue.
      taskQueue: env.REPLICA_FLEET_TASK_QUEUE?.trim() || TASK_QUEUES.workflows,
    }),
  });
  try {
    await ingress.listen();
    log.info('ingress listening', {
      url: `${ingress.url}${WEBHOOK_PATH_PREFIX}<workflow id>`,
      github: githubSecret ? `${ingress.url}${GITHUB_PATH}` : 'off (set GITHUB_WEBHOOK_SECRET)',
      temporalAddress: temporal.TEMPORAL_ADDRESS,
      namespace: temporal.TEMPORAL_NAMESPACE,
    });
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (name: NodeJS.Signals) => {
        process.off('SIGINT', stop).off('SIGTERM', stop);
        resolve(name);
      };
      process.on('SIGINT', stop).on('SIGTERM', stop);
    });
    log.info('finishing in-flight deliveries', { signal });
    await ingress.close();
  } finally {
    await connection.close();
  }
}
