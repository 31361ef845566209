/** Environment variables whose values are secrets: never logged, whatever path a value takes. */
export const SECRET_VARIABLES = [
  'REPLICAS_API_KEY',
  'REPLICA_FLEET_WEBHOOK_SECRET',
  'TEMPORAL_API_KEY',
  'POSTGRES_PASSWORD',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'GITHUB_WEBHOOK_SECRET',
] as const;

export const REDACTED = '[redacted]';

/** Field names whose string values are credentials, whatever they hold. */
const SECRET_FIELD = /authorization|api[-_]?key|secret|password|passwd|credential|cookie|token$/i;
/** HTTP auth schemes quoted in error texts (`Bearer <key>`, `Basic <base64>`). */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/**
 * GitHub's token formats (personal, OAuth, App installation `ghs_`, fine-grained `github_pat_`): App
 * installation tokens are minted at run time, so no configured value can name them.
 */
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g;
/** A PEM private key, whole or cut short (a GitHub App's key read from a file is in no variable). */
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
/** Shorter values would blank out ordinary words; real keys and secrets are far longer. */
const MIN_SECRET_LENGTH = 8;
const MAX_DEPTH = 6;

export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return SECRET_VARIABLES.map((name) => env[name]?.trim() ?? '').filter(Boolean);
}

/** The spellings a secret may take on its way to a log line: as is, base64, base64url, URL-encoded. */
function spellings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    encodeURIComponent(secret),
  ];
}

export interface Redactor {
  text(value: string): string;
  /** A JSON-safe copy of `value` with secrets blanked (errors become `{ name, message, stack }`). */
  value(value: unknown): unknown;
}

/**
 * Blanks known secrets in every spelling, auth headers, and the values of credential-named fields.
 * Applied to a record before it is serialised: escaping could otherwise hide a secret from a search
 * over the line that a JSON parser would bring back.
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const needles = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(spellings))].sort(
    (a, b) => b.length - a.length,
  );

  function text(value: string): string {
    let out = value
      .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
      .replace(GITHUB_TOKEN, REDACTED)
      .replace(PRIVATE_KEY, REDACTED);
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  }

  function walk(input: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof input === 'string') return text(input);
    if (typeof input === 'bigint') return input.toString();
    if (input === null || typeof input !== 'object') return typeof input === 'function' ? undefined : input;
    if (seen.has(input)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[nested]';
    seen.add(input);
    if (input instanceof Date) return input.toISOString();
    if (ArrayBuffer.isView(input)) return `[${input.byteLength} bytes]`;
    if (Array.isArray(input)) return input.map((item) => walk(item, depth + 1, seen));
    const source: Record<string, unknown> =
      input instanceof Error
        ? { ...input, name: input.name, message: input.message, stack: input.stack, cause: input.cause }
        : (input as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(source)) {
      if (item === undefined) continue;
      out[key] =
        SECRET_FIELD.test(key) && (typeof item === 'string' || ArrayBuffer.isView(item))
          ? REDACTED
          : walk(item, depth + 1, seen);
    }
    return out;
  }

  return { text, value: (value) => walk(value, 0, new WeakSet()) };
}
