import { loadReplicasConfig } from '../config/replicas-config';
import { ReplicasApiError, ReplicasClient, ReplicasRequestValidationError } from '../replicas';
import { EXIT, UsageError } from './command';

function clientFrom(config: { apiUrl: string; apiKey: string }): ReplicasClient {
  return new ReplicasClient({ baseUrl: config.apiUrl, apiKey: config.apiKey });
}

/**
 * Runs `fn` with a Replicas client from REPLICAS_API_URL / REPLICAS_API_KEY: a request refused before
 * it is sent is a usage error (exit 2, naming the field), an API refusal exits 1 with its words.
 */
export async function withReplicas(fn: (client: ReplicasClient) => Promise<number | void>): Promise<number> {
  const client = clientFrom(loadReplicasConfig());
  try {
    return (await fn(client)) ?? EXIT.ok;
  } catch (error) {
    if (error instanceof ReplicasRequestValidationError) throw new UsageError(error.message);
    if (error instanceof ReplicasApiError) {
      console.error(error.message);
      return EXIT.failed;
    }
    throw error;
  } finally {
    await client.close();
  }
}

/** A Replicas client when REPLICAS_API_KEY is set, for commands whose live part is a bonus. */
export async function withOptionalReplicas<T>(
  fn: (client: ReplicasClient | undefined) => Promise<T>,
): Promise<T> {
  if (!process.env.REPLICAS_API_KEY?.trim()) return fn(undefined);
  const client = clientFrom(loadReplicasConfig());
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
