import type { Client } from '@temporalio/client';
import path from 'node:path';
import { loadCampaignSpec } from '../../campaign-client/spec';
import { loadWorkerConfig } from '../../config/worker-config';
import { startDashboard } from '../../dashboard/server';
import { startEmbeddedTemporal } from '../../stack/embedded-temporal';
import { startLocalStack } from '../../stack/local-stack';
import { packageRoot } from '../../stack/temporal-binary';
import { installRuntimeLogger } from '../../temporal/quiet-runtime';
import type { healthCheckWorkflow } from '../../workflows/health-check';
import { applyCampaign, describeApply } from '../../campaign-client/apply';
import { campaignRecords, waitForCampaign } from '../../campaign-client/reads';
import type { CampaignProgress, ItemRecord } from '../../contracts';
import { EXIT, command, wholeNumber } from '../command';
import { formatProgress } from '../format/progress';
import { recordsTable } from '../format/records';
import { pullRequestsTable } from './campaign-prs';
import { pullRequestRow, type PullRequestRow } from '../../campaign-client/pull-requests';
import { simKnobs } from './sim';

/** The simulator `dev` runs: quick workspaces, so the demo campaign ends in seconds; `--set` goes over it. */
/** Quick turns, and a code host whose reviewers approve green PRs and whose maintainers merge them. */
const DEV_SIM = {
  timings: { provisionMs: 500, turnMs: 1500 },
  codeHost: { reviewApprovalRate: 1, reviewDelayMs: 500, mergeRate: 1, mergeDelayMs: 1000 },
};
/** How long the demo waits for its PRs to merge or close after its items end. */
const DEMO_MERGE_WAIT_MS = 60_000;

