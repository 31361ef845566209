import type { MetricMeter } from '@temporalio/common';
import diagnostics from 'node:diagnostics_channel';
import { FLEET_METRICS } from '../contracts/metrics';

/** API resources and actions are lowercase words (`replica`, `chats`, `start-hooks`) or a version. */
const LITERAL_SEGMENT = /^(v\d+|[a-z]+(-[a-z]+)*)$/;

/**
 * `GET /v1/replica/0b6c…/chats/c_12` → `GET /v1/replica/:id/chats/:id`: every segment that is not a
 * resource or action word (UUIDs, ids, file names) becomes `:id`, so the label's values stay few.
 */
export function routeOf(method: string, path: string): string {
  const pathname = path.split(/[?#]/, 1)[0] ?? '';
  const template = pathname
    .split('/')
    .map((segment) => (segment === '' || LITERAL_SEGMENT.test(segment) ? segment : ':id'))
    .join('/');
  return `${method.toUpperCase()} ${template || '/'}`;
}

/** The fields of undici's request object its diagnostics channels carry that we read. */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
}

/**
 * Counts every request the process makes to the Replicas API, by route and status, through undici's
 * diagnostics channels: they see answers (SSE streams included) and failures without an answer
 * (`status="error"`: refused, reset, timed out), which the client's `onResponse` hook never sees.
 * Returns the function that stops counting.
 */
export function countApiRequests(apiUrl: string, meter: MetricMeter): () => void {
  const origin = new URL(apiUrl).origin;
  const { name, help } = FLEET_METRICS.apiRequests;
  const counter = meter.createCounter(name, undefined, help);
  const answered = new WeakSet<object>();
  const ours = (request: UndiciRequest) => {
    try {
      return request.origin !== undefined && new URL(String(request.origin)).origin === origin;
    } catch {
      return false;
    }
  };
  const count = (request: UndiciRequest, status: string) =>
    counter.add(1, { route: routeOf(request.method ?? 'GET', request.path ?? '/'), status });

  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    if (!ours(request)) return;
    answered.add(request);
    count(request, String(response.statusCode));
  };
  // A failure after the headers (a body cut short) was counted with its status already.
  const onError = (message: unknown) => {
    const { request } = message as { request: UndiciRequest };
    if (ours(request) && !answered.has(request)) count(request, 'error');
  };
  diagnostics.subscribe('undici:request:headers', onHeaders);
  diagnostics.subscribe('undici:request:error', onError);
  return () => {
    diagnostics.unsubscribe('undici:request:headers', onHeaders);
    diagnostics.unsubscribe('undici:request:error', onError);
  };
}
