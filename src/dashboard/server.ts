import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import { campaignProgress, campaignRecords } from '../campaign-client/reads';
import type { ItemRecord } from '../contracts';
import type { ReplicasClient } from '../replicas';
import { dashboardApp } from './app';
import { Sessions, TOKEN_VARIABLE } from './auth';
import { LiveFeeds } from './live-feed';
import { isLoopback } from './request-origin';
import { SharedReads, type CampaignSource } from './shared-reads';
import { loadAssets } from './static-assets';

export interface DashboardOptions {
  client: Client;
  replicas?: ReplicasClient;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8790; 0 picks a free port. */
  port?: number;
  /** Required unless the bind is loopback (`REPLICA_FLEET_UI_TOKEN`). */
  token?: string;
  /**
   * Treat the server as reachable from other machines even on a loopback bind (behind a proxy, or a
   * test of the token path): the token is then required and any `Host` is answered.
   */
  exposed?: boolean;
  /** Offer pause, resume, retry… (off by default). */
  allowActions?: boolean;
  /** How long one read serves every viewer (2 s). */
  freshMs?: number;
  /** Where the campaign reads come from; the campaign client's by default (tests and the benchmark count them). */
  source?: CampaignSource;
}

/** A dashboard that would be reachable without a token: named, with the fix (the CLI exits 2). */
export class DashboardExposedError extends Error {
  constructor(host: string) {
    super(
      `--host ${host} is reachable from other machines: set ${TOKEN_VARIABLE} to a long random value (e.g. $(openssl rand -hex 32)) and sign in with it, or bind 127.0.0.1`,
    );
    this.name = 'DashboardExposedError';
  }
}

export interface Dashboard {
  url: string;
  reads: SharedReads;
  feeds: LiveFeeds;
  close(): Promise<void>;
}

/** The campaign client's reads, as the CLI makes them. */
export function campaignSource(client: Client): CampaignSource {
  return {
    progress: (campaignId) => campaignProgress(client, campaignId),
    records: async (campaignId) => {
      const records: ItemRecord[] = [];
      for await (const record of campaignRecords(client, campaignId)) records.push(record);
      return records;
    },
  };
}

/** Serves the dashboard until `close()`. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const exposed = options.exposed === true || !isLoopback(host);
  const token = options.token?.trim() || undefined;
  if (exposed && token === undefined) throw new DashboardExposedError(host);
  const reads = new SharedReads(options.source ?? campaignSource(options.client), {
    ...(options.freshMs !== undefined && { freshMs: options.freshMs }),
  });
  const feeds = new LiveFeeds(reads, Math.min(1_000, options.freshMs ?? 1_000));
  const app = dashboardApp({
    client: options.client,
    ...(options.replicas && { replicas: options.replicas }),
    reads,
    feeds,
    sessions: new Sessions(),
    assets: loadAssets(),
    ...(token !== undefined && { token }),
    exposed,
    allowActions: options.allowActions ?? false,
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8790 }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    reads,
    feeds,
    close: () =>
      new Promise<void>((resolve) => {
        feeds.close();
        // Live streams stay open as long as their pages: end them with the server.
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
