import { PR_CHECKS, PR_STATES, pullRequestRow } from '../campaign-client/pull-requests';
import { ITEM_OUTCOME_FILTERS, ITEM_STATES, outcomeOf, type ItemRecord } from '../contracts';
import { runMs } from '../cli/format/units';

/** What the item table can be narrowed to by state: a state, or an outcome a state hides. */
export const TABLE_STATES = [...ITEM_STATES, ...ITEM_OUTCOME_FILTERS] as const;
export const TABLE_SORTS = ['key', 'state', 'repository', 'time', 'cost', 'turns', 'pr'] as const;
export const PAGE_SIZES = [25, 50, 100, 200] as const;

export interface TableQuery {
  state?: (typeof TABLE_STATES)[number];
  pr?: (typeof PR_STATES)[number];
  checks?: (typeof PR_CHECKS)[number];
  /** Words every shown item contains somewhere in its key, repository, PR, error or last message. */
  search?: string;
  sort: (typeof TABLE_SORTS)[number];
  descending: boolean;
  /** From 1. */
  page: number;
  pageSize: number;
}

export const DEFAULT_QUERY: TableQuery = { sort: 'key', descending: false, page: 1, pageSize: 50 };

/** A query parameter the table cannot take: named, with what it accepts. */
export class TableQueryError extends Error {
  override name = 'TableQueryError';
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new TableQueryError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function positive(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max)
    throw new TableQueryError(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

/** The table's query from the page's URL parameters (`?state=failed&sort=cost&order=desc&page=3`). */
export function parseTableQuery(get: (name: string) => string | undefined): TableQuery {
  const order = oneOf('order', get('order'), ['asc', 'desc'] as const);
  const size = get('size');
  if (size !== undefined && size !== '' && !PAGE_SIZES.map(String).includes(size))
    throw new TableQueryError(`size must be one of ${PAGE_SIZES.join(', ')}, got "${size}"`);
  const search = get('q')?.trim();
  const state = oneOf('state', get('state'), TABLE_STATES);
  const pr = oneOf('pr', get('pr'), PR_STATES);
  const checks = oneOf('checks', get('checks'), PR_CHECKS);
  return {
    ...(state && { state }),
    ...(pr && { pr }),
    ...(checks && { checks }),
    ...(search && { search: search.slice(0, 200) }),
    sort: oneOf('sort', get('sort'), TABLE_SORTS) ?? DEFAULT_QUERY.sort,
    descending: order === 'desc',
    page: positive('page', get('page'), 1, 1_000_000),
    pageSize: size ? Number(size) : DEFAULT_QUERY.pageSize,
  };
}

/** The query as URL parameters, leaving defaults out: links to other pages and sorts keep the rest. */
export function queryParams(query: TableQuery, changes: Partial<TableQuery> = {}): string {
  const q = { ...query, ...changes };
  const params = new URLSearchParams();
  if (q.state) params.set('state', q.state);
  if (q.pr) params.set('pr', q.pr);
  if (q.checks) params.set('checks', q.checks);
  if (q.search) params.set('q', q.search);
  if (q.sort !== DEFAULT_QUERY.sort) params.set('sort', q.sort);
  if (q.descending) params.set('order', 'desc');
  if (q.pageSize !== DEFAULT_QUERY.pageSize) params.set('size', String(q.pageSize));
  if (q.page !== 1) params.set('page', String(q.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function matches(record: ItemRecord, query: TableQuery): boolean {
  if (query.state) {
    const byState = (ITEM_STATES as readonly string[]).includes(query.state);
    if (byState ? record.state !== query.state : outcomeOf(record) !== query.state) return false;
  }
  if (query.pr || query.checks) {
    const row = pullRequestRow(record);
    if (!row) return false;
    if (query.pr && row.state !== query.pr) return false;
    if (query.checks && row.checks !== query.checks) return false;
  }
  if (query.search) {
    const text = [record.key, record.repository, record.pullRequest, record.error, record.lastMessage]
      .filter(Boolean)
      .join('\n')
      .toLowerCase();
    for (const word of query.search.toLowerCase().split(/\s+/)) if (!text.includes(word)) return false;
  }
  return true;
}

type SortValue = string | number | undefined;

function sortValue(record: ItemRecord, sort: TableQuery['sort'], nowMs: number): SortValue {
  switch (sort) {
    case 'key':
      return record.key;
    case 'state':
      return record.state;
    case 'repository':
      return record.repository;
    case 'time':
      return runMs(record, nowMs);
    case 'cost':
      return record.costUsd;
    case 'turns':
      return record.turns;
    case 'pr':
      return pullRequestRow(record)?.state;
  }
}

/** Missing values go last whichever the order; ties keep the key order, so pages do not shuffle. */
function compare(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

export interface TablePage {
  rows: ItemRecord[];
  /** Items that match the filters, over all pages. */
  matching: number;
  page: number;
  pages: number;
}

/**
 * One page of the campaign's items, filtered, searched and sorted on the server: the browser only
 * ever holds a page, whatever the campaign's size. A page past the end shows the last one.
 */
export function tablePage(records: readonly ItemRecord[], query: TableQuery, nowMs: number): TablePage {
  const found = records.filter((r) => matches(r, query));
  const direction = query.descending ? -1 : 1;
  const keyed = found.map((record) => ({ record, value: sortValue(record, query.sort, nowMs) }));
  keyed.sort((x, y) => {
    const primary = compare(x.value, y.value);
    if (primary !== 0) return x.value === undefined || y.value === undefined ? primary : primary * direction;
    return compare(x.record.key, y.record.key);
  });
  const pages = Math.max(1, Math.ceil(found.length / query.pageSize));
  const page = Math.min(query.page, pages);
  const start = (page - 1) * query.pageSize;
  return {
    rows: keyed.slice(start, start + query.pageSize).map((k) => k.record),
    matching: found.length,
    page,
    pages,
  };
}
