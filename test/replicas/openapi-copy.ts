import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { OPENAPI_DIFFERENCES } from '../fixtures/openapi-differences';

/** The OpenAPI copy the tests validate against (`test/fixtures/reference/replicas-openapi.json`). */
export const openApiDoc = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/reference/replicas-openapi.json'), 'utf8'),
) as Record<string, unknown>;

/** The copy with the `schema-override` entries of the differences fixture applied. */
function reconciledDoc(): Record<string, unknown> {
  const copy = structuredClone(openApiDoc);
  for (const { override } of OPENAPI_DIFFERENCES.filter((d) => d.contract === 'schema-override')) {
    if (!override) continue;
    const keys = override.pointer.split('/').slice(1);
    const last = keys.pop() as string;
    const parent = keys.reduce((node, key) => node[key] as Record<string, unknown>, copy);
    if (parent[last] === undefined) throw new Error(`override of a missing schema: ${override.pointer}`);
    parent[last] = override.schema;
  }
  return copy;
}

/** Ajv over the reconciled copy, registered as `openapi`: compile `{ $ref: 'openapi#/…' }`. */
export function makeAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(reconciledDoc(), 'openapi');
  return ajv;
}

/** A validator for one named schema of the copy, e.g. `EngineEvent`. */
export function componentValidator(ajv: Ajv2020, name: string): ValidateFunction {
  return ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
}
