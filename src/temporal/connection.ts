import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { readFile } from 'node:fs/promises';
import type { TemporalConfig } from '../config/temporal-config';

async function tlsOptions(config: TemporalConfig) {
  if (config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH) {
    return {
      serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
      serverRootCACertificate: config.TEMPORAL_TLS_SERVER_ROOT_CA_PATH
        ? await readFile(config.TEMPORAL_TLS_SERVER_ROOT_CA_PATH)
        : undefined,
      clientCertPair: {
        crt: await readFile(config.TEMPORAL_TLS_CERT_PATH),
        key: await readFile(config.TEMPORAL_TLS_KEY_PATH),
      },
    };
  }
  // Temporal Cloud API keys are only accepted over TLS.
  return config.TEMPORAL_API_KEY ? true : undefined;
}

/** Address, TLS and API key: the same for the client and the worker connection. */
async function connectionOptions(config: TemporalConfig) {
  return { address: config.TEMPORAL_ADDRESS, tls: await tlsOptions(config), apiKey: config.TEMPORAL_API_KEY };
}

/** `connectTimeoutMs`: how long to wait for the server (the SDK's default is 10 s). */
export async function connectClient(
  config: TemporalConfig,
  { connectTimeoutMs }: { connectTimeoutMs?: number } = {},
): Promise<Connection> {
  const options: ConnectionOptions = {
    ...(await connectionOptions(config)),
    ...(connectTimeoutMs !== undefined && { connectTimeout: connectTimeoutMs }),
  };
  return Connection.connect(options);
}

export async function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  const options: NativeConnectionOptions = await connectionOptions(config);
  return NativeConnection.connect(options);
}

/** Whether the server answers a cheap call within `timeoutMs`: the "Temporal reachable" of readiness. */
export async function temporalAnswers(
  connection: Pick<NativeConnection, 'withDeadline' | 'workflowService'>,
  timeoutMs = 2_000,
): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
