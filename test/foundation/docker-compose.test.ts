import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { searchAttributeKeys } from '../../src/contracts';

const root = path.resolve(__dirname, '..', '..');
const schemaPath = path.join(root, 'test', 'fixtures', 'reference', 'compose-spec.schema.json');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText) as {
  services: Record<
    string,
    {
      image?: string;
      build?: unknown;
      command?: string[];
      depends_on?: Record<string, { condition: string }>;
      ports?: string[];
      environment?: Record<string, unknown>;
      healthcheck?: { test: string[] };
      restart?: string;
    }
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

  it('runs Postgres 16, schema setup, the server, the UI on 8080 and the worker built from the Dockerfile after setup', () => {
    const { services } = compose;
    expect(services.postgresql?.image).toMatch(/^postgres:\$\{POSTGRES_VERSION:-16\}$/);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-namespace']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-ui']?.ports).toContain('127.0.0.1:8080:8080');
    expect(services.worker?.build).toMatchObject({ dockerfile: 'Dockerfile' });
    expect(Object.keys(services.worker?.depends_on ?? {})).toContain('setup');
    expect(existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('registers the search attributes with `replica-fleet setup` before any worker or ingress starts', () => {
    const { services } = compose;
    expect(services.setup).toMatchObject({ command: ['setup'], restart: 'no' });
    expect(services.setup?.build).toEqual(services.worker?.build);
    expect(services.setup?.depends_on?.['temporal-namespace']?.condition).toBe(
      'service_completed_successfully',
    );
    for (const name of ['worker', 'webhooks']) {
      expect(services[name]?.depends_on?.setup?.condition, name).toBe('service_completed_successfully');
    }
    // The list lives in src/contracts/search-attributes.ts alone.
    const script = readFileSync(path.join(root, 'deploy', 'temporal', 'setup-namespace.sh'), 'utf8');
    for (const key of searchAttributeKeys) expect(script).not.toContain(`${key.name} `);
  });

  it('health-checks the worker on /readyz and the ingress on /healthz, and gives up on a failing start', () => {
    const { worker, webhooks } = compose.services;
    expect(worker?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:9464/readyz');
    expect(worker?.environment).toMatchObject({
      REPLICA_FLEET_METRICS_HOST: '0.0.0.0',
      REPLICA_FLEET_METRICS_PORT: 9464,
    });
    expect(webhooks?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8788/healthz');
    // A configuration error exits non-zero every time: a bounded policy stops instead of looping.
    for (const service of [worker, webhooks]) expect(service?.restart).toMatch(/^on-failure:\d$/);
  });

  it('passes every tuning variable to the worker, and documents every interpolated variable in .env.example', () => {
    const tuning = [
      'REPLICAS_API_RATE_PER_SECOND',
      'REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES',
      'REPLICA_FLEET_MAX_CACHED_WORKFLOWS',
      'REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS',
      'REPLICA_FLEET_MAX_CONCURRENT_ACTIVITIES',
      'REPLICA_FLEET_WORKFLOW_POLLERS',
      'REPLICA_FLEET_ACTIVITY_POLLERS',
    ];
    for (const name of tuning)
      expect(compose.services.worker?.environment).toHaveProperty(name, `\${${name}:-}`);
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    const interpolated = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    for (const name of interpolated) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
