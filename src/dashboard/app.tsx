import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { deleteCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { inspectItem, UnknownItemError } from '../campaign-client/item-inspect';
import { listCampaigns } from '../campaign-client/list';
import { UnknownCampaignError } from '../campaign-client/reads';
import { listCampaignSchedules } from '../campaign-client/schedules';
import { CAMPAIGN_STATES, type CampaignProgress } from '../contracts';
import type { ReplicasClient } from '../replicas';
import { accessControl, forgeryGuard, sessionCookie, type AccessVariables } from './access';
import { ActionInputError, DASHBOARD_ACTIONS, offeredActions } from './actions';
import { SESSION_COOKIE, tokenMatches, type Sessions } from './auth';
import { pace } from './campaign-figures';
import { chartData, type ChartData } from './chart-data';
import { parseTableQuery, tablePage, TableQueryError, type TableQuery } from './item-table';
import type { LiveFeeds } from './live-feed';
import { dashboardSecurityHeaders } from './security-headers';
import { versionTag, type RecordsSnapshot, type SharedReads } from './shared-reads';
import type { Asset } from './static-assets';
import { CampaignPage } from './views/campaign-page';
import { CampaignSummary, RecentEvents } from './views/campaign-summary';
import {
  CampaignsPage,
  CampaignsTable,
  type CampaignsFilter,
  type CampaignsList,
} from './views/campaigns-page';
import { ConfirmPage } from './views/confirm-page';
import { ItemDetails, ItemPage } from './views/item-page';
import { ItemTable } from './views/item-table';
import { LoginPage, ProblemPage } from './views/message-pages';
import { campaignPath } from './views/parts';
import { SchedulesPage, SchedulesTable } from './views/schedules-page';

export interface DashboardDeps {
  client: Client;
  /** The Replicas API, for an item's live workspace; without it, the records alone. */
  replicas?: ReplicasClient;
  reads: SharedReads;
  feeds: LiveFeeds;
  sessions: Sessions;
  assets: Map<string, Asset>;
  token?: string;
  exposed: boolean;
  allowActions: boolean;
  now?: () => number;
}

type Env = { Variables: AccessVariables };

const CAMPAIGNS_PER_PAGE = 20;
const PUBLIC_PATHS = /^\/(login|assets\/[\w.-]+)$/;

/** Only a path of this dashboard is a place to go back to after signing in. */
const localPath = (next: string | undefined) =>
  next && /^\/(?!\/)/.test(next) && !next.includes('\\') ? next : '/';

/** Renders a view: hono/jsx escapes every text and attribute, so agent output stays text. */
const render = async (node: unknown) => `<!doctype html>${await Promise.resolve(String(node))}`;
const fragment = async (node: unknown) => String(await Promise.resolve(node));

/**
 * The dashboard's routes: pages rendered on the server from the campaign client's reads through the
 * shared cache, their refreshable parts as JSON for the page script, the live feed as server-sent
 * events, and the actions behind their confirmation.
 */
export function dashboardApp(deps: DashboardDeps): Hono<Env> {
  const now = deps.now ?? Date.now;
  const app = new Hono<Env>();
  const charts = new WeakMap<RecordsSnapshot, { version: string; data: ChartData }>();

  app.use(dashboardSecurityHeaders());
  app.use(compress());
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  });
  app.use(
    accessControl({
      sessions: deps.sessions,
      token: deps.token,
      exposed: deps.exposed,
      isPublic: (path) => PUBLIC_PATHS.test(path),
      refuse: async (c, next) =>
        c.req.header('accept')?.includes('text/html')
          ? c.html(await render(<LoginPage next={localPath(next)} />), 401)
          : c.text(`sign in first: send Authorization: Bearer <the REPLICA_FLEET_UI_TOKEN value>`, 401),
    }),
  );
  app.use(forgeryGuard(deps.sessions, (path) => path === '/login'));

  const pageAuth = (c: Context<Env>) => {
    const sessionId = c.get('sessionId');
    return {
      signedIn: c.get('signedIn'),
      ...(sessionId !== undefined && { formToken: deps.sessions.formToken(sessionId) }),
    };
  };

  const problem = async (c: Context<Env>, error: unknown) => {
    const known = error instanceof UnknownCampaignError || error instanceof UnknownItemError;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof TableQueryError)
      return c.html(await render(<ProblemPage title="Bad filter" message={message} />), 400);
    return c.html(
      await render(
        <ProblemPage
          title={known ? 'Not found' : 'Temporal did not answer'}
          message={known ? message : `could not read the campaign: ${message}`}
        />,
      ),
      known ? 404 : 502,
    );
  };

  app.get('/assets/:name', (c) => {
    const asset = deps.assets.get(c.req.param('name'));
    if (!asset) return c.text('no such file', 404);
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(new Uint8Array(asset.body));
  });

  // Sign-in with the token, for browsers (scripts send the bearer header instead).
  app.get('/login', async (c) => c.html(await render(<LoginPage next={localPath(c.req.query('next'))} />)));
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = localPath(typeof form.next === 'string' ? form.next : undefined);
    if (deps.token === undefined) return c.redirect(next, 303);
    if (!tokenMatches(typeof form.token === 'string' ? form.token : undefined, deps.token))
      return c.html(await render(<LoginPage next={next} problem="That is not the token." />), 401);
    sessionCookie(c, deps.sessions.issue());
    return c.redirect(next, 303);
  });
  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  // Campaigns: newest first, filtered by state and id prefix, paged.
  const campaignsFilter = (c: Context<Env>): CampaignsFilter => {
    const state = c.req.query('state') || undefined;
    if (state && !(CAMPAIGN_STATES as readonly string[]).includes(state))
      throw new TableQueryError(`state must be one of ${CAMPAIGN_STATES.join(', ')}, got "${state}"`);
    const page = Number(c.req.query('page') ?? '1');
    if (!Number.isInteger(page) || page < 1 || page > 1000)
      throw new TableQueryError(`page must be a whole number from 1 to 1000`);
    const prefix = c.req.query('prefix')?.trim() || undefined;
    return { ...(state && { state }), ...(prefix && { prefix }), page };
  };
  const campaignsList = async (filter: CampaignsFilter): Promise<CampaignsList> => {
    const limit = filter.page * CAMPAIGNS_PER_PAGE + 1;
    const entries = await deps.reads.shared(
      `list:${filter.state ?? ''}:${filter.prefix ?? ''}:${limit}`,
      () =>
        listCampaigns(deps.client, {
          ...(filter.state && { state: filter.state }),
          ...(filter.prefix && { prefix: filter.prefix }),
          limit,
          progressOf: (id) => deps.reads.progress(id),
        }),
    );
    const shown = entries.slice((filter.page - 1) * CAMPAIGNS_PER_PAGE, filter.page * CAMPAIGNS_PER_PAGE);
    return {
      entries: await Promise.all(
        shown.map(async (entry) => ({
          entry,
          progress: await deps.reads.progress(entry.campaignId).catch(() => undefined),
        })),
      ),
      hasMore: entries.length > filter.page * CAMPAIGNS_PER_PAGE,
    };
  };
  app.get('/', async (c) => {
    try {
      const filter = campaignsFilter(c);
      const list = await campaignsList(filter);
      return c.html(
        await render(<CampaignsPage list={list} filter={filter} fragments="/fragments" {...pageAuth(c)} />),
      );
    } catch (error) {
      return problem(c, error);
    }
  });
  app.get('/fragments', async (c) => {
    const filter = campaignsFilter(c);
    const list = await campaignsList(filter);
    return c.json({
      fragments: { campaigns: await fragment(<CampaignsTable list={list} filter={filter} />) },
    });
  });

  app.get('/schedules', async (c) => {
    try {
      const schedules = await deps.reads.shared('schedules', () => listCampaignSchedules(deps.client));
      return c.html(
        await render(
          <SchedulesPage schedules={schedules} fragments="/schedules/fragments" {...pageAuth(c)} />,
        ),
      );
    } catch (error) {
      return problem(c, error);
    }
  });
  app.get('/schedules/fragments', async (c) => {
    const schedules = await deps.reads.shared('schedules', () => listCampaignSchedules(deps.client));
    return c.json({ fragments: { schedules: await fragment(<SchedulesTable schedules={schedules} />) } });
  });

  // One campaign: summary, chart, events and one page of its items, all from the shared reads.
  const campaignView = async (campaignId: string, query: TableQuery) => {
    const progress = await deps.reads.progress(campaignId);
    const snapshot = await deps.reads.records(campaignId);
    const nowMs = now();
    const version = versionTag(progress);
    let chart = charts.get(snapshot);
    if (!chart || chart.version !== version) {
      chart = { version, data: chartData(progress, snapshot.records, nowMs) };
      charts.set(snapshot, chart);
    }
    return {
      progress,
      nowMs,
      version,
      chart: chart.data,
      page: tablePage(snapshot.records, query, nowMs),
      pace: pace(progress, snapshot.records, nowMs),
    };
  };
  const tableQuery = (c: Context<Env>) => parseTableQuery((name) => c.req.query(name));
  const liveUrls = (campaignId: string, version: string) => ({
    events: `${campaignPath(campaignId)}/live?v=${version}`,
    fragments: `${campaignPath(campaignId)}/fragments`,
  });

  app.get('/campaigns/:id', async (c) => {
    const campaignId = c.req.param('id');
    try {
      const query = tableQuery(c);
      const view = await campaignView(campaignId, query);
      return c.html(
        await render(
          <CampaignPage
            {...view}
            query={query}
            actions={deps.allowActions ? offeredActions(view.progress) : []}
            actionsAllowed={deps.allowActions}
            notice={c.req.query('done')}
            live={liveUrls(campaignId, view.version)}
            {...pageAuth(c)}
          />,
        ),
      );
    } catch (error) {
      return problem(c, error);
    }
  });
  app.get('/campaigns/:id/fragments', async (c) => {
    const campaignId = c.req.param('id');
    try {
      const query = tableQuery(c);
      const view = await campaignView(campaignId, query);
      const path = campaignPath(campaignId);
      return c.json({
        version: view.version,
        chart: view.chart,
        fragments: {
          summary: await fragment(<CampaignSummary progress={view.progress} pace={view.pace} />),
          events: await fragment(<RecentEvents campaignId={campaignId} events={view.progress.recent} />),
          table: await fragment(
            <ItemTable
              campaignId={campaignId}
              page={view.page}
              query={query}
              total={view.progress.total}
              path={path}
              nowMs={view.nowMs}
            />,
          ),
        },
      });
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 502);
    }
  });

  // The live feed: an event each time the campaign changed, for every open page of it.
  app.get('/campaigns/:id/live', (c) => {
    const campaignId = c.req.param('id');
    const seen = c.req.query('v');
    return streamSSE(c, async (stream) => {
      const changes: string[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = deps.feeds.subscribe(campaignId, seen, (version) => {
        changes.push(version);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      try {
        while (!stream.aborted) {
          const version = changes.shift();
          if (version !== undefined) {
            await stream.writeSSE({ event: 'change', data: version, id: version });
            continue;
          }
          // A comment now and then keeps proxies from closing an idle stream.
          await Promise.race([
            new Promise<void>((resolve) => (wake = resolve)),
            stream.sleep(15_000).then(() => stream.write(': idle\n\n')),
          ]);
          wake = undefined;
        }
      } finally {
        unsubscribe();
      }
    });
  });

  // One item: its record, the job's phase while it runs, and its workspace while it exists.
  const itemView = (campaignId: string, key: string) =>
    deps.reads.shared(`item:${campaignId}:${key}`, () =>
      inspectItem(deps.client, deps.replicas, campaignId, key),
    );
  app.get('/campaigns/:id/item', async (c) => {
    const campaignId = c.req.param('id');
    const key = c.req.query('key') ?? '';
    try {
      const [view, progress] = await Promise.all([
        itemView(campaignId, key),
        deps.reads.progress(campaignId),
      ]);
      const encodedKey = encodeURIComponent(key);
      return c.html(
        await render(
          <ItemPage
            view={view}
            nowMs={now()}
            live={{
              events: `${campaignPath(campaignId)}/live?v=${versionTag(progress)}`,
              fragments: `${campaignPath(campaignId)}/item/fragments?key=${encodedKey}`,
            }}
            {...pageAuth(c)}
          />,
        ),
      );
    } catch (error) {
      return problem(c, error);
    }
  });
  app.get('/campaigns/:id/item/fragments', async (c) => {
    try {
      const view = await itemView(c.req.param('id'), c.req.query('key') ?? '');
      return c.json({ fragments: { item: await fragment(<ItemDetails view={view} nowMs={now()} />) } });
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 502);
    }
  });

  // Actions: a confirmation page saying what will happen, then the POST that does it.
  const actionContext = async (c: Context<Env>) => {
    if (!deps.allowActions) return { refusal: 'Actions are off: start the dashboard with --allow-actions.' };
    const name = c.req.param('action') ?? '';
    const action = DASHBOARD_ACTIONS[name];
    const progress = await deps.reads.progress(c.req.param('id') ?? '');
    if (!action || !offeredActions(progress).includes(name))
      return {
        refusal: `"${name}" is not an action a ${progress.state.replace(/_/g, ' ')} campaign takes here.`,
      };
    return { name, action, progress };
  };
  const confirmPage = async (
    c: Context<Env>,
    target: { name: string; action: (typeof DASHBOARD_ACTIONS)[string]; progress: CampaignProgress },
    extra: { problem?: string; values?: Record<string, string | undefined> } = {},
  ) => {
    const sessionId = c.get('sessionId');
    const consequence = await target.action.consequence(deps.client, target.progress);
    return render(
      <ConfirmPage
        progress={target.progress}
        name={target.name}
        action={target.action}
        consequence={consequence}
        formToken={sessionId === undefined ? '' : deps.sessions.formToken(sessionId)}
        signedIn={c.get('signedIn')}
        {...extra}
      />,
    );
  };
  app.get('/campaigns/:id/actions/:action', async (c) => {
    try {
      const target = await actionContext(c);
      if ('refusal' in target)
        return c.html(
          await render(<ProblemPage title="Not available" message={target.refusal ?? ''} />),
          403,
        );
      return c.html(await confirmPage(c, target));
    } catch (error) {
      return problem(c, error);
    }
  });
  app.post('/campaigns/:id/actions/:action', async (c) => {
    let target: Awaited<ReturnType<typeof actionContext>> | undefined;
    const body = await c.req.parseBody();
    const values = Object.fromEntries(
      Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]),
    ) as Record<string, string | undefined>;
    try {
      target = await actionContext(c);
      if ('refusal' in target) return c.text(target.refusal ?? '', 403);
      const done = await target.action.run(deps.client, target.progress, values);
      return c.redirect(`${campaignPath(target.progress.campaignId)}?done=${encodeURIComponent(done)}`, 303);
    } catch (error) {
      if (
        target &&
        !('refusal' in target) &&
        (error instanceof ActionInputError || error instanceof WorkflowUpdateFailedError)
      ) {
        const message =
          error instanceof WorkflowUpdateFailedError
            ? `refused by the campaign: ${error.cause?.message ?? error.message}`
            : error.message;
        return c.html(
          await confirmPage(c, target, { problem: message, values }),
          error instanceof ActionInputError ? 400 : 409,
        );
      }
      return problem(c, error);
    }
  });

  app.notFound(async (c) =>
    c.html(await render(<ProblemPage title="Not found" message={`no page at ${c.req.path}`} />), 404),
  );
  return app;
}
