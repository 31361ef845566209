import { afterEach, describe, expect, it } from 'vitest';
import { loadLoggingConfig } from '../../src/config/logging-config';
import {
  configureLogging,
  logger,
  muteLogMessage,
  type LoggingOptions,
} from '../../src/observability/logger';
import { withEnv } from '../support/console';

/** Routes every logger of this process into an array for one test. */
function capture(options: Partial<LoggingOptions> = {}): string[] {
  const lines: string[] = [];
  configureLogging({ level: 'debug', format: 'auto', tty: false, ...options, write: (l) => lines.push(l) });
  return lines;
}

const parse = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the process logger', () => {
  // test/support/setup-file.ts keeps the suite at WARN on stderr.
  afterEach(() => configureLogging({ level: 'warn' }));

  it('writes one JSON object per line off a terminal: level, time, component, msg, then the fields', () => {
    const lines = capture();
    logger('worker').info('workers running', { namespace: 'default', taskQueues: ['a', 'b'] });
    logger('webhooks').warn('two\nlines');
    expect(lines).toHaveLength(2);
    const [first, second] = parse(lines);
    expect(Object.keys(first ?? {}).slice(0, 4)).toEqual(['level', 'time', 'component', 'msg']);
    expect(first).toMatchObject({
      level: 'info',
      component: 'worker',
      msg: 'workers running',
      namespace: 'default',
      taskQueues: ['a', 'b'],
    });
    expect(new Date(String(first?.time)).getTime()).not.toBeNaN();
    expect(second).toMatchObject({ level: 'warn', component: 'webhooks', msg: 'two\nlines' });
  });

  it('drops records below LOG_LEVEL', () => {
    const lines = capture({ level: 'warn' });
    const log = logger('worker');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(parse(lines).map((r) => r.msg)).toEqual(['w', 'e']);
  });

  it('writes human lines on a terminal, coloured only there, and logfmt when asked', async () => {
    const human = capture({ tty: false, format: 'human' });
    logger('worker').warn('slow', { ms: 12 });
    expect(human[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}worker\s+slow ms=12$/);

    const terminal = await withEnv({ NO_COLOR: undefined }, async () => capture({ tty: true }));
    logger('worker').warn('slow');
    expect(terminal[0]).toContain('\x1b[33m');

    const logfmt = capture({ format: 'logfmt' });
    logger('worker').info('two words', { queue: 'q' });
    expect(logfmt[0]).toMatch(/^level=info time=\S+ component=worker msg="two words" queue=q$/);
  });

  it('renders SDK records under their subsystem, at their own time, with the campaign of the workflow', () => {
    const lines = capture();
    const sdk = logger('temporal');
    const at = new Date('2030-01-02T03:04:05.678Z');
    sdk.info('Activity completed', {
      sdkComponent: 'activity',
      workflowId: 'camp-1/item-7',
      workflowType: 'replicaJobWorkflow',
      [Symbol.for('log_timestamp')]: BigInt(at.getTime()) * 1_000_000n,
    });
    sdk.debug('Workflow started', {
      sdkComponent: 'worker',
      workflowId: 'camp-1',
      workflowType: 'campaignWorkflow',
    });
    sdk.trace('never printed');
    const [activity, worker] = parse(lines);
    expect(lines).toHaveLength(2);
    expect(activity).toMatchObject({ component: 'activity', time: at.toISOString(), campaignId: 'camp-1' });
    expect(activity).not.toHaveProperty('sdkComponent');
    expect(worker).toMatchObject({ component: 'temporal.worker', campaignId: 'camp-1' });
  });

  it('never writes a secret, in any spelling, wherever it hides', () => {
    const apiKey = 'rk_live_0123456789abcdef';
    const webhookSecret = 'whsec-fedcba9876543210fedcba9876543210';
    const lines = capture({ secrets: [apiKey, webhookSecret] });
    const log = logger('worker');
    const error = new Error(`request with key ${apiKey} failed`);
    log.error(`calling with ${apiKey}`, {
      error,
      nested: { deeper: [{ value: `x${webhookSecret}x` }] },
      encoded: Buffer.from(apiKey).toString('base64'),
      url: `https://hooks.example/${encodeURIComponent(webhookSecret)}`,
      headers: { Authorization: 'Bearer some-other-token-value', 'x-api-key': 'plain-credential-value' },
      note: 'sent Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature upstream',
      password: 'hunter2hunter2',
    });
    const text = lines.join('\n');
    for (const secret of [
      apiKey,
      webhookSecret,
      Buffer.from(apiKey).toString('base64'),
      Buffer.from(webhookSecret).toString('base64'),
      'some-other-token-value',
      'plain-credential-value',
      'eyJhbGciOiJIUzI1NiJ9',
      'hunter2hunter2',
    ]) {
      expect(text).not.toContain(secret);
    }
    const [record] = parse(lines);
    expect(record?.msg).toBe('calling with [redacted]');
    expect(record?.error).toMatchObject({ name: 'Error', message: 'request with key [redacted] failed' });
  });

  it('redacts the secret variables of the environment without being told', () => {
    const secret = 'env-held-api-key-0123456789';
    const saved = process.env.REPLICAS_API_KEY;
    process.env.REPLICAS_API_KEY = secret;
    try {
      const lines = capture();
      logger('worker').info(`key is ${secret}`);
      expect(lines[0]).not.toContain(secret);
    } finally {
      if (saved === undefined) delete process.env.REPLICAS_API_KEY;
      else process.env.REPLICAS_API_KEY = saved;
    }
  });

  it('redacts GitHub tokens minted at run time and PEM keys, which no variable names', () => {
    const lines = capture();
    const installationToken = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
    const fineGrained = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz';
    const key =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n-----END RSA PRIVATE KEY-----';
    logger('code-host').warn(`token ${installationToken} refused`, {
      detail: `used ${fineGrained}`,
      loaded: `key ${key} and a cut one -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq`,
    });
    const text = lines.join('\n');
    for (const secret of [
      installationToken,
      fineGrained,
      'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn',
      'MIIEvQIBADANBgkq',
    ])
      expect(text).not.toContain(secret);
    expect(parse(lines)[0]?.msg).toBe('token [redacted] refused');
  });

  it('validates LOG_LEVEL and LOG_FORMAT, naming the variable and the choices', () => {
    expect(loadLoggingConfig({})).toEqual({ level: 'info', format: 'auto' });
    expect(loadLoggingConfig({ LOG_LEVEL: 'WARN', LOG_FORMAT: 'json' })).toEqual({
      level: 'warn',
      format: 'json',
    });
    expect(() => loadLoggingConfig({ LOG_LEVEL: 'verbose' })).toThrow(
      /LOG_LEVEL: must be one of debug, info, warn, error/,
    );
    expect(() => loadLoggingConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: must be one of auto, json/);
  });

  it('a muted message is dropped only where its fields place it; other warnings, and it elsewhere, still print', () => {
    const lines = capture({ level: 'warn' });
    const sdk = logger('temporal');
    const noWorkflows = 'No workflows registered, not polling for workflow tasks';
    const unmute = muteLogMessage(noWorkflows, { sdkComponent: 'worker', taskQueue: 'api' });
    sdk.warn(noWorkflows, { sdkComponent: 'worker', taskQueue: 'api' });
    sdk.warn(noWorkflows, { sdkComponent: 'worker', taskQueue: 'workflows' });
    sdk.warn('Worker poller failed', { sdkComponent: 'worker', taskQueue: 'api' });
    unmute();
    sdk.warn(noWorkflows, { sdkComponent: 'worker', taskQueue: 'api' });
    expect(parse(lines).map((r) => [r.msg, r.taskQueue])).toEqual([
      [noWorkflows, 'workflows'],
      ['Worker poller failed', 'api'],
      [noWorkflows, 'api'],
    ]);
  });
});
