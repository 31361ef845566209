import WebhookDefinitions from '@octokit/webhooks-examples';
import { describe, expect, it } from 'vitest';
import { forgeries, forgedClaim } from '../../bench/chaos/forgeries';
import {
  disagreement,
  measurePullRequests,
  PR_MEASURES,
  type PrEvidence,
} from '../../bench/chaos/pr-measures';
import { createWebhookVerifier } from '../../src/code-host/github-webhooks';
import { deliveryNews } from '../../src/code-host/github-observations';
import type { FixTurn, ItemRecord, TrackedChange } from '../../src/contracts';
import { signBody } from '../../src/replicas';
import type { CodeHostPullRequestState } from '../../src/simulator';

const NOW = 1_000_000;
const pr = (n: number) => `https://github.com/acme/api/pull/${n}`;

const turn = (number: number, cause: FixTurn['cause'], ref: string): FixTurn => ({
  number,
  cause,
  ref,
  headSha: ref,
  atMs: 0,
  state: 'sent',
});

function change(n: number, fields: Partial<TrackedChange> = {}): TrackedChange {
  return {
    url: pr(n),
    lifecycle: 'open',
    draft: false,
    headSha: 'h1',
    checks: 'passing',
    review: 'approved',
    mergeability: 'clean',
    openedAt: '2026-01-01T00:00:00Z',
    readAtMs: 0,
    ...fields,
  };
}

function truth(n: number, fields: Partial<CodeHostPullRequestState> = {}): CodeHostPullRequestState {
  return {
    url: pr(n),
    state: 'OPEN',
    headCommits: 1,
    mergeStateStatus: 'CLEAN',
    reviewDecision: 'APPROVED',
    headSha: 'h1',
    checks: 'SUCCESS',
    changedAtMs: NOW - 60_000,
    ...fields,
  };
}

const record = (key: string, fields: Partial<ItemRecord>): ItemRecord => ({
  key,
  state: 'succeeded',
  attempt: 1,
  ...fields,
});

function evidence(fields: Partial<PrEvidence>): PrEvidence {
  return {
    records: [],
    itemOfPr: new Map(),
    turnsByReplica: {},
    turnsPerJob: 1,
    pullRequests: [],
    merges: [],
    mergeRequests: {},
    forged: [],
    forgedMarker: 'forged-123',
    checkedAtMs: NOW,
    allowedLagMs: 30_000,
    ...fields,
  };
}

