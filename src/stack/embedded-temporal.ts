import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServerOptions } from './dev-server';
import type { StackTemporal } from './local-stack';

export interface EmbeddedTemporal extends StackTemporal {
  address: string;
  uiUrl: string;
  namespace: string;
  /** The server's process, whose CPU and memory benchmarks read. */
  pid: number;
  stop(): Promise<void>;
}

/** `temporal server start-dev` on loopback, with a client and a worker connection to it. */
export async function startEmbeddedTemporal(options: DevServerOptions): Promise<EmbeddedTemporal> {
  const server = await startDevServer(options);
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({
    connection: await Connection.connect({
      address: server.address,
      // A campaign's run may pass 4 MB of history (gRPC's default answer limit) before it continues as
      // new; reading it whole (benchmarks count its events) needs more.
      channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 },
    }),
    namespace: options.namespace,
  });
  return {
    client,
    nativeConnection,
    address: server.address,
    uiUrl: server.uiUrl,
    namespace: options.namespace,
    pid: server.process.pid as number,
    async stop() {
      await client.connection.close();
      await nativeConnection.close();
      await server.stop();
    },
  };
}
