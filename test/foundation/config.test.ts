import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/parse-env';
import { loadWorkerConfig } from '../../src/config/worker-config';

describe('worker configuration from the environment', () => {
  it('defaults to a local server and the two documented task queues', () => {
    const config = loadWorkerConfig({});
    expect(config.temporal.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.temporal.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.taskQueue).toBe('replica-fleet');
    expect(config.apiTaskQueue).toBe('replica-fleet-api');
  });

  it('names the variable and the fix for a malformed address', () => {
    expect(() => loadWorkerConfig({ TEMPORAL_ADDRESS: 'not an address' })).toThrow(
      /TEMPORAL_ADDRESS: must be host:port/,
    );
  });

  it('rejects half an mTLS pair, naming the missing variable', () => {
    expect(() => loadWorkerConfig({ TEMPORAL_TLS_CERT_PATH: '/certs/client.pem' })).toThrow(
      /TEMPORAL_TLS_KEY_PATH: mTLS needs both/,
    );
  });

  it('never echoes a secret value in its error', () => {
    const secret = 'tmprl-secret-api-key-value';
    try {
      loadWorkerConfig({
        TEMPORAL_API_KEY: secret,
        TEMPORAL_TLS_CERT_PATH: '/c',
        TEMPORAL_TLS_KEY_PATH: '/k',
      });
      expect.unreachable('invalid configuration was accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toContain('TEMPORAL_API_KEY');
      expect(String(error)).not.toContain(secret);
    }
  });

  it('rejects a non-positive API rate', () => {
    expect(() => loadWorkerConfig({ REPLICAS_API_RATE_PER_SECOND: '0' })).toThrow(
      /REPLICAS_API_RATE_PER_SECOND: must be a positive number/,
    );
  });
});