describe('the pull-request phase’s measures', () => {
  it('are all zero for a phase where every turn, merge and record is as it should be', () => {
    const measures = measurePullRequests(
      evidence({
        records: [
          record('a', {
            replicaId: 'r1',
            change: change(1, {
              lifecycle: 'merged',
              fixTurns: [turn(1, 'checks-failing', 'h0'), turn(2, 'changes-requested', 'review:7')],
            }),
          }),
        ],
        itemOfPr: new Map([[pr(1), 'a']]),
        turnsByReplica: { r1: 3 },
        pullRequests: [truth(1, { state: 'MERGED' })],
        merges: [
          { pullRequest: pr(1), headSha: 'h1', checks: 'SUCCESS', review: 'APPROVED', by: 'bot', atMs: 1 },
        ],
        // A 502 and a refused stale head before the merge went through are no repeat.
        mergeRequests: { [pr(1)]: [502, 409, 200].map((status) => ({ status, atMs: 1 })) },
        forged: [
          { kind: 'unsigned', status: 401 },
          { kind: 'tampered', status: 'unreachable' },
        ],
      }),
    );
    expect(measures.counts).toEqual(Object.fromEntries(PR_MEASURES.map((m) => [m, 0])));
    expect(measures.fixTurns).toEqual({
      recorded: 2,
      byCause: { 'checks-failing': 1, 'changes-requested': 1 },
      failed: 0,
    });
    expect(measures.prs).toEqual({ opened: 1, open: 0, merged: 1, closed: 0 });
    expect(measures.forged).toEqual({ sent: 2, refused: 1, unreachable: 1 });
    expect(measures.judged).toBe(1);
  });

  it('count a turn sent twice, a red or unapproved merge, a merge asked again, a forgery taken in and a stuck item', () => {
    const measures = measurePullRequests(
      evidence({
        records: [
          // Its workspace ran the instruction, the one recorded fix turn, and one more.
          record('a', {
            replicaId: 'r1',
            change: change(1, { fixTurns: [turn(1, 'checks-failing', 'h0')] }),
          }),
          // Two recorded turns for one cause on one head.
          record('b', {
            replicaId: 'r2',
            change: change(2, {
              headSha: 'h1',
              fixTurns: [turn(1, 'conflicting', 'h0'), turn(2, 'conflicting', 'h0')],
            }),
          }),
          // A forged review's text reached the record.
          record('c', {
            replicaId: 'r3',
            change: change(3, { changeRequests: [{ reviewer: 'forger', id: 9, body: 'forged-123' }] }),
          }),
          record('e', { replicaId: 'r5' }),
        ],
        itemOfPr: new Map([
          [pr(1), 'a'],
          [pr(2), 'b'],
          [pr(3), 'c'],
          [pr(4), 'd'],
          [pr(5), 'e'],
        ]),
        turnsByReplica: { r1: 3, r2: 3, r3: 1, r5: 1 },
        pullRequests: [
          truth(1, { state: 'MERGED' }),
          // The record still holds the old head a minute after the push.
          truth(2, { headSha: 'h2' }),
          truth(3),
          // Changed a moment ago: not judged yet.
          truth(4, { checks: 'FAILURE', changedAtMs: NOW - 1_000 }),
          // Opened by the item's replica, never taken onto its record.
          truth(5),
          // Another campaign's PR: none of this phase's business.
          truth(6, { state: 'MERGED', checks: 'FAILURE' }),
        ],
        merges: [
          { pullRequest: pr(1), headSha: 'h1', checks: 'FAILURE', review: 'APPROVED', by: 'bot', atMs: 1 },
          { pullRequest: pr(6), headSha: 'h1', checks: 'FAILURE', review: 'APPROVED', by: 'bot', atMs: 1 },
        ],
        mergeRequests: {
          [pr(1)]: [200, 405, 502].map((status) => ({ status, atMs: 1 })),
          [pr(6)]: [200, 405].map((status) => ({ status, atMs: 1 })),
        },
        forged: [
          { kind: 'wrong-secret', status: 401 },
          { kind: 'tampered', status: 200 },
        ],
      }),
    );
    expect(measures.counts).toEqual({
      fixTurnsRepeated: 2,
      mergedNotGreenApproved: 1,
      mergeRequestsRepeated: 1,
      forgedAccepted: 2,
      // 1 says open but merged; 2 has the old head; 5 is not on its record.
      itemsStuck: 3,
    });
    expect(measures.examples.fixTurnsRepeated).toEqual([
      'a: its workspace ran 3 turns, 2 recorded (1 fix turns)',
      'b: fix turn 2 repeats conflicting on h0',
    ]);
    expect(measures.examples.mergeRequestsRepeated).toEqual([
      `${pr(1)}: 2 merge request(s) after it merged (405, 502)`,
    ]);
    expect(measures.examples.itemsStuck).toEqual([
      `a (${pr(1)}) 60 s after its last change: state open, GitHub merged`,
      `b (${pr(2)}) 60 s after its last change: head h1, GitHub h2`,
      `e (${pr(5)}) 60 s after its last change: the item follows no such PR`,
    ]);
    expect(measures.notSettled).toBe(1);
    expect(measures.judged).toBe(4);
  });

  it('compare an open PR by state, head, checks and review, a settled one by its state alone', () => {
    expect(disagreement(change(1), truth(1))).toEqual([]);
    expect(
      disagreement(
        change(1, { checks: 'pending', review: 'review-required' }),
        truth(1, { checks: 'FAILURE', reviewDecision: 'CHANGES_REQUESTED' }),
      ),
    ).toEqual(['checks pending, GitHub failing', 'review review-required, GitHub changes-requested']);
    expect(
      disagreement(change(1, { lifecycle: 'merged', headSha: 'old' }), truth(1, { state: 'MERGED' })),
    ).toEqual([]);
  });
});

describe('forged deliveries', () => {
  // GitHub's recorded pull_request.opened delivery (@octokit/webhooks-examples), signed as GitHub signs it.
  const SECRET = 'the-webhook-secret';
  const opened = WebhookDefinitions.find((d) => d.name === 'pull_request')?.examples.find(
    (e) => (e as { action?: string }).action === 'opened',
  );
  const body = JSON.stringify(opened);
  const real = {
    event: 'pull_request',
    headers: { 'x-hub-signature-256': signBody(SECRET, body), 'x-github-hook-id': '1' },
    body,
  };
  const verify = createWebhookVerifier(SECRET);

  it('are refused by the ingress’s verifier: unsigned, signed by another secret, or a real signature over a forged body', async () => {
    const real200 = await verify(
      { ...real.headers, 'x-github-event': 'pull_request', 'x-github-delivery': 'd1' },
      real.body,
    );
    expect(real200.ok).toBe(true);
    for (const n of [1, 2]) {
      const verdicts = await Promise.all(
        forgeries(real, 'forged-123', n).map(async (f) => [f.kind, await verify(f.headers, f.body)] as const),
      );
      expect(verdicts.map(([kind, v]) => [kind, v.ok ? 'accepted' : v.reason])).toEqual([
        ['unsigned', 'missing-signature'],
        ['wrong-secret', 'bad-signature'],
        ['tampered', 'bad-signature'],
      ]);
    }
  });

  it('would change what a campaign knows of the PR if they got through: a review asking for changes, a merge', () => {
    const url = (opened as { pull_request: { html_url: string } }).pull_request.html_url;
    const review = forgedClaim(real, 'forged-123', 2);
    expect(deliveryNews(review.event, JSON.parse(review.body))?.observations).toEqual([
      expect.objectContaining({ kind: 'review', url, reviewer: 'forger', verdict: 'changes-requested' }),
    ]);
    const merged = forgedClaim(real, 'forged-123', 1);
    expect(deliveryNews(merged.event, JSON.parse(merged.body))?.observations).toEqual([
      expect.objectContaining({ url, lifecycle: 'merged' }),
    ]);
  });
});
