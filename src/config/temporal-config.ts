import { z } from 'zod';
import { parseEnv } from './parse-env';

const optionalPath = z
  .string()
  .trim()
  .min(1)
  .optional()
  .or(z.literal('').transform(() => undefined));

/** How to reach Temporal: shared by the worker, the CLI client and the webhook ingress. */
export const TemporalEnvSchema = z
  .object({
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233 or my-ns.a1b2c.tmprl.cloud:7233')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1, 'must not be empty; e.g. default').default('default'),
    TEMPORAL_TLS_CERT_PATH: optionalPath,
    TEMPORAL_TLS_KEY_PATH: optionalPath,
    TEMPORAL_TLS_SERVER_ROOT_CA_PATH: optionalPath,
    TEMPORAL_TLS_SERVER_NAME: optionalPath,
    TEMPORAL_API_KEY: z
      .string()
      .min(1)
      .optional()
      .or(z.literal('').transform(() => undefined)),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
      const missing = env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'mTLS needs both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH; set both or neither',
      });
    }
    if (env.TEMPORAL_API_KEY && env.TEMPORAL_TLS_CERT_PATH) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_API_KEY'],
        message: 'use either TEMPORAL_API_KEY or mTLS certificates, not both; unset one of them',
      });
    }
  });

export type TemporalConfig = z.infer<typeof TemporalEnvSchema>;

export function loadTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  return parseEnv(TemporalEnvSchema, env, 'Temporal');
}
