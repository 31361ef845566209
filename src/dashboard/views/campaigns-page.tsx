import type { CampaignListEntry } from '../../campaign-client/list';
import { CAMPAIGN_STATES, type CampaignProgress } from '../../contracts';
import { usd } from '../../cli/format/units';
import { doneCount, lastChangeMs, mergedShare, percent } from '../campaign-figures';
import { Layout } from './layout';
import { Badge, Time, campaignPath } from './parts';

export interface CampaignsFilter {
  state?: string;
  prefix?: string;
  page: number;
}

export interface CampaignsList {
  entries: { entry: CampaignListEntry; progress?: CampaignProgress }[];
  hasMore: boolean;
}

const listQuery = (filter: CampaignsFilter, page: number) => {
  const params = new URLSearchParams();
  if (filter.state) params.set('state', filter.state);
  if (filter.prefix) params.set('prefix', filter.prefix);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** The table of campaigns; the part the page refreshes while it is open. */
export function CampaignsTable({ list, filter }: { list: CampaignsList; filter: CampaignsFilter }) {
  if (list.entries.length === 0)
    return <p class="empty">No campaign matches. 'replica-fleet campaign apply SPEC' starts one.</p>;
  return (
    <>
      <table class="grid" aria-label="Campaigns, newest first">
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">State</th>
            <th scope="col">Progress</th>
            <th scope="col">Merged</th>
            <th scope="col">Spend</th>
            <th scope="col">Last change</th>
          </tr>
        </thead>
        <tbody>
          {list.entries.map(({ entry, progress }) => {
            const done = progress ? doneCount(progress) : undefined;
            const merged = progress && mergedShare(progress);
            return (
              <tr data-campaign={entry.campaignId}>
                <th scope="row">
                  <a href={campaignPath(entry.campaignId)}>{entry.campaignId}</a>
                  {entry.name && <div class="muted">{entry.name}</div>}
                </th>
                <td>
                  <Badge state={entry.state} />
                </td>
                <td>
                  {progress && done !== undefined ? (
                    <>
                      <progress max={progress.total} value={done} aria-label="items done" />{' '}
                      {`${done}/${progress.total} (${percent(done, progress.total)}%)`}
                    </>
                  ) : (
                    <span class="muted">no answer</span>
                  )}
                </td>
                <td>{merged ? `${merged.merged}/${merged.all} (${merged.percent}%)` : '–'}</td>
                <td>
                  {progress
                    ? `${usd(progress.spentUsd)}${progress.budgetUsd === undefined ? '' : ` of ${usd(progress.budgetUsd)}`}`
                    : '–'}
                </td>
                <td>
                  <Time
                    ms={progress ? lastChangeMs(progress) : Date.parse(entry.closedAt ?? entry.startedAt)}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages of campaigns">
        {filter.page > 1 && <a href={`/${listQuery(filter, filter.page - 1)}`}>← Newer</a>}
        <span>Page {filter.page}</span>
        {list.hasMore && <a href={`/${listQuery(filter, filter.page + 1)}`}>Older →</a>}
      </nav>
    </>
  );
}

export function CampaignsPage(props: {
  list: CampaignsList;
  filter: CampaignsFilter;
  fragments: string;
  formToken?: string;
  signedIn: boolean;
}) {
  const { filter } = props;
  return (
    <Layout
      title="Campaigns"
      section="campaigns"
      live={{ pollMs: 2_000, fragments: props.fragments }}
      formToken={props.formToken}
      signedIn={props.signedIn}
    >
      <h1>Campaigns</h1>
      <form class="filters" method="get" action="/">
        <label>
          State{' '}
          <select name="state">
            <option value="">any</option>
            {CAMPAIGN_STATES.map((s) => (
              <option value={s} selected={filter.state === s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Id starts with <input name="prefix" value={filter.prefix ?? ''} placeholder="nightly-" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <div data-fragment="campaigns">
        <CampaignsTable list={props.list} filter={filter} />
      </div>
    </Layout>
  );
}
