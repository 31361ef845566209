import { Client } from '@temporalio/client';
import { loadTemporalConfig } from '../config/temporal-config';
import { connectClient } from '../temporal/connection';

/** Temporal did not answer: says where the CLI looked and how to point it elsewhere. */
export class TemporalUnreachableError extends Error {
  constructor(address: string, reason: string) {
    super(
      `cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${reason}; start one with 'replica-fleet dev' or set TEMPORAL_ADDRESS`,
    );
    this.name = 'TemporalUnreachableError';
  }
}

/** Runs `fn` with a Temporal client configured from the environment, and closes the connection after. */
export async function withTemporalClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const config = loadTemporalConfig();
  // Someone at a terminal waits on this: a server that has not answered in 3 s is not there.
  const connection = await connectClient(config, { connectTimeoutMs: 3_000 }).catch((error: unknown) => {
    throw new TemporalUnreachableError(
      config.TEMPORAL_ADDRESS,
      error instanceof Error ? error.message : String(error),
    );
  });
  try {
    return await fn(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }));
  } finally {
    await connection.close();
  }
}
