import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeHostConfigured, loadCodeHostConfig } from '../../src/config/code-host-config';
import { ConfigError } from '../../src/config/parse-env';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const folder = mkdtempSync(join(tmpdir(), 'code-host-config-'));
const keyFile = join(folder, 'app.pem');
writeFileSync(keyFile, privateKey);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadCodeHostConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('GitHub configuration', () => {
  it('a token alone: api.github.com, pull requests on github.com', () => {
    expect(loadCodeHostConfig({ GITHUB_TOKEN: ` ${TOKEN} ` })).toEqual({
      apiUrl: 'https://api.github.com',
      webHost: 'github.com',
      credentials: { kind: 'token', token: TOKEN },
    });
  });

  it('GitHub Enterprise Server: the API under /api/v3, pull requests on the same host', () => {
    const config = loadCodeHostConfig({
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: 'https://ghe.acme.corp/api/v3/',
    });
    expect(config).toMatchObject({ apiUrl: 'https://ghe.acme.corp/api/v3', webHost: 'ghe.acme.corp' });
  });

  it('a GitHub App: id, installation and the key read from its file', () => {
    const config = loadCodeHostConfig({
      GITHUB_APP_ID: '12345',
      GITHUB_APP_INSTALLATION_ID: '678',
      GITHUB_APP_PRIVATE_KEY_FILE: keyFile,
      GITHUB_WEBHOOK_SECRET: 'a-webhook-secret-of-enough-length',
    });
    expect(config.credentials).toEqual({ kind: 'app', appId: 12345, installationId: 678, privateKey });
    expect(config.webhookSecret).toBe('a-webhook-secret-of-enough-length');
  });

  it('an App key given inline with escaped newlines (as .env files hold it) is unescaped', () => {
    const config = loadCodeHostConfig({
      GITHUB_APP_ID: '1',
      GITHUB_APP_INSTALLATION_ID: '2',
      GITHUB_APP_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'),
    });
    expect(config.credentials).toMatchObject({ privateKey });
  });

  it('no credentials at all names GITHUB_TOKEN and the App alternative', () => {
    const message = refusal({});
    expect(message).toContain('Invalid GitHub configuration');
    expect(message).toMatch(
      /GITHUB_TOKEN: is required: set GITHUB_TOKEN .* or set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_FILE/,
    );
  });

  it('a half-configured App names each missing variable', () => {
    const message = refusal({ GITHUB_APP_ID: '12345' });
    expect(message).toContain('GITHUB_APP_INSTALLATION_ID: is required with a GitHub App');
    expect(message).toContain('GITHUB_APP_PRIVATE_KEY_FILE: is required with a GitHub App');
    expect(message).not.toContain('GITHUB_APP_ID:');
  });

  it('a token and App variables together are refused, naming both ways', () => {
    expect(refusal({ GITHUB_TOKEN: TOKEN, GITHUB_APP_ID: '1' })).toContain(
      'GITHUB_TOKEN: is set together with GitHub App variables',
    );
  });

  it('wrong values name the variable and never echo a secret', () => {
    const message = refusal({
      GITHUB_API_URL: 'api.github.com',
      GITHUB_APP_ID: 'my-app',
      GITHUB_APP_INSTALLATION_ID: '2',
      GITHUB_APP_PRIVATE_KEY: 'not-a-key-but-still-a-secret-value',
      GITHUB_WEBHOOK_SECRET: 'short-secret',
    });
    expect(message).toContain('GITHUB_API_URL: must be an http(s) URL');
    expect(message).toContain('GITHUB_APP_ID: must be the numeric App ID');
    expect(message).toContain('GITHUB_APP_PRIVATE_KEY: must hold the PEM private key');
    expect(message).toContain('GITHUB_WEBHOOK_SECRET: must be at least 20 characters');
    expect(message).not.toContain('not-a-key-but-still-a-secret-value');
    expect(message).not.toContain('short-secret');
  });

  it('a key file that is missing or holds no key names the file variable and the path, never the content', () => {
    const app = { GITHUB_APP_ID: '1', GITHUB_APP_INSTALLATION_ID: '2' };
    expect(refusal({ ...app, GITHUB_APP_PRIVATE_KEY_FILE: join(folder, 'absent.pem') })).toContain(
      `GITHUB_APP_PRIVATE_KEY_FILE: cannot read ${join(folder, 'absent.pem')} (ENOENT)`,
    );
    const notAKey = join(folder, 'token.txt');
    writeFileSync(notAKey, TOKEN);
    const message = refusal({ ...app, GITHUB_APP_PRIVATE_KEY_FILE: notAKey });
    expect(message).toContain(`GITHUB_APP_PRIVATE_KEY_FILE: ${notAKey} holds no PEM private key`);
    expect(message).not.toContain(TOKEN);
  });

  it('is on when a token or App variable is set', () => {
    expect(codeHostConfigured({})).toBe(false);
    expect(codeHostConfigured({ GITHUB_API_URL: 'https://api.github.com' })).toBe(false);
    expect(codeHostConfigured({ GITHUB_TOKEN: TOKEN })).toBe(true);
    expect(codeHostConfigured({ GITHUB_APP_ID: '1' })).toBe(true);
  });
});
