import { describe, expect, it } from 'vitest';
import { HintBatcher } from '../../src/webhooks/hint-batcher';
import type { PullRequestHint } from '../../src/workflows/shard/messages';

const check = (name: string) =>
  ({
    kind: 'check',
    urls: [],
    repository: 'acme/api',
    headSha: 'a1',
    name,
    id: 1,
    verdict: 'passing',
  }) as const;

describe('hints for one shard within a window go in one signal', () => {
  it('merges what arrives together per shard, and each delivery settles with its signal', async () => {
    const sent: [string, PullRequestHint][] = [];
    const batcher = new HintBatcher(async (id, hint) => {
      sent.push([id, hint]);
    }, 20);
    await Promise.all([
      batcher.add('shard-1', { observations: [check('lint')] }),
      batcher.add('shard-1', { urls: ['u1'], observations: [check('unit')] }),
      batcher.add('shard-1', { urls: ['u1'] }),
      batcher.add('shard-2', { repositories: ['acme/api'] }),
    ]);
    expect(sent).toEqual([
      ['shard-1', { urls: ['u1'], observations: [check('lint'), check('unit')] }],
      ['shard-2', { repositories: ['acme/api'] }],
    ]);
  });

  it('a signal that fails once is sent again, and the deliveries it carried succeed', async () => {
    const attempts: PullRequestHint[] = [];
    const batcher = new HintBatcher(
      async (_id, hint) => {
        attempts.push(hint);
        if (attempts.length === 1) throw new Error('Failed to signal Workflow');
      },
      10,
      5,
    );
    await Promise.all([batcher.add('s', { urls: ['a'] }), batcher.add('s', { urls: ['b'] })]);
    expect(attempts).toEqual([{ urls: ['a', 'b'] }, { urls: ['a', 'b'] }]);
  });

  it('a signal that fails twice fails every delivery it carried (GitHub is answered 503, nothing is acknowledged unsent)', async () => {
    let attempts = 0;
    const batcher = new HintBatcher(
      () => {
        attempts += 1;
        return Promise.reject(new Error('Temporal unavailable'));
      },
      10,
      5,
    );
    const results = await Promise.allSettled([
      batcher.add('s', { urls: ['a'] }),
      batcher.add('s', { urls: ['b'] }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(attempts).toBe(2);
  });
});
