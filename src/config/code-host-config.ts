import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, parseEnv } from './parse-env';

const optional = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const numericId = (fix: string) => optional.pipe(z.string().regex(/^\d+$/, fix).optional());

const TOKEN_FIX =
  'is required: set GITHUB_TOKEN to a token allowed to read and write pull requests and issues of the target repositories, or set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_FILE and GITHUB_APP_INSTALLATION_ID for a GitHub App';
const APP_VARIABLES = ['GITHUB_APP_ID', 'GITHUB_APP_INSTALLATION_ID'] as const;
const APP_FIX: Record<(typeof APP_VARIABLES)[number], string> = {
  GITHUB_APP_ID: "is required with a GitHub App: the App ID from the App's settings page",
  GITHUB_APP_INSTALLATION_ID:
    'is required with a GitHub App: the number at the end of the installation URL (…/settings/installations/NUMBER)',
};
const PEM = /-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/;
const KEY_FIX =
  "must hold the PEM private key generated in the App's settings (-----BEGIN RSA PRIVATE KEY----- …)";

const CodeHostEnvSchema = z
  .object({
    GITHUB_API_URL: z
      .url(
        'must be an http(s) URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server',
      )
      .default('https://api.github.com'),
    /** Where PR URLs live, when not beside the API (a proxy, or the local stand-in serving github.com URLs). */
    GITHUB_WEB_URL: z
      .url('must be the http(s) address pull request URLs start with, e.g. https://github.com')
      .optional(),
    GITHUB_TOKEN: optional,
    GITHUB_APP_ID: numericId("must be the numeric App ID from the App's settings page"),
    GITHUB_APP_PRIVATE_KEY: optional,
    GITHUB_APP_PRIVATE_KEY_FILE: optional,
    GITHUB_APP_INSTALLATION_ID: numericId(
      'must be the numeric installation id (the number at the end of …/settings/installations/NUMBER)',
    ),
    GITHUB_WEBHOOK_SECRET: optional.pipe(
      z
        .string()
        .min(20, 'must be at least 20 characters; generate one with `openssl rand -hex 32`')
        .optional(),
    ),
  })
  .superRefine((env, ctx) => {
    const app = env.GITHUB_APP_ID || env.GITHUB_APP_INSTALLATION_ID;
    const key = env.GITHUB_APP_PRIVATE_KEY || env.GITHUB_APP_PRIVATE_KEY_FILE;
    if (env.GITHUB_TOKEN && (app || key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['GITHUB_TOKEN'],
        message:
          'is set together with GitHub App variables: keep either GITHUB_TOKEN or the GITHUB_APP_* ones',
      });
      return;
    }
    if (env.GITHUB_TOKEN) return;
    if (!app && !key) {
      ctx.addIssue({ code: 'custom', path: ['GITHUB_TOKEN'], message: TOKEN_FIX });
      return;
    }
    for (const name of APP_VARIABLES)
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: APP_FIX[name] });
    if (env.GITHUB_APP_PRIVATE_KEY && env.GITHUB_APP_PRIVATE_KEY_FILE)
      ctx.addIssue({
        code: 'custom',
        path: ['GITHUB_APP_PRIVATE_KEY'],
        message: 'is set together with GITHUB_APP_PRIVATE_KEY_FILE: keep one of them',
      });
    else if (!key)
      ctx.addIssue({
        code: 'custom',
        path: ['GITHUB_APP_PRIVATE_KEY_FILE'],
        message:
          "is required with a GitHub App: the path of the .pem private key generated in the App's settings (or the key itself in GITHUB_APP_PRIVATE_KEY)",
      });
    else if (env.GITHUB_APP_PRIVATE_KEY && !PEM.test(unescapeNewlines(env.GITHUB_APP_PRIVATE_KEY)))
      ctx.addIssue({ code: 'custom', path: ['GITHUB_APP_PRIVATE_KEY'], message: KEY_FIX });
  });

export type CodeHostCredentials =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: number; privateKey: string; installationId: number };

export interface CodeHostConfig {
  /** REST base URL; GraphQL is found beside it (`/graphql`, or `/api/graphql` on Enterprise Server). */
  apiUrl: string;
  /** `host[:port]` of the pull request URLs these credentials can read. */
  webHost: string;
  credentials: CodeHostCredentials;
  /** Without it, GitHub webhook deliveries are refused and pull requests are tracked by polling. */
  webhookSecret?: string;
}

/** Whether any GitHub variable is set, i.e. whether the code host is meant to be on. */
export function codeHostConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['GITHUB_TOKEN', 'GITHUB_APP_ID', 'GITHUB_APP_INSTALLATION_ID'].some((name) => env[name]?.trim());
}

/** The web host of an API URL: github.com for api.github.com, the same host for Enterprise Server. */
export function webHostOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  return url.hostname === 'api.github.com' ? 'github.com' : url.host;
}

const unescapeNewlines = (key: string) => key.replace(/\\n/g, '\n');

function readPrivateKey(path: string): string {
  let key: string;
  try {
    key = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      `Invalid GitHub configuration:\n  - GITHUB_APP_PRIVATE_KEY_FILE: cannot read ${path} (${code}); give the path of the .pem file downloaded from the App's settings`,
    );
  }
  if (!PEM.test(key))
    throw new ConfigError(
      `Invalid GitHub configuration:\n  - GITHUB_APP_PRIVATE_KEY_FILE: ${path} holds no PEM private key; give the .pem file generated in the App's settings`,
    );
  return key;
}

/** Reads and checks the GitHub variables; a `ConfigError` names each wrong one and its fix, never a value. */
export function loadCodeHostConfig(env: NodeJS.ProcessEnv = process.env): CodeHostConfig {
  const parsed = parseEnv(CodeHostEnvSchema, env, 'GitHub');
  const credentials: CodeHostCredentials = parsed.GITHUB_TOKEN
    ? { kind: 'token', token: parsed.GITHUB_TOKEN }
    : {
        kind: 'app',
        appId: Number(parsed.GITHUB_APP_ID),
        installationId: Number(parsed.GITHUB_APP_INSTALLATION_ID),
        privateKey: parsed.GITHUB_APP_PRIVATE_KEY
          ? unescapeNewlines(parsed.GITHUB_APP_PRIVATE_KEY)
          : readPrivateKey(parsed.GITHUB_APP_PRIVATE_KEY_FILE as string),
      };
  return {
    apiUrl: parsed.GITHUB_API_URL.replace(/\/+$/, ''),
    webHost: parsed.GITHUB_WEB_URL ? new URL(parsed.GITHUB_WEB_URL).host : webHostOf(parsed.GITHUB_API_URL),
    credentials,
    ...(parsed.GITHUB_WEBHOOK_SECRET && { webhookSecret: parsed.GITHUB_WEBHOOK_SECRET }),
  };
}
