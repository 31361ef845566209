import type { Redactor } from '../observability/redaction';

export type CodeHostErrorKind =
  /** The credentials were refused: nothing works until the configuration is fixed. */
  | 'unauthorized'
  /** The credentials lack a permission, or the repository refuses the action. */
  | 'forbidden'
  | 'not-found'
  /** The request was wrong for this pull request (GitHub's 422), or the handle is not a PR URL of this host. */
  | 'invalid'
  /** Still limited after the retries allowed in-process; `retryAfterSeconds` says when to come back. */
  | 'rate-limited'
  /** GitHub or the network failed after the retries allowed in-process. */
  | 'unavailable';

const RETRYABLE: ReadonlySet<CodeHostErrorKind> = new Set(['rate-limited', 'unavailable']);

/** Every failure of the adapter; the message names what failed and never holds a credential. */
export class CodeHostError extends Error {
  override name = 'CodeHostError';
  readonly retryable: boolean;

  constructor(
    readonly kind: CodeHostErrorKind,
    message: string,
    readonly details: { status?: number; requestId?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.retryable = RETRYABLE.has(kind);
  }
}

/** What Octokit's request errors carry that we read; duck-typed so no Octokit type leaks out. */
interface HttpFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

const KIND_BY_STATUS: Record<number, CodeHostErrorKind> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  410: 'not-found',
  422: 'invalid',
  429: 'rate-limited',
};

function kindOf(failure: HttpFailure): CodeHostErrorKind {
  const status = failure.status ?? 0;
  const headers = failure.response?.headers ?? {};
  // GitHub answers an exhausted or secondary limit with 403 as well as 429.
  if (
    status === 403 &&
    (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(failure.message ?? ''))
  )
    return 'rate-limited';
  return KIND_BY_STATUS[status] ?? 'unavailable';
}

/**
 * The one translation of a failed GitHub call into a `CodeHostError`: a 401 names the variables to fix,
 * and every text is passed through the redactor of this client's credentials.
 */
export function toCodeHostError(
  error: unknown,
  doing: string,
  redactor: Redactor,
  credentialsFix: string,
): CodeHostError {
  if (error instanceof CodeHostError) return error;
  const failure = (typeof error === 'object' && error !== null ? error : {}) as HttpFailure;
  const kind = kindOf(failure);
  const headers = failure.response?.headers ?? {};
  const requestId = headers['x-github-request-id'];
  // A secondary limit says `retry-after`; an exhausted hourly budget says when it resets.
  const retryAfter =
    headers['retry-after'] !== undefined
      ? Number(headers['retry-after'])
      : headers['x-ratelimit-remaining'] === '0'
        ? Math.max(0, Math.ceil(Number(headers['x-ratelimit-reset']) - Date.now() / 1000))
        : NaN;
  const said = redactor.text(failure.message ?? String(error));
  const message =
    kind === 'unauthorized'
      ? `GitHub refused the credentials while ${doing} (401 ${said}): ${credentialsFix}`
      : `GitHub ${failure.status ? `answered ${failure.status}` : 'failed'} while ${doing}: ${said}`;
  return new CodeHostError(kind, message, {
    ...(failure.status && { status: failure.status }),
    ...(requestId !== undefined && { requestId: String(requestId) }),
    ...(Number.isFinite(retryAfter) && { retryAfterSeconds: retryAfter }),
  });
}
