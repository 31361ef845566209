import type { CampaignProgress } from '../../contracts';
import { DASHBOARD_ACTIONS } from '../actions';
import type { ChartData } from '../chart-data';
import type { TablePage, TableQuery } from '../item-table';
import { CampaignSummary, RecentEvents } from './campaign-summary';
import { ItemFilters, ItemTable } from './item-table';
import { Layout } from './layout';
import { campaignPath } from './parts';

export interface CampaignPageProps {
  progress: CampaignProgress;
  pace: { perMinute?: number; etaMs?: number };
  chart: ChartData;
  page: TablePage;
  query: TableQuery;
  nowMs: number;
  /** Actions the campaign's state accepts; empty when the server runs without --allow-actions. */
  actions: string[];
  actionsAllowed: boolean;
  /** What the last action did (after its redirect). */
  notice?: string;
  live: { events: string; fragments: string };
  formToken?: string;
  signedIn: boolean;
}

/** Links to each offered action's confirmation page: nothing changes on a click alone. */
function Actions({
  campaignId,
  actions,
  allowed,
}: {
  campaignId: string;
  actions: string[];
  allowed: boolean;
}) {
  if (!allowed)
    return (
      <p class="muted">Actions are off: start the dashboard with --allow-actions to pause, resume, retry…</p>
    );
  if (actions.length === 0) return <p class="muted">No action applies to the campaign in its state.</p>;
  return (
    <ul class="actions">
      {actions.map((name) => (
        <li>
          <a class="button" href={`${campaignPath(campaignId)}/actions/${name}`} data-action={name}>
            {DASHBOARD_ACTIONS[name]?.title ?? name}…
          </a>
        </li>
      ))}
    </ul>
  );
}

export function CampaignPage(props: CampaignPageProps) {
  const p = props.progress;
  const path = campaignPath(p.campaignId);
  return (
    <Layout
      title={p.name ?? p.campaignId}
      section="campaigns"
      live={props.live}
      chart
      formToken={props.formToken}
      signedIn={props.signedIn}
    >
      <h1>
        {p.name ?? p.campaignId}
        {p.name && <span class="muted id"> {p.campaignId}</span>}
      </h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <section aria-labelledby="summary-title">
        <h2 id="summary-title" class="visually-hidden">
          Summary
        </h2>
        <div data-fragment="summary">
          <CampaignSummary progress={p} pace={props.pace} />
        </div>
        <Actions campaignId={p.campaignId} actions={props.actions} allowed={props.actionsAllowed} />
      </section>
      <div class="columns">
        <section aria-labelledby="chart-title" class="wide">
          <h2 id="chart-title">Burndown</h2>
          <div id="charts" data-chart={JSON.stringify(props.chart)}>
            <figure>
              <div class="chart" data-chart-part="items" role="img" aria-label="Items by state over time" />
              <figcaption>Items by state over time (UTC)</figcaption>
            </figure>
            <figure>
              <div
                class="chart"
                data-chart-part="prs"
                role="img"
                aria-label="Pull requests opened, merged, closed, open red and open green over time"
              />
              <figcaption>
                Pull requests over time: opened, merged, closed, open and red, open and green
              </figcaption>
            </figure>
          </div>
          <noscript>
            The charts need JavaScript; 'replica-fleet campaign results ID --burndown' prints the series.
          </noscript>
        </section>
        <section aria-labelledby="events-title">
          <h2 id="events-title">Latest events</h2>
          <div data-fragment="events">
            <RecentEvents campaignId={p.campaignId} events={p.recent} />
          </div>
        </section>
      </div>
      <section aria-labelledby="items-title" id="items">
        <h2 id="items-title">Items</h2>
        <ItemFilters query={props.query} action={`${path}#items`} />
        <div data-fragment="table">
          <ItemTable
            campaignId={p.campaignId}
            page={props.page}
            query={props.query}
            total={p.total}
            path={path}
            nowMs={props.nowMs}
          />
        </div>
      </section>
    </Layout>
  );
}
