import { describe, expect, it } from 'vitest';
import { loadReplicasConfig } from '../../src/config/replicas-config';

describe('Replicas API configuration from the environment', () => {
  it('requires an API key and says where to get one', () => {
    expect(() => loadReplicasConfig({})).toThrow(/REPLICAS_API_KEY: is required: create an API key/);
  });

  it('polls only when no public webhook URL is set', () => {
    const config = loadReplicasConfig({ REPLICAS_API_KEY: 'k' });
    expect(config.apiUrl).toBe('https://api.replicas.dev');
    expect(config.webhooks.publicBaseUrl).toBeUndefined();
  });

  it('demands a strong master secret once webhooks are on, without echoing it', () => {
    const weak = 'short-secret';
    let message = '';
    try {
      loadReplicasConfig({
        REPLICAS_API_KEY: 'k',
        REPLICA_FLEET_PUBLIC_WEBHOOK_URL: 'https://fleet.example.com',
        REPLICA_FLEET_WEBHOOK_SECRET: weak,
      });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/REPLICA_FLEET_WEBHOOK_SECRET: must be at least 32 characters/);
    expect(message).not.toContain(weak);
  });

  it('rejects a malformed API URL, naming the variable', () => {
    expect(() => loadReplicasConfig({ REPLICAS_API_KEY: 'k', REPLICAS_API_URL: 'not a url' })).toThrow(
      /REPLICAS_API_URL: must be an http\(s\) URL/,
    );
  });
});
