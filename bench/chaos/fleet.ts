import { bundleWorkflowCode } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator';
import { freePort } from '../harness';
import { cliService, devServerService, type Service } from './processes';
import type { Target } from './schedule';

export interface FleetOptions {
  /** Where the dev server keeps its database and each process its log. */
  dir: string;
  simUrl: string;
  /** How to run `replica-fleet`, e.g. `[process.execPath, 'dist/src/cli/main.js']`. */
  cli: string[];
  /** A prebuilt workflow bundle; without one the workflows are bundled once for every worker start. */
  workflowBundlePath?: string;
  /** The code host the worker follows PRs on and the ingress takes GitHub's deliveries for; none: no PRs followed. */
  github?: FleetGitHub;
  log: (line: string) => void;
}

/** How the worker and the ingress reach the code host: the environment a deployment gives them. */
export interface FleetGitHub {
  GITHUB_API_URL: string;
  GITHUB_WEB_URL: string;
  GITHUB_TOKEN: string;
  GITHUB_WEBHOOK_SECRET: string;
}

export interface Fleet {
  temporalAddress: string;
  /** Where the ingress listens (its `/github` takes GitHub's deliveries). */
  ingressUrl: string;
  services: Record<Target, Service>;
}

/**
 * Bulk actions' writes per hour across the fleet: GitHub's 500 would stretch a bulk merge of a hundred
 * PRs over twelve minutes; the stand-in has no such limit (its secondary limits are injected).
 */
const CHAOS_GITHUB_WRITES_PER_HOUR = '36000';

/** Environment of the CLI processes: this one's, minus any replica-fleet, Temporal or GitHub settings of the shell. */
function baseEnv(temporalAddress: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(TEMPORAL_|REPLICA_FLEET_|REPLICAS_|LOG_|GITHUB_)/.test(name),
    ),
  );
  return { ...env, TEMPORAL_ADDRESS: temporalAddress, LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
}

async function bundleWorkflows(dir: string, log: (line: string) => void): Promise<string> {
  const file = path.join(dir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'src', 'workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: log, error: log },
  });
  writeFileSync(file, code);
  return file;
}

/**
 * A deployment in processes, as production runs it: the Temporal dev server, `replica-fleet webhooks`
 * and `replica-fleet worker`, sharing the webhook secret, on loopback ports fixed for the whole run so
 * that a restarted process is found where the others (and the replicas' callback URLs) expect it.
 */
export async function prepareFleet(options: FleetOptions): Promise<Fleet> {
  const ports = { temporal: await freePort(), ui: await freePort(), ingress: await freePort() };
  const temporalAddress = `127.0.0.1:${ports.temporal}`;
  const secret = randomBytes(32).toString('hex');
  const env = baseEnv(temporalAddress);
  const { dir, log } = options;
  const bundle = options.workflowBundlePath ?? (await bundleWorkflows(dir, log));
  const temporal = devServerService(
    { dataDir: path.join(dir, 'temporal'), port: ports.temporal, uiPort: ports.ui, namespace: 'default' },
    log,
  );
  const ingress = cliService({
    name: 'ingress',
    command: [...options.cli, 'webhooks', '--port', String(ports.ingress)],
    env: {
      ...env,
      REPLICA_FLEET_WEBHOOK_SECRET: secret,
      ...(options.github && { GITHUB_WEBHOOK_SECRET: options.github.GITHUB_WEBHOOK_SECRET }),
    },
    readyMessage: 'ingress listening',
    logPath: path.join(dir, 'ingress.log'),
    log,
  });
  const worker = cliService({
    name: 'worker',
    command: [...options.cli, 'worker'],
    env: {
      ...env,
      REPLICAS_API_URL: options.simUrl,
      REPLICAS_API_KEY: DEFAULT_SIM_API_KEY,
      REPLICA_FLEET_PUBLIC_WEBHOOK_URL: `http://127.0.0.1:${ports.ingress}`,
      REPLICA_FLEET_WEBHOOK_SECRET: secret,
      REPLICA_FLEET_WORKFLOW_BUNDLE: bundle,
      // The simulator takes far more than the production default of 10 calls a second.
      REPLICAS_API_RATE_PER_SECOND: '200',
      REPLICA_FLEET_METRICS_PORT: '0',
      ...(options.github && { ...options.github, GITHUB_WRITES_PER_HOUR: CHAOS_GITHUB_WRITES_PER_HOUR }),
    },
    readyMessage: 'workers running',
    logPath: path.join(dir, 'worker.log'),
    log,
  });
  return {
    temporalAddress,
    ingressUrl: `http://127.0.0.1:${ports.ingress}`,
    services: { temporal, ingress, worker },
  };
}
