import type { z } from 'zod';

export type ReplicasErrorKind =
  | 'conflict'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'validation'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'invalid_response'
  | 'http';

export interface ReplicasApiErrorInit {
  kind: ReplicasErrorKind;
  method: string;
  path: string;
  status?: number;
  apiError?: string;
  details?: unknown;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A failed call to the Replicas API. Carries what a caller needs to branch (kind, status, the body's
 * `error`/`details`, `Retry-After`) and where it happened (method, path) — never the API key.
 */
export class ReplicasApiError extends Error {
  readonly kind: ReplicasErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly apiError?: string;
  readonly details?: unknown;
  readonly retryAfterMs?: number;

  constructor(init: ReplicasApiErrorInit) {
    const what = init.status ? `${init.status} ${init.kind}` : init.kind;
    const reason = init.apiError ?? (init.cause instanceof Error ? init.cause.message : undefined);
    super(`Replicas API ${init.method} ${init.path}: ${what}${reason ? `: ${reason}` : ''}`, {
      cause: init.cause,
    });
    this.name = 'ReplicasApiError';
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.apiError = init.apiError;
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Worth retrying as is: the platform or the network may answer differently next time. */
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

/** A request rejected before it was sent: names each bad field and what it must be. */
export class ReplicasRequestValidationError extends Error {
  readonly operation: string;
  readonly issues: { field: string; message: string }[];

  constructor(operation: string, error: z.ZodError) {
    const issues = fieldIssues(error.issues, '(body)');
    super(`invalid ${operation} request: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'ReplicasRequestValidationError';
    this.operation = operation;
    this.issues = issues;
  }
}

/**
 * The one retry rule of the project: 408 and 429, 5xx, dropped connections and deadlines may pass on a
 * later try; every other answer would fail the same way again.
 */
export const RETRYABLE_KINDS: ReadonlySet<ReplicasErrorKind> = new Set([
  'rate_limited',
  'server',
  'network',
  'timeout',
]);

export function kindForStatus(status: number): ReplicasErrorKind {
  if (status === 408) return 'timeout';
  if (status === 400 || status === 422) return 'validation';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'http';
}

/** `Retry-After` is either delay-seconds or an HTTP date; both become milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Each zod issue as the field it names and what is wrong: the client's one rule for both directions. */
export function fieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  rootLabel: string,
): { field: string; message: string }[] {
  return issues.map((issue) => ({
    field: issue.path.map(String).join('.') || rootLabel,
    message: issue.message,
  }));
}
