import { describe, expect, it } from 'vitest';
import { ImportFileError, parsePullRequestList } from '../../src/campaign-client/pull-request-imports';

describe('an import-prs file', () => {
  it('takes one PR URL a line, skips blanks and # comments, and takes a PR named twice once', () => {
    const list = parsePullRequestList(
      [
        '# opened by hand',
        'https://github.com/acme/api/pull/12',
        '',
        '  https://ghe.example.com/acme/web/pull/7/  ',
        'https://github.com/acme/api/pull/12',
      ].join('\n'),
      'prs.txt',
    );
    expect(list).toEqual([
      {
        line: 2,
        url: 'https://github.com/acme/api/pull/12',
        repository: 'acme/api',
        number: 12,
        key: 'acme/api#12',
      },
      {
        line: 4,
        url: 'https://ghe.example.com/acme/web/pull/7',
        repository: 'acme/web',
        number: 7,
        key: 'acme/web#7',
      },
    ]);
  });

  it('names every bad line with its number and what to write instead', () => {
    const text = [
      'https://github.com/acme/api/pull/12',
      'acme/api#13',
      'https://github.com/acme/api/issues/14',
      'https://github.com/acme/api/pull/15/files',
    ].join('\n');
    let error: unknown;
    try {
      parsePullRequestList(text, 'prs.txt');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect((error as Error).message).toContain(
      'prs.txt:2: "acme/api#13" is not a pull request URL; write one URL a line, like https://github.com/OWNER/REPO/pull/NUMBER',
    );
  });
});
