import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * GitHub's OpenAPI description (OpenAPI 3.0, `nullable` included) from `@octokit/openapi`, registered
 * in ajv as `github`: a response schema is `{ $ref: 'github#/paths/…' }`.
 */
const file = join(__dirname, '../../../node_modules/@octokit/openapi/generated/api.github.com.json');

let ajv: Ajv | undefined;

function githubAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(typedNullables(JSON.parse(readFileSync(file, 'utf8'))) as object, 'github');
  }
  return ajv;
}

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The validator of one operation's answer with this status, as GitHub documents it. */
export function responseValidator(method: string, path: string, status: number): ValidateFunction {
  const pointer = `github#/paths/${escape(path)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  return githubAjv().compile({ $ref: pointer });
}

/** A named schema of the description, e.g. `basic-error` or `validation-error`. */
export function componentValidator(name: string): ValidateFunction {
  return githubAjv().compile({ $ref: `github#/components/schemas/${escape(name)}` });
}

/** Validates, and names every mismatch when it fails. */
export function problemsOf(validate: ValidateFunction, body: unknown): string {
  return validate(body) ? '' : JSON.stringify(validate.errors?.slice(0, 10), null, 1);
}

/**
 * ajv reads OpenAPI 3.0's `nullable` only beside `type`; the description also puts it beside `allOf`
 * or `anyOf` alone, which is said here as `anyOf: [schema, {type: 'null'}]` with the same meaning.
 */
function typedNullables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(typedNullables);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = typedNullables(value);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}
