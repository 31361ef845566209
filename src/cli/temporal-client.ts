import { Client } from '@temporalio/client';
import { loadTemporalConfig } from '../config/temporal-config';
import { connectClient } from '../temporal/connection';

/** Runs `fn` with a Temporal client configured from the environment, and closes the connection after. */
export async function withTemporalClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const config = loadTemporalConfig();
  const connection = await connectClient(config);
  try {
    return await fn(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }));
  } finally {
    await connection.close();
  }
}
