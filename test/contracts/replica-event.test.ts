import { describe, expect, it } from 'vitest';
import { errorMessageIn, normaliseReplicaEvent, pullRequestsIn } from '../../src/contracts';

const url = 'https://github.com/acme/api/pull/7';
const headers = { eventId: 'evt_1', type: 'replica.turn_completed', replicaId: 'r1' };

describe('one PR parser for every shape the platform sends', () => {
  it.each([
    [
      'GET /v1/replica/{id} (pull_requests + repository_statuses)',
      {
        pull_requests: [{ repository: 'acme/api', number: 7, url }],
        repository_statuses: [{ repository: 'acme/api', branch: 'fix', pr_urls: [url] }],
      },
    ],
    [
      'webhook, data.repository_statuses',
      { data: { repository_statuses: [{ repository: 'acme/api', branch: 'fix', pr_urls: [url] }] } },
    ],
    [
      'webhook, data.repositories with new_pr_urls',
      { data: { repositories: [{ name: 'acme/api', branch: 'fix', new_pr_urls: [url] }] } },
    ],
    [
      'webhook, replica object',
      {
        replica: { id: 'r1', pull_requests: [{ repository: 'acme/api', number: 7, url }] },
        data: { repository_statuses: [{ repository: 'acme/api', branch: 'fix', pr_urls: [] }] },
      },
    ],
    [
      'SSE repo.status.changed payload',
      { payload: { repos: [{ name: 'acme/api', currentBranch: 'fix', prUrls: [url] }] } },
    ],
  ])('%s', (_shape, document) => {
    expect(pullRequestsIn(document)).toEqual([{ repository: 'acme/api', number: 7, url, branch: 'fix' }]);
  });

  it('reads bare pr_urls and names the repository from the URL; merges sightings by URL', () => {
    expect(pullRequestsIn({ data: { pr_urls: [url, url] } })).toEqual([
      { repository: 'acme/api', number: 7, url },
    ]);
  });

  it('finds nothing in documents without PRs, or that are not objects', () => {
    for (const document of [
      null,
      'text',
      42,
      [],
      {},
      { data: { repository_statuses: [{ repository: 'a', pr_urls: [] }] } },
    ])
      expect(pullRequestsIn(document)).toEqual([]);
  });
});

describe('one error-message rule', () => {
  it.each([
    [{ data: { message: 'out of memory' } }],
    [{ message: 'out of memory' }],
    [{ error_message: 'out of memory' }],
    [{ replica: { failure_message: 'out of memory' } }],
    [{ data: { error: { message: 'out of memory' } } }],
    [{ data: { error: 'out of memory' } }],
  ])('%j', (document) => {
    expect(errorMessageIn(document)).toBe('out of memory');
  });
});

describe('normalised event', () => {
  it('keeps headers, PRs and (for replica.error) the message; never the body', () => {
    expect(normaliseReplicaEvent(headers, { data: { pr_urls: [url], secret: 'x' } })).toEqual({
      ...headers,
      prs: [{ repository: 'acme/api', number: 7, url }],
    });
    expect(
      normaliseReplicaEvent({ ...headers, type: 'replica.error' }, { data: { message: 'oom' } }),
    ).toEqual({
      ...headers,
      type: 'replica.error',
      errorMessage: 'oom',
    });
    expect(normaliseReplicaEvent({ ...headers, type: 'replica.ready' }, { data: { message: 'hi' } })).toEqual(
      {
        ...headers,
        type: 'replica.ready',
      },
    );
  });
});
