import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { installRuntimeLogger } from '../temporal/quiet-runtime';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadWorkerConfig } from '../config/worker-config';
import { startDevServer } from '../dev/dev-server';
import { packageRoot } from '../dev/temporal-binary';
import { createFleetWorkers } from '../worker';
import { randomBytes } from 'node:crypto';
import { createActivities } from '../activities';
import { loadCampaignSpec } from '../campaign/spec';
import { ReplicasClient } from '../replicas';
import { DEFAULT_SIM_API_KEY, startSimulator } from '../simulator/server';
import { createIngressServer } from '../webhooks/ingress-server';
import type { CampaignResult } from '../workflows/campaign/types';
import { formatProgress, formatRecords } from './results-table';

export const devHelp = `replica-fleet dev [options]

Runs, in one process: an embedded Temporal dev server (state kept in <data-dir>/temporal.sqlite),
the Replicas API simulator, the webhook ingress and the replica-fleet workers. Then runs a health
check through both task queues and the demo campaign (examples/demo-campaign.yaml), and prints
where every repository stands. Stop with Ctrl-C; workflows resume where they were on the next start
(the simulator's replicas do not survive a restart).

Options:
  --port N        Temporal gRPC port (default 7233)
  --ui-port N     Temporal Web UI port (default 8233)
  --data-dir DIR  where the dev server keeps its database (default .data/)
  --sim-port N    Replicas API simulator port (default 8787)
  --webhook-port N  webhook ingress port (default 8788)
  --once          exit after the demo campaign instead of serving
  -h, --help      show this help`;

export async function runDevCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: '8233' },
      'data-dir': { type: 'string', default: path.join(packageRoot(), '.data') },
      'sim-port': { type: 'string', default: '8787' },
      'webhook-port': { type: 'string', default: '8788' },
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
  const sim = await startSimulator({
    port: parsePort(values['sim-port'], '--sim-port'),
    config: { timings: { provisionMs: 500, turnMs: 1500 } },
  });
  const masterSecret = randomBytes(32).toString('hex');
  const ingress = createIngressServer({
    client,
    masterSecret,
    port: parsePort(values['webhook-port'], '--webhook-port'),
  });
  await ingress.listen();
  const replicas = new ReplicasClient({ baseUrl: sim.url, apiKey: DEFAULT_SIM_API_KEY });
  console.log(
    `replica-fleet dev: Replicas simulator ${sim.url} (key ${DEFAULT_SIM_API_KEY}), webhooks ${ingress.url}`,
  );
  try {
    const workers = await createFleetWorkers(config, connection, {
      apiActivities: createActivities({
        client: replicas,
        config: { webhooks: { publicBaseUrl: ingress.url, masterSecret } },
      }),
    });
    const running = workers.run();
    const health = await client.workflow.execute('healthCheckWorkflow', {
      taskQueue: config.taskQueue,
      workflowId: `health-check-${Date.now()}`,
      args: [{ caller: 'replica-fleet dev', apiTaskQueue: config.apiTaskQueue }],
    });
    console.log(`replica-fleet dev: health check passed: ${JSON.stringify(health)}`);
    await runDemoCampaign(client, config.taskQueue, config.apiTaskQueue);
    if (values.once) workers.shutdown();
    else console.log('replica-fleet dev: worker running; press Ctrl-C to stop');
    await running;
    return 0;
  } finally {
    await ingress.close();
    await replicas.close();
    await sim.close();
    await client.connection.close();
    await connection.close();
    await server.stop();
  }
}

async function runDemoCampaign(client: Client, taskQueue: string, apiTaskQueue: string): Promise<void> {
  const { spec } = loadCampaignSpec(path.join(packageRoot(), 'examples', 'demo-campaign.yaml'));
  const workflowId = `demo-campaign-${Date.now()}`;
  const handle = await client.workflow.start('campaignWorkflow', {
    taskQueue,
    workflowId,
    args: [{ spec: { ...spec, apiTaskQueue } }],
  });
  console.log(`replica-fleet dev: demo campaign ${workflowId} started (see it in the Web UI)`);
  const result = (await handle.result()) as CampaignResult;
  console.log(
    `replica-fleet dev: demo campaign finished\n${formatProgress(result.summary)}\n\n${formatRecords(result.records)}`,
  );
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${flag} must be a port number from 1 to 65535 (got "${value}")`);
  }
  return port;
}
