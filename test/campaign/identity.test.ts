import { describe, expect, it } from 'vitest';
import { CAMPAIGN_ID, campaignIdFor, slugOf } from '../../src/campaign-client/identity';

describe('campaign identity', () => {
  it('takes --id, else the spec id, else its name, else its file name', () => {
    const file = '/specs/Nightly Lint.yaml';
    expect(campaignIdFor({ flag: 'x', id: 'y', name: 'z', file })).toBe('x');
    expect(campaignIdFor({ id: 'y', name: 'z', file })).toBe('y');
    expect(campaignIdFor({ name: 'Upgrade the linter (2026)!', file })).toBe('upgrade-the-linter-2026');
    expect(campaignIdFor({ file })).toBe('nightly-lint');
    expect(campaignIdFor({ name: '!!!', file: '/specs/.yaml' })).toBeUndefined();
  });

  it('makes ids the spec rule accepts, whatever the name', () => {
    for (const name of ['Ünïcode näme', '--lead', 'a'.repeat(300), 'tab\tand.dots..', '_x_'])
      expect(slugOf(name)).toMatch(CAMPAIGN_ID);
  });
});
