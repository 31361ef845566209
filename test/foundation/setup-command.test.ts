import { msToTs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/command';
import { setupCommand } from '../../src/cli/commands/setup';
import { searchAttributeKeys } from '../../src/contracts';
import {
  ensureSearchAttributes,
  searchAttributesAtStart,
  SearchAttributesRefused,
  tcldCommand,
} from '../../src/temporal/search-attributes';
import { captureConsole, withEnv } from '../support/console';
import { eventually } from '../support/eventually';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal';

const names = searchAttributeKeys.map((key) => key.name);

describe('replica-fleet setup', () => {
  let env: TestWorkflowEnvironment;
  // A namespace of its own: the suite's namespace has every attribute already.
  const namespace = uniqueTaskQueue('setup-ns');
  const setup = (...args: string[]) =>
    withEnv({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: namespace }, () =>
      captureConsole(() => runCommand(setupCommand, args)),
    );

  beforeAll(async () => {
    env = await connectToDevServer();
    await env.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    // A new namespace reaches the frontend's cache a moment after it is registered.
    await eventually(async () =>
      env.connection.operatorService.listSearchAttributes({ namespace }).then(
        () => true,
        () => false,
      ),
    );
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('reports what is missing with --check (exit 1), registers it (exit 0), and is a no-op the second time', async () => {
    const check = await setup('--check');
    expect(check.code).toBe(1);
    for (const name of names) expect(check.out).toMatch(new RegExp(`${name}\\s+Keyword\\s+missing`));

    const first = await setup();
    expect(first.code, first.err).toBe(0);
    for (const name of names) expect(first.out).toMatch(new RegExp(`${name}\\s+Keyword\\s+added`));

    const second = await setup();
    expect(second.code).toBe(0);
    for (const name of names)
      expect(second.out).toMatch(new RegExp(`${name}\\s+Keyword\\s+already registered`));

    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(names));
    expect((await setup('--check')).code).toBe(0);
  });

  it('turns a refusal of the operator API into the tcld command that registers what is missing', async () => {
    const refusal = Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: 7 });
    const cloud = {
      listSearchAttributes: async () => ({ customAttributes: { CampaignId: 2 } }),
      addSearchAttributes: async () => Promise.reject(refusal),
    } as unknown as Parameters<typeof ensureSearchAttributes>[0];
    const error = await ensureSearchAttributes(cloud, 'prod.a1b2c', { register: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SearchAttributesRefused);
    const missing = (error as SearchAttributesRefused).missing;
    expect(missing.map((m) => m.name)).toEqual(names.filter((name) => name !== 'CampaignId'));
    const command = tcldCommand('prod.a1b2c', missing);
    expect(command).toMatch(/^tcld namespace search-attributes add --namespace prod\.a1b2c/);
    expect(command).toContain('--search-attribute "CampaignState=Keyword"');
    expect(command).not.toContain('CampaignId=');
  });

  it('lets a worker register what is missing at start, or name the tcld command where it may not', async () => {
    const fresh = uniqueTaskQueue('worker-ns');
    await env.connection.workflowService.registerNamespace({
      namespace: fresh,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const operator = env.connection.operatorService;
    await eventually(async () =>
      operator.listSearchAttributes({ namespace: fresh }).then(
        () => true,
        () => false,
      ),
    );
    const first = await searchAttributesAtStart(operator, fresh);
    expect(first).toEqual({ kind: 'ready', added: names });
    expect(await searchAttributesAtStart(operator, fresh)).toEqual({ kind: 'ready', added: [] });

    const refusal = Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: 7 });
    const cloud = {
      listSearchAttributes: async () => Promise.reject(refusal),
      addSearchAttributes: async () => Promise.reject(refusal),
    } as unknown as Parameters<typeof searchAttributesAtStart>[0];
    const refused = await searchAttributesAtStart(cloud, 'prod.a1b2c');
    expect(refused).toMatchObject({ kind: 'refused', missing: names });
    expect(refused.kind === 'refused' && refused.command).toMatch(/^tcld namespace search-attributes add/);
  });

  it('rejects an unknown flag with the usage and exit 2', async () => {
    const run = await setup('--register-everything');
    expect(run.code).toBe(2);
    expect(run.err).toContain('Usage: replica-fleet setup');
  });
});
