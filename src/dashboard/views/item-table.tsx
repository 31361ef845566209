import { PR_CHECKS, PR_STATES, pullRequestRow } from '../../campaign-client/pull-requests';
import type { ItemRecord } from '../../contracts';
import { prLabel, recordNote } from '../../cli/format/records';
import { checksText } from '../../cli/format/pull-request-cells';
import { humanDuration, runMs, usd } from '../../cli/format/units';
import {
  PAGE_SIZES,
  TABLE_SORTS,
  TABLE_STATES,
  queryParams,
  type TablePage,
  type TableQuery,
} from '../item-table';
import { Badge, SafeLink, itemPath } from './parts';

/** The filter, search and sort form: a plain GET form, so it works with or without the script. */
export function ItemFilters({ query, action }: { query: TableQuery; action: string }) {
  const select = (name: string, label: string, values: readonly string[], current: string | undefined) => (
    <label>
      {label}{' '}
      <select name={name}>
        <option value="">any</option>
        {values.map((v) => (
          <option value={v} selected={current === v}>
            {v.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form class="filters" method="get" action={action} aria-label="Filter the items">
      {select('state', 'State', TABLE_STATES, query.state)}
      {select('pr', 'PR', PR_STATES, query.pr)}
      {select('checks', 'Checks', PR_CHECKS, query.checks)}
      <label>
        Search{' '}
        <input type="search" name="q" value={query.search ?? ''} placeholder="key, repository, error…" />
      </label>
      <label>
        Sort{' '}
        <select name="sort">
          {TABLE_SORTS.map((s) => (
            <option value={s} selected={query.sort === s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Order{' '}
        <select name="order">
          <option value="asc" selected={!query.descending}>
            ascending
          </option>
          <option value="desc" selected={query.descending}>
            descending
          </option>
        </select>
      </label>
      <label>
        Per page{' '}
        <select name="size">
          {PAGE_SIZES.map((n) => (
            <option value={String(n)} selected={query.pageSize === n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

function PullRequestCells({ record }: { record: ItemRecord }) {
  const row = pullRequestRow(record);
  if (!row)
    return (
      <td colspan={2} class="muted">
        no PR
      </td>
    );
  return (
    <>
      <td>
        <SafeLink href={row.url}>{`${row.repository} ${prLabel(row.url)}`}</SafeLink>{' '}
        <Badge state={row.state} />
      </td>
      <td>
        {row.state === 'open' || row.state === 'draft' ? (
          <>
            <Badge state={row.checks} label={`checks ${checksText(row)}`} /> review {row.review},{' '}
            {row.mergeability}
          </>
        ) : (
          <span class="muted">–</span>
        )}
      </td>
    </>
  );
}

/** One page of the items, with the pager; the part the page refreshes live. */
export function ItemTable(props: {
  campaignId: string;
  page: TablePage;
  query: TableQuery;
  total: number;
  path: string;
  nowMs: number;
}) {
  const { page, query } = props;
  const link = (n: number) => `${props.path}${queryParams(query, { page: n })}#items`;
  return (
    <>
      <p class="table-count" data-matching={page.matching}>
        {page.matching === props.total
          ? `${props.total} items`
          : `${page.matching} of ${props.total} items match`}
        {page.pages > 1 && ` · page ${page.page} of ${page.pages}`}
      </p>
      <div class="scroll">
        <table class="grid items" aria-label="Items">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">State</th>
              <th scope="col">Repository</th>
              <th scope="col">Pull request</th>
              <th scope="col">Checks, review, mergeability</th>
              <th scope="col">Turns</th>
              <th scope="col">Time</th>
              <th scope="col">Cost</th>
              <th scope="col">Error / note</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => {
              const ms = runMs(r, props.nowMs);
              return (
                <tr data-key={r.key} data-state={r.state}>
                  <th scope="row">
                    <a href={itemPath(props.campaignId, r.key)}>{r.key}</a>
                  </th>
                  <td>
                    <Badge state={r.state} />
                    {r.attempt > 1 && <span class="muted"> run {r.attempt}</span>}
                  </td>
                  <td>{r.repository ?? '–'}</td>
                  <PullRequestCells record={r} />
                  <td class="num">{r.turns ?? '–'}</td>
                  <td class="num">{ms === undefined ? '–' : humanDuration(ms)}</td>
                  <td class="num">{r.costUsd === undefined ? '–' : usd(r.costUsd)}</td>
                  <td class="note">{recordNote(r)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {page.rows.length === 0 && <p class="empty">No item matches these filters.</p>}
      {page.pages > 1 && (
        <nav class="pager" aria-label="Pages of items">
          {page.page > 1 && <a href={link(1)}>« First</a>}
          {page.page > 1 && <a href={link(page.page - 1)}>← Previous</a>}
          <span>
            Page {page.page} of {page.pages}
          </span>
          {page.page < page.pages && <a href={link(page.page + 1)}>Next →</a>}
          {page.page < page.pages && <a href={link(page.pages)}>Last »</a>}
        </nav>
      )}
    </>
  );
}
