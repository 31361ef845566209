import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { withCustomRequest } from '@octokit/graphql';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { CodeHostConfig } from '../config/code-host-config';
import { createRedactor, type Redactor } from '../observability/redaction';

/** Where the client's own notes go (the project's logger fits); every text is redacted first. */
export interface CodeHostLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface GitHubClientOptions {
  log?: CodeHostLog;
  /**
   * Longest wait for a rate limit the client sits out in-process; a longer one fails with
   * `rate-limited` and its `retryAfterSeconds`, for the caller's own retry (a Temporal activity's).
   */
  maxRateLimitWaitSeconds?: number;
  /** Retries of a 5xx or network failure, and of a limit GitHub asks to wait for. */
  retries?: number;
  /** Milliseconds per second of `retry-after`, and the unit of the 5xx backoff (1², 2², … units). */
  retryUnitMs?: number;
}

const GitHubOctokit = Octokit.plugin(throttling, retry);

export interface GitHubClient {
  /** REST calls: `request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {...})`. */
  request: InstanceType<typeof GitHubOctokit>['request'];
  /** GraphQL over the same throttled, retried, authenticated transport (mutations: paced like writes). */
  graphql: ReturnType<typeof withCustomRequest>;
  /**
   * GraphQL queries: the throttling plugin paces every GraphQL request like a write (one a second,
   * one at a time), which held a sweep of 10,000 PRs to 100 s. Queries are reads: they keep the
   * plugin's concurrency cap, limits and retries, without the write pacing.
   */
  graphqlRead: ReturnType<typeof withCustomRequest>;
  redactor: Redactor;
  /** The fix a refused credential calls for, naming the variables to change. */
  credentialsFix: string;
}

const quiet: CodeHostLog = { debug() {}, info() {}, warn() {}, error() {} };

/** The plugin's write group, as reads take it: every slot free at once. */
const unpaced = {
  key: () => ({ schedule: <T>(_options: unknown, job: () => T | Promise<T>) => Promise.resolve(job()) }),
};

function redactingLog(log: CodeHostLog, redactor: Redactor) {
  const fields = (meta: unknown) =>
    meta === undefined ? undefined : (redactor.value({ meta }) as Record<string, unknown>);
  return {
    debug: (message: string, meta?: unknown) => log.debug(redactor.text(message), fields(meta)),
    info: (message: string, meta?: unknown) => log.info(redactor.text(message), fields(meta)),
    warn: (message: string, meta?: unknown) => log.warn(redactor.text(message), fields(meta)),
    error: (message: string, meta?: unknown) => log.error(redactor.text(message), fields(meta)),
  };
}

/**
 * GitHub's own rate-limit handling: `@octokit/plugin-throttling` paces writes (GitHub asks for one
 * mutation a second) and sits out primary and secondary limits as `retry-after` says, up to
 * `maxRateLimitWaitSeconds`; `@octokit/plugin-retry` retries 5xx and network failures. Status codes that
 * carry a decision (405 merge refused, 409 head moved, 422) are never retried.
 */
export function createGitHubClient(config: CodeHostConfig, options: GitHubClientOptions = {}): GitHubClient {
  const { credentials } = config;
  const secrets = credentials.kind === 'token' ? [credentials.token] : [credentials.privateKey];
  const redactor = createRedactor(secrets);
  const log = options.log ?? quiet;
  const retries = options.retries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 120;
  const unit = options.retryUnitMs ?? 1000;

  const sitOut =
    (which: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < retries && retryAfter <= maxWait;
      log.warn(`GitHub ${which} rate limit on ${request.method} ${request.url}`, {
        retryAfterSeconds: retryAfter,
        retrying,
      });
      return retrying;
    };

  const octokitFor = (pacing: { write?: typeof unpaced }) =>
    new GitHubOctokit({
      baseUrl: config.apiUrl,
      userAgent: 'replica-fleet',
      log: redactingLog(log, redactor),
      ...(credentials.kind === 'token'
        ? { auth: credentials.token }
        : {
            authStrategy: createAppAuth,
            auth: {
              appId: credentials.appId,
              privateKey: credentials.privateKey,
              installationId: credentials.installationId,
            },
          }),
      throttle: {
        onRateLimit: sitOut('primary'),
        onSecondaryRateLimit: sitOut('secondary'),
        retryAfterBaseValue: unit,
        // The plugin asks only `key(id).schedule(options, job)` of it; its type names Bottleneck's Group.
        ...(pacing.write && { write: pacing.write as never }),
      },
      retry: {
        retries,
        retryAfterBaseValue: unit,
        // 403 and 429 are the throttling plugin's to sit out; the rest are answers, not accidents.
        doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451],
      },
    });

  const octokit = octokitFor({});
  const reads = octokitFor({ write: unpaced });
  return {
    request: octokit.request,
    graphql: withCustomRequest(octokit.request),
    graphqlRead: withCustomRequest(reads.request),
    redactor,
    credentialsFix:
      credentials.kind === 'token'
        ? 'GITHUB_TOKEN is wrong, expired or revoked; create a new token with read and write access to pull requests and issues and set GITHUB_TOKEN to it'
        : 'GITHUB_APP_ID, the private key (GITHUB_APP_PRIVATE_KEY_FILE) or GITHUB_APP_INSTALLATION_ID is wrong, or the App was uninstalled; check them in the App settings',
  };
}