export const devCommand = command({
  name: 'dev',
  summary: 'embedded Temporal dev server + workers (local development)',
  help: `Usage: replica-fleet dev [options]

Runs, in one process: an embedded Temporal dev server (state kept in <data-dir>/temporal.sqlite),
the Replicas API simulator, the webhook ingress and the replica-fleet workers. Then runs a health
check through both task queues and the demo campaign (examples/demo-campaign.yaml), and prints
where every repository stands. Stop with Ctrl-C; workflows resume where they were on the next start
(the simulator's replicas do not survive a restart).

Options:
  --port N          Temporal gRPC port (default 7233)
  --ui-port N       Temporal Web UI port (default 8233)
  --data-dir DIR    where the dev server keeps its database (default .data/)
  --sim-port N      Replicas API simulator port (default 8787)
  --webhook-port N  webhook ingress port (default 8788)
  --code-host-port N  port of the code host that behaves like GitHub (default 8789); it holds the
                    demo campaign's PRs, runs their checks and sends webhooks to the ingress's /github
  --dashboard-port N  the campaign dashboard's port (default 8790; 'replica-fleet ui --help')
  --allow-actions   the dashboard offers pause, resume, retry… (off by default)
  --set KNOB=VALUE  a simulator knob, repeatable, as for 'replica-fleet sim' (its --help lists them),
                    e.g. --set behaviour.errorRate=0.15 or --set repositories.count=300; over dev's
                    own quick timings (timings.provisionMs=${DEV_SIM.timings.provisionMs}, timings.turnMs=${DEV_SIM.timings.turnMs})
  --once            exit after the demo campaign instead of serving

While it serves, POST /__sim/config on the simulator changes timings, behaviour and faults without a
restart (same JSON as 'sim --config'), e.g.
  curl -X POST http://127.0.0.1:8787/__sim/config -d '{"faults": {"serverErrorRate": 0.1}}'

Example:
  replica-fleet dev --once
  npm run dev -- --set behaviour.errorRate=0.15`,
  options: {
    port: { type: 'string', default: '7233' },
    'ui-port': { type: 'string', default: '8233' },
    'data-dir': { type: 'string', default: path.join(packageRoot(), '.data') },
    'sim-port': { type: 'string', default: '8787' },
    'webhook-port': { type: 'string', default: '8788' },
    'code-host-port': { type: 'string', default: '8789' },
    'dashboard-port': { type: 'string', default: '8790' },
    'allow-actions': { type: 'boolean', default: false },
    set: { type: 'string', multiple: true },
    once: { type: 'boolean', default: false },
  },
  async run({ values }) {
    const port = wholeNumber(values.port, '--port', 1, 65535);
    const uiPort = wholeNumber(values['ui-port'], '--ui-port', 1, 65535);
    const simPort = wholeNumber(values['sim-port'], '--sim-port', 1, 65535);
    const webhookPort = wholeNumber(values['webhook-port'], '--webhook-port', 1, 65535);
    const codeHostPort = wholeNumber(values['code-host-port'], '--code-host-port', 1, 65535);
    const dashboardPort = wholeNumber(values['dashboard-port'], '--dashboard-port', 1, 65535);
    const simConfig = simKnobs(values.set, DEV_SIM);
    const config = loadWorkerConfig({ ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    const namespace = config.temporal.TEMPORAL_NAMESPACE;

    installRuntimeLogger();
    const temporal = await startEmbeddedTemporal({ dataDir: values['data-dir'], port, uiPort, namespace });
    console.log(
      `replica-fleet dev: Temporal ${temporal.address} (namespace ${namespace}), Web UI ${temporal.uiUrl}`,
    );
    try {
      const stack = await startLocalStack({
        temporal,
        sim: { port: simPort, config: simConfig, codeHostPort },
        webhookPort,
        workerEnv: {
          TEMPORAL_NAMESPACE: namespace,
          REPLICA_FLEET_TASK_QUEUE: config.taskQueue,
          REPLICA_FLEET_API_TASK_QUEUE: config.apiTaskQueue,
        },
      });
      console.log(
        `replica-fleet dev: code host (GitHub) ${stack.githubEnv.GITHUB_API_URL} (token ${stack.githubEnv.GITHUB_TOKEN}; GraphQL ${stack.githubEnv.GITHUB_API_URL}/graphql; PR states at ${stack.githubEnv.GITHUB_API_URL}/__sim/stats)`,
      );
      console.log(
        `replica-fleet dev: Replicas simulator ${stack.sim.url} (key sim-local-key${values.set?.length ? `; ${values.set.join(', ')}` : ''}; change knobs with POST ${stack.sim.url}/__sim/config), webhooks ${stack.ingress?.url}`,
      );
      const dashboard = await startDashboard({
        client: temporal.client,
        replicas: stack.replicas,
        port: dashboardPort,
        allowActions: values['allow-actions'],
      }).catch(async (error: unknown) => {
        await stack.close();
        throw error;
      });
      console.log(
        `replica-fleet dev: dashboard ${dashboard.url}${values['allow-actions'] ? ' (actions on)' : ''}, beside the Temporal Web UI ${temporal.uiUrl}`,
      );
      try {
        const health = await temporal.client.workflow.execute<typeof healthCheckWorkflow>(
          'healthCheckWorkflow',
          {
            taskQueue: config.taskQueue,
            workflowId: `health-check-${Date.now()}`,
            args: [{ caller: 'replica-fleet dev', apiTaskQueue: config.apiTaskQueue }],
          },
        );
        console.log(`replica-fleet dev: health check passed: ${JSON.stringify(health)}`);
        await runDemoCampaign(temporal.client, config.taskQueue, config.apiTaskQueue);
        if (values.once) await stack.stopWorkers();
        else {
          console.log('replica-fleet dev: worker running; press Ctrl-C to stop');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
        }
      } finally {
        await dashboard.close();
        await stack.close();
      }
      return EXIT.ok;
    } finally {
      await temporal.stop();
    }
  },
});

async function runDemoCampaign(client: Client, taskQueue: string, apiTaskQueue: string): Promise<void> {
  const { spec } = loadCampaignSpec(path.join(packageRoot(), 'examples', 'demo-campaign.yaml'));
  const campaignId = `demo-campaign-${Date.now()}`;
  const outcome = await applyCampaign(client, spec, { campaignId, taskQueue, apiTaskQueue });
  console.log(
    `replica-fleet dev: demo campaign ${campaignId} ${describeApply(outcome)} (see it in the Web UI)`,
  );
  await waitForCampaign(client, campaignId, undefined, 250);
  // The items are done; their PRs go on: reviewed, merged (the demo's code host merges green ones).
  const settled = (p: CampaignProgress) =>
    p.pullRequests === undefined || p.pullRequests.open + p.pullRequests.draft === 0;
  const deadline = Date.now() + DEMO_MERGE_WAIT_MS;
  const progress = await waitForCampaign(client, campaignId, (p) => settled(p) || Date.now() > deadline, 500);
  const records: ItemRecord[] = [];
  for await (const record of campaignRecords(client, campaignId)) records.push(record);
  const rows = records.map(pullRequestRow).filter((row): row is PullRequestRow => row !== undefined);
  console.log(
    `replica-fleet dev: demo campaign finished\n${formatProgress(progress)}\n\n${recordsTable(records)}${
      rows.length ? `\n\n${pullRequestsTable(rows)}` : ''
    }`,
  );
}
