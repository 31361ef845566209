import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { describeIssues } from '../../contracts';
import { HttpError } from '../http';
import type { Organisation } from '../model';
import type { ReplicaEngine } from '../replica-engine';
import type { SimConfig } from '../sim-config';

export interface ApiContext {
  req: IncomingMessage;
  res: ServerResponse;
  org: Organisation;
  query: URLSearchParams;
  body(): Promise<unknown>;
  engine: ReplicaEngine;
  config: SimConfig;
}

/** Validates a body or query like the API: 400 with `{error, details}` naming each bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const details = describeIssues(parsed.error.issues, '(body)').join('; ');
    throw new HttpError(400, `Invalid ${what}`, details);
  }
  return parsed.data;
}

export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`, null);
}

/** Query parameters that are integers, booleans or strings, as the API parses them. */
export function queryObject(query: URLSearchParams, numbers: string[] = [], booleans: string[] = []) {
  const out: Record<string, unknown> = {};
  for (const [key, value] of query) {
    if (numbers.includes(key)) out[key] = /^-?\d+$/.test(value) ? Number(value) : value;
    else if (booleans.includes(key)) out[key] = value === 'true' ? true : value === 'false' ? false : value;
    else out[key] = value;
  }
  return out;
}
