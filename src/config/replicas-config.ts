import { z } from 'zod';
import { parseEnv } from './parse-env';

const optional = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const ReplicasEnvSchema = z
  .object({
    REPLICAS_API_URL: z
      .url('must be an http(s) URL, e.g. https://api.replicas.dev')
      .default('https://api.replicas.dev'),
    REPLICAS_API_KEY: z
      .string({ error: 'is required: create an API key in the Replicas dashboard (Settings > API Keys)' })
      .trim()
      .min(1, 'is required: create an API key in the Replicas dashboard (Settings > API Keys)'),
    REPLICA_FLEET_PUBLIC_WEBHOOK_URL: optional.pipe(
      z.url('must be the public http(s) base URL of the webhook ingress').optional(),
    ),
    REPLICA_FLEET_WEBHOOK_SECRET: optional,
  })
  .superRefine((env, ctx) => {
    if (env.REPLICA_FLEET_PUBLIC_WEBHOOK_URL && (env.REPLICA_FLEET_WEBHOOK_SECRET ?? '').length < 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['REPLICA_FLEET_WEBHOOK_SECRET'],
        message:
          'must be at least 32 characters when webhooks are on; generate one with `openssl rand -hex 32`',
      });
    }
  });

export interface ReplicasConfig {
  apiUrl: string;
  apiKey: string;
  /** Without a public ingress URL, jobs rely on polling alone. */
  webhooks: { publicBaseUrl?: string; masterSecret?: string };
}

export function loadReplicasConfig(env: NodeJS.ProcessEnv = process.env): ReplicasConfig {
  const parsed = parseEnv(ReplicasEnvSchema, env, 'Replicas API');
  return {
    apiUrl: parsed.REPLICAS_API_URL,
    apiKey: parsed.REPLICAS_API_KEY,
    webhooks: {
      publicBaseUrl: parsed.REPLICA_FLEET_PUBLIC_WEBHOOK_URL,
      masterSecret: parsed.REPLICA_FLEET_WEBHOOK_SECRET,
    },
  };
}
