import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyCampaign } from '../../src/campaign-client/apply';
import { waitForCampaign } from '../../src/campaign-client/reads';
import { NO_WORKFLOWS_WARNING } from '../../src/worker';
import { githubError, startLoopbackGitHub } from '../code-host/loopback-github';
import { eventually } from '../support/eventually';
import { freeLoopbackPort } from '../support/free-port';
import { startSimWithClient } from '../support/simulator';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal';

const root = path.resolve(__dirname, '..', '..');
const API_KEY = 'rk_test_5f0c2a9e71d34b8c9a6e0d1f2b3c4d5e';
const WEBHOOK_SECRET = 'c0ffee00deadbeef0123456789abcdef0123456789abcdef';

/** Every line a child wrote (stdout and stderr), and a promise per awaited line. */
interface Service {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** `replica-fleet <args>` in its own process with `env` over this one's, as a deployment runs it. */
function startCli(args: string[], env: NodeJS.ProcessEnv): Service {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['LOG_FORMAT', 'NO_COLOR', 'FORCE_COLOR']) delete childEnv[name];
  const child = spawn(
    path.join(root, 'node_modules', '.bin', 'vite-node'),
    [path.join(__dirname, '..', 'fixtures', 'cli-process.ts'), ...args],
    { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      child.emit('lines');
    });
    stream?.on('end', () => {
      if (partial) lines.push(partial);
    });
  }
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, lines, exited };
}

/** Resolves when the service logs a record with this message; fails if it exits first. */
function logged(service: Service, msg: string): Promise<void> {
  const seen = () => service.lines.some((line) => line.includes(`"msg":${JSON.stringify(msg)}`));
  return new Promise((resolve, reject) => {
    if (seen()) return resolve();
    const check = () => {
      if (!seen()) return;
      service.child.off('lines', check);
      resolve();
    };
    service.child.on('lines', check);
    void service.exited.then((code) =>
      reject(new Error(`exited (${code}) before logging "${msg}":\n${service.lines.join('\n')}`)),
    );
  });
}

async function stop(service: Service): Promise<number | null> {
  if (service.child.exitCode === null) service.child.kill('SIGTERM');
  return service.exited;
}

