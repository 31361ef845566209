import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { freeLoopbackPort } from '../observability/runtime';
import { PortInUseError, startDevServer, type DevServerOptions } from './dev-server';
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
  let nativeConnection: NativeConnection | undefined;
  try {
    nativeConnection = await NativeConnection.connect({ address: server.address });
    const client = new Client({
      connection: await Connection.connect({
        address: server.address,
        // A campaign's run may pass 4 MB of history (gRPC's default answer limit) before it continues as
        // new; reading it whole (benchmarks count its events) needs more.
        channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 },
      }),
      namespace: options.namespace,
    });
    const native = nativeConnection;
    return {
      client,
      nativeConnection: native,
      address: server.address,
      uiUrl: server.uiUrl,
      namespace: options.namespace,
      pid: server.process.pid as number,
      async stop() {
        await client.connection.close();
        await native.close();
        await server.stop();
      },
    };
  } catch (error) {
    await nativeConnection?.close();
    await server.stop();
    throw error;
  }
}

/** How many port pairs a throw-away server tries before giving up. */
export const PORT_ATTEMPTS = 5;

/**
 * A throw-away embedded server on ports nobody else needs: a free pair is picked (`firstPort` first,
 * when given), and a port taken between the pick and the bind — or taken all along — is answered by
 * another pick, up to `PORT_ATTEMPTS` times.
 */
export async function startEmbeddedTemporalOnFreePorts(
  options: Omit<DevServerOptions, 'port' | 'uiPort'> & { firstPort?: number },
): Promise<EmbeddedTemporal & { portsTaken: number[] }> {
  const clashes: string[] = [];
  const portsTaken: number[] = [];
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const port = (attempt === 0 && options.firstPort) || (await freeLoopbackPort());
    const uiPort = await freeLoopbackPort();
    try {
      return { ...(await startEmbeddedTemporal({ ...options, port, uiPort })), portsTaken };
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      portsTaken.push(error.port);
      clashes.push(`${port} and ${uiPort} (${error.message})`);
    }
  }
  throw new Error(
    `the embedded Temporal server found its ports taken ${PORT_ATTEMPTS} times; tried ${clashes.join('; ')}. ` +
      'Free some loopback ports (or stop what keeps taking them) and run it again.',
  );
}
