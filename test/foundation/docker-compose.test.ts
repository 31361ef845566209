import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const schemaPath = path.join(root, 'test', 'fixtures', 'reference', 'compose-spec.schema.json');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    { image?: string; build?: unknown; depends_on?: Record<string, unknown>; ports?: string[] }
  >;
};

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // The schema names draft-07 by its https URL, which ajv's built-in draft-07 meta-schema is not keyed by.
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<
      string,
      unknown
    >;
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs Postgres 16, schema setup, the server, the UI on 8080 and the worker built from the Dockerfile', () => {
    const { services } = compose;
    expect(services.postgresql?.image).toMatch(/^postgres:\$\{POSTGRES_VERSION:-16\}$/);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-namespace']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-ui']?.ports).toContain('127.0.0.1:8080:8080');
    expect(services.worker?.build).toMatchObject({ dockerfile: 'Dockerfile' });
    expect(Object.keys(services.worker?.depends_on ?? {})).toContain('temporal-namespace');
    expect(existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('registers every search attribute the workflows upsert', () => {
    const script = readFileSync(path.join(root, 'deploy', 'temporal', 'setup-namespace.sh'), 'utf8');
    for (const name of ['CampaignId', 'ReplicaId', 'JobState', 'Repository']) expect(script).toContain(name);
  });
});