function parseLines(service: Service): Record<string, unknown>[] {
  return service.lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

describe('replica-fleet worker and webhooks as deployed processes', () => {
  let env: TestWorkflowEnvironment;
  let sim: Awaited<ReturnType<typeof startSimWithClient>>;
  let worker: Service;
  let ingress: Service;
  let opsUrl: string;
  let ingressUrl: string;
  const taskQueue = uniqueTaskQueue('ops');
  const apiTaskQueue = uniqueTaskQueue('ops-api');
  const campaignId = uniqueTaskQueue('ops-campaign');

  beforeAll(async () => {
    env = await connectToDevServer();
    sim = await startSimWithClient({ apiKeys: [API_KEY] });
    const [opsPort, ingressPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    opsUrl = `http://127.0.0.1:${opsPort}`;
    ingressUrl = `http://127.0.0.1:${ingressPort}`;
    const temporal = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: inject('temporalNamespace') };
    ingress = startCli(['webhooks', '--port', String(ingressPort)], {
      ...temporal,
      REPLICA_FLEET_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    worker = startCli(['worker'], {
      ...temporal,
      LOG_LEVEL: 'debug',
      REPLICA_FLEET_TASK_QUEUE: taskQueue,
      REPLICA_FLEET_API_TASK_QUEUE: apiTaskQueue,
      REPLICA_FLEET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      REPLICA_FLEET_METRICS_PORT: String(opsPort),
      REPLICAS_API_URL: sim.sim.url,
      REPLICAS_API_KEY: API_KEY,
      REPLICA_FLEET_PUBLIC_WEBHOOK_URL: ingressUrl,
      REPLICA_FLEET_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    await Promise.all([logged(worker, 'workers running'), logged(ingress, 'ingress listening')]);
  }, 120_000);

  afterAll(async () => {
    for (const service of [worker, ingress])
      if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await sim?.close();
    await env?.teardown();
  });

  it('runs a campaign through webhooks; /metrics shows the SDK series, the campaign and job series and ours; stops cleanly on SIGTERM', async () => {
    await applyCampaign(
      env.client,
      {
        job: { message: 'upgrade the linter' },
        items: [{ key: 'item-1', environmentId: sim.environmentFor('acme/api'), repository: 'acme/api' }],
      },
      { campaignId, taskQueue, apiTaskQueue },
    );
    const progress = await waitForCampaign(env.client, campaignId, undefined, 100);
    expect(progress.counts.succeeded).toBe(1);

    expect((await fetch(`${opsUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${opsUrl}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });

    // Workflow metrics reach the exporter a moment after the activation that recorded them.
    let metrics = '';
    await eventually(async () => {
      metrics = await (await fetch(`${opsUrl}/metrics`)).text();
      return /^replica_fleet_jobs_finished_total\{/m.test(metrics);
    }, 10_000);
    // The SDK runtime's own: task latencies, slots, sticky cache, poll results.
    for (const series of [
      /^temporal_workflow_completed\{[^}]*workflow_type="replicaJobWorkflow"[^}]*\} [1-9]/m,
      /^temporal_workflow_task_execution_latency_count\{/m,
      /^temporal_activity_execution_latency_count\{[^}]*task_queue="ops-api/m,
      /^temporal_worker_task_slots_available\{/m,
      /^temporal_sticky_cache_size\{/m,
      /^temporal_num_pollers\{[^}]*poller_type="workflow_task"/m,
    ]) {
      expect(metrics).toMatch(series);
    }
    // Ours, recorded through the same meter.
    expect(metrics).toMatch(
      /^replica_fleet_api_requests_total\{route="POST \/v1\/replica",status="201"\} 1$/m,
    );
    expect(metrics).toMatch(
      /^replica_fleet_api_requests_total\{route="GET \/v1\/replica\/:id",status="200"\} [1-9]/m,
    );
    expect(metrics).toMatch(/^replica_fleet_process_resident_memory_bytes [1-9]\d+$/m);
    // Recorded by the workflows: jobs by state, the campaign's items by state.
    expect(metrics).toMatch(/^replica_fleet_jobs_started_total\{[^}]*\} [1-9]\d*$/m);
    // At least once: a workflow task that is retried (a timeout under load) records its counters again.
    expect(metrics).toMatch(/^replica_fleet_jobs_finished_total\{[^}]*state="succeeded"[^}]*\} [1-9]\d*$/m);
    expect(metrics).toMatch(
      new RegExp(
        `^replica_fleet_campaign_items\\{[^}]*campaign="${campaignId}"[^}]*state="succeeded"[^}]*\\} 1$`,
        'm',
      ),
    );
    expect(metrics).toMatch(
      new RegExp(`^replica_fleet_campaign_spend_usd\\{[^}]*campaign="${campaignId}"`, 'm'),
    );
    const ingressMetrics = await (await fetch(`${ingressUrl}/metrics`)).text();
    expect(ingressMetrics).toMatch(/^replica_fleet_webhook_requests_total\{outcome="signalled"\} [1-9]/m);

    expect(await stop(worker)).toBe(0);
    expect(await stop(ingress)).toBe(0);
  }, 60_000);

  it('logged one JSON object per line, with workflow and campaign ids, and no secret in any spelling', () => {
    const records = [...parseLines(worker), ...parseLines(ingress)];
    expect(records.length).toBeGreaterThan(20);
    for (const record of records) {
      expect(Object.keys(record).slice(0, 4)).toEqual(['level', 'time', 'component', 'msg']);
    }
    // The API worker polls activities only: the SDK's warning about that is muted, not printed.
    expect(parseLines(worker).map((r) => r.msg)).not.toContain(NO_WORKFLOWS_WARNING);
    const components = new Set(records.map((r) => r.component));
    for (const component of ['worker', 'webhooks', 'temporal.worker', 'temporal.core']) {
      expect(components).toContain(component);
    }
    expect(records).toContainEqual(
      expect.objectContaining({
        workflowId: `${campaignId}/item-1`,
        campaignId,
        component: 'temporal.worker',
      }),
    );
    const everything = [...worker.lines, ...ingress.lines].join('\n');
    for (const secret of [API_KEY, WEBHOOK_SECRET]) {
      for (const spelling of [
        secret,
        Buffer.from(secret).toString('base64'),
        Buffer.from(secret).toString('base64url'),
      ]) {
        expect(everything).not.toContain(spelling);
      }
    }
  });

  it('refuses to start without REPLICAS_API_KEY: exit 2 and one JSON line naming the variable and the fix', async () => {
    const refused = startCli(['worker'], { REPLICAS_API_KEY: '', REPLICA_FLEET_METRICS_PORT: '0' });
    expect(await refused.exited).toBe(2);
    const records = parseLines(refused);
    expect(records).toEqual([
      expect.objectContaining({
        level: 'error',
        component: 'worker',
        msg: expect.stringMatching(/REPLICAS_API_KEY: is required: create an API key/),
      }),
    ]);
  }, 30_000);

  it('refuses to start with half a GitHub App: exit 2 naming each missing variable', async () => {
    const refused = startCli(['worker'], { REPLICAS_API_KEY: API_KEY, GITHUB_APP_ID: '12345' });
    expect(await refused.exited).toBe(2);
    const [record, ...rest] = parseLines(refused);
    expect(rest).toEqual([]);
    expect(record?.msg).toMatch(/GITHUB_APP_INSTALLATION_ID: is required with a GitHub App/);
    expect(record?.msg).toMatch(/GITHUB_APP_PRIVATE_KEY_FILE: is required with a GitHub App/);
  }, 30_000);

  it('refuses to start with a GitHub token GitHub rejects: exit 2, one line naming GITHUB_TOKEN, no token', async () => {
    const token = 'ghp_RevokedRevokedRevokedRevoked0123';
    const github = await startLoopbackGitHub(() => githubError(401, 'Bad credentials'));
    try {
      const refused = startCli(['worker'], {
        REPLICAS_API_KEY: API_KEY,
        GITHUB_TOKEN: token,
        GITHUB_API_URL: github.url,
      });
      expect(await refused.exited).toBe(2);
      expect(github.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        'GET /rate_limit',
      ]);
      expect(parseLines(refused)).toEqual([
        expect.objectContaining({
          level: 'error',
          component: 'worker',
          msg: expect.stringMatching(
            /GitHub refused the credentials .*GITHUB_TOKEN is wrong, expired or revoked/,
          ),
        }),
      ]);
      expect(refused.lines.join('\n')).not.toContain(token);
    } finally {
      await github.close();
    }
  }, 30_000);
});
