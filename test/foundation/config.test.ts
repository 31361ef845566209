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

  it('defaults the tuning to the SDK defaults and serves operations on loopback', () => {
    const config = loadWorkerConfig({});
    expect(config.tuning).toEqual({
      maxCachedWorkflows: undefined,
      maxConcurrentWorkflowTasks: 40,
      maxConcurrentActivities: 100,
      workflowPollers: 10,
      activityPollers: 10,
    });
    expect(config.apiRatePerSecond).toBe(10);
    expect(config.maxConcurrentApiActivities).toBe(100);
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('reads every tuning variable, treating empty values as unset', () => {
    const config = loadWorkerConfig({
      REPLICA_FLEET_MAX_CACHED_WORKFLOWS: '500',
      REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS: '80',
      REPLICA_FLEET_MAX_CONCURRENT_ACTIVITIES: '20',
      REPLICA_FLEET_WORKFLOW_POLLERS: '40',
      REPLICA_FLEET_ACTIVITY_POLLERS: '',
      REPLICAS_API_RATE_PER_SECOND: '2.5',
      REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: '5',
      REPLICA_FLEET_METRICS_PORT: '9100',
      REPLICA_FLEET_METRICS_HOST: '0.0.0.0',
    });
    expect(config.tuning).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentWorkflowTasks: 80,
      maxConcurrentActivities: 20,
      workflowPollers: 40,
      activityPollers: 5,
    });
    expect(config.apiRatePerSecond).toBe(2.5);
    expect(config.maxConcurrentApiActivities).toBe(5);
    expect(config.metrics).toEqual({ host: '0.0.0.0', port: 9100 });
  });

  it.each([
    ['REPLICA_FLEET_MAX_CACHED_WORKFLOWS', '-1', /must be a whole number from 0 to/],
    ['REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS', '1', /must be a whole number from 2 to/],
    ['REPLICA_FLEET_MAX_CONCURRENT_ACTIVITIES', 'many', /must be a whole number/],
    ['REPLICA_FLEET_WORKFLOW_POLLERS', '2.5', /must be a whole number/],
    ['REPLICA_FLEET_METRICS_PORT', '70000', /must be a whole number from 0 to 65535/],
    ['REPLICA_FLEET_METRICS_HOST', 'http://x', /must be an address to bind/],
  ])('rejects %s=%s, naming the variable and the range', (name, value, message) => {
    expect(() => loadWorkerConfig({ [name]: value })).toThrow(new RegExp(`${name}: ${message.source}`));
  });

  it('rejects more pollers than slots, naming both variables', () => {
    expect(() =>
      loadWorkerConfig({
        REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS: '4',
        REPLICA_FLEET_WORKFLOW_POLLERS: '8',
      }),
    ).toThrow(
      /REPLICA_FLEET_WORKFLOW_POLLERS: must not exceed REPLICA_FLEET_MAX_CONCURRENT_WORKFLOW_TASKS \(4\)/,
    );
    expect(() =>
      loadWorkerConfig({
        REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES: '3',
        REPLICA_FLEET_ACTIVITY_POLLERS: '4',
      }),
    ).toThrow(
      /REPLICA_FLEET_ACTIVITY_POLLERS: must not exceed .*REPLICA_FLEET_MAX_CONCURRENT_API_ACTIVITIES \(3\)/,
    );
  });
});
