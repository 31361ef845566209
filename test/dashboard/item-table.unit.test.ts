import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../src/contracts';
import { parseTableQuery, queryParams, tablePage, TableQueryError } from '../../src/dashboard/item-table';

const query = (params: Record<string, string>) => parseTableQuery((name) => params[name]);
const STATES = ['pending', 'running', 'succeeded', 'failed'] as const;

/** `n` records: every fourth failed, costs rising with the index, some with a PR. */
function records(n: number): ItemRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `item-${String(i).padStart(6, '0')}`,
    state: STATES[i % 4] as ItemRecord['state'],
    attempt: 1,
    repository: `acme/repo-${i % 50}`,
    ...(i % 4 >= 2 && { costUsd: i / 100, startedAtMs: 0, endedAtMs: i * 1000 }),
    ...(i % 4 === 3 && { error: `boom ${i}` }),
    ...(i % 4 === 2 && {
      prs: [`https://github.com/acme/repo-${i % 50}/pull/${i}`],
      pullRequest: `https://github.com/acme/repo-${i % 50}/pull/${i}`,
    }),
  }));
}

describe('the item table: filtered, searched, sorted and paged on the server', () => {
  const all = records(50_000);

  it('pages through 50,000 items, a page at a time', () => {
    const first = tablePage(all, query({}), 0);
    expect(first).toMatchObject({ matching: 50_000, page: 1, pages: 1_000 });
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]?.key).toBe('item-000000');
    const last = tablePage(all, query({ page: '1000', size: '200' }), 0);
    expect(last).toMatchObject({ page: 250, pages: 250 }); // past the end: the last page
    expect(last.rows.at(-1)?.key).toBe('item-049999');
  });

  it('narrows by state, outcome, PR and words; sorts with missing values last', () => {
    const failed = tablePage(all, query({ state: 'failed' }), 0);
    expect(failed.matching).toBe(12_500);
    expect(failed.rows.every((r) => r.state === 'failed')).toBe(true);
    expect(tablePage(all, query({ state: 'succeeded-without-pr' }), 0).matching).toBe(0);
    expect(tablePage(all, query({ pr: 'open' }), 0).matching).toBe(0); // no PR read from the code host
    const searched = tablePage(all, query({ q: 'repo-7 BOOM' }), 0);
    expect(searched.rows.every((r) => r.repository === 'acme/repo-7' && r.error)).toBe(true);
    expect(searched.matching).toBe(tablePage(all, query({ q: 'acme/repo-7 boom' }), 0).matching);
    const costly = tablePage(all, query({ sort: 'cost', order: 'desc', size: '25' }), 0);
    expect(costly.rows[0]?.key).toBe('item-049999');
    const cheapLast = tablePage(all, query({ sort: 'cost', page: '2000', size: '25' }), 0);
    expect(cheapLast.rows.at(-1)?.costUsd).toBeUndefined(); // items without a cost come last
  });

  it('names a bad parameter and what it takes', () => {
    expect(() => query({ state: 'done' })).toThrow(TableQueryError);
    expect(() => query({ state: 'done' })).toThrow(
      /state must be one of pending, running, succeeded, failed/,
    );
    expect(() => query({ sort: 'colour' })).toThrow(/sort must be one of key, state/);
    expect(() => query({ page: '0' })).toThrow(/page must be a whole number from 1/);
    expect(() => query({ size: '7' })).toThrow(/size must be one of 25, 50, 100, 200, got "7"/);
  });

  it('links keep the other parameters and leave the defaults out', () => {
    const q = query({ state: 'failed', q: 'boom', order: 'desc' });
    expect(queryParams(q, { page: 3 })).toBe('?state=failed&q=boom&order=desc&page=3');
    expect(queryParams(query({}))).toBe('');
  });
});
