import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { installRuntimeLogger } from '../temporal/quiet-runtime';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadWorkerConfig } from '../config/worker-config';
import { startDevServer } from '../dev/dev-server';
import { packageRoot } from '../dev/temporal-binary';
import { createFleetWorkers } from '../worker';

export const devHelp = `replica-fleet dev [options]

Runs an embedded Temporal dev server (state kept in <data-dir>/temporal.sqlite) and the
replica-fleet workers in one process, then runs a health-check workflow through both task queues.
Stop with Ctrl-C; workflows resume where they were on the next start.

Options:
  --port N        Temporal gRPC port (default 7233)
  --ui-port N     Temporal Web UI port (default 8233)
  --data-dir DIR  where the dev server keeps its database (default .data/)
  --once          exit after the health check instead of serving
  -h, --help      show this help`;

export async function runDevCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: '8233' },
      'data-dir': { type: 'string', default: path.join(packageRoot(), '.data') },
      once: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(devHelp);
    return 0;
  }
  const port = parsePort(values.port, '--port');
  const uiPort = parsePort(values['ui-port'], '--ui-port');
  const config = loadWorkerConfig({ ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
  const namespace = config.temporal.TEMPORAL_NAMESPACE;

  installRuntimeLogger();
  const server = await startDevServer({ dataDir: values['data-dir'], port, uiPort, namespace });
  console.log(
    `replica-fleet dev: Temporal ${server.address} (namespace ${namespace}), Web UI ${server.uiUrl}`,
  );
  const connection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace });
  try {
    const workers = await createFleetWorkers(config, connection);
    const running = workers.run();
    const health = await client.workflow.execute('healthCheckWorkflow', {
      taskQueue: config.taskQueue,
      workflowId: `health-check-${Date.now()}`,
      args: [{ caller: 'replica-fleet dev', apiTaskQueue: config.apiTaskQueue }],
    });
    console.log(`replica-fleet dev: health check passed: ${JSON.stringify(health)}`);
    if (values.once) workers.shutdown();
    else console.log('replica-fleet dev: worker running; press Ctrl-C to stop');
    await running;
    return 0;
  } finally {
    await client.connection.close();
    await connection.close();
    await server.stop();
  }
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${flag} must be a port number from 1 to 65535 (got "${value}")`);
  }
  return port;
}
