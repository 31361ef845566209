/**
 * The vocabulary of the code-host port: what the rest of the project knows of a pull request on
 * GitHub (and later GitLab). Plain data only: it rides in workflow history, so timestamps are ISO
 * strings and nothing here names a client library's types.
 */

/** How a pull request is addressed: by its web URL, and once read, by the host's node id as well. */
export interface PullRequestHandle {
  url: string;
  /** The host's stable id; reads by id survive a renamed or transferred repository. */
  nodeId?: string;
}

export type PullRequestLifecycle = 'open' | 'closed' | 'merged';

/**
 * The checks on the head commit, statuses and check runs together, the latest run per check name
 * (a green re-run of a red check is green).
 */
export interface ChecksSummary {
  state: 'passing' | 'failing' | 'pending' | 'none';
  /** Names of the checks whose latest run failed, sorted. */
  failing: string[];
  /** Names of the checks still queued or running, sorted. */
  pending: string[];
  /** Names of the checks whose latest run passed, sorted. */
  passing: string[];
  /** How many distinct checks the head commit has. */
  total: number;
}

export type ReviewState = 'approved' | 'changes-requested' | 'review-required' | 'none';

/**
 * Whether the base branch would take the change now. `blocked` covers a draft and unmet branch
 * protection (missing approvals, required checks); `unstable` means mergeable with failing checks
 * that are not required.
 */
export type Mergeability = 'clean' | 'behind' | 'conflicting' | 'blocked' | 'unstable' | 'unknown';

export interface PullRequestState {
  nodeId: string;
  url: string;
  /** `owner/name`. */
  repository: string;
  number: number;
  lifecycle: PullRequestLifecycle;
  draft: boolean;
  headBranch: string;
  /** The head commit the checks, review and mergeability describe; a merge passes it back. */
  headSha: string;
  baseBranch: string;
  checks: ChecksSummary;
  review: ReviewState;
  mergeability: Mergeability;
  createdAt: string;
  updatedAt: string;
  mergedAt?: string;
  closedAt?: string;
}

/** Why a pull request could not be read; reported on its item, never thrown for the whole batch. */
export type UnreadableReason =
  /** The URL names another host than the one configured (e.g. a GitHub Enterprise PR on github.com). */
  | 'other-host'
  /** Not a pull request URL (`https://HOST/OWNER/REPO/pull/NUMBER`). */
  | 'invalid-url'
  /** Deleted, or hidden from these credentials (GitHub answers both the same way). */
  | 'not-found'
  /** The credentials may see the repository but not read this pull request. */
  | 'forbidden';

export type PullRequestReading =
  | { url: string; status: 'read'; pullRequest: PullRequestState }
  /** Read, but it now lives at another URL (repository transferred or renamed); `pullRequest.url` is the new one. */
  | { url: string; status: 'transferred'; pullRequest: PullRequestState }
  | { url: string; status: 'unreadable'; reason: UnreadableReason; detail: string };

/**
 * What a campaign adds to the pull requests it opened. Applying it twice changes nothing: what is
 * already there is left alone and nothing is removed.
 */
export interface PullRequestDecoration {
  labels?: string[];
  reviewers?: string[];
  /** Team slugs (`my-team`, not `org/my-team`). */
  teamReviewers?: string[];
  assignees?: string[];
  /** Put in front of the title unless the title already starts with it. */
  titlePrefix?: string;
  /** Appended to the body (after a blank line) unless the body already holds it. */
  bodyFooter?: string;
  /** `false` marks a draft ready for review; `true` turns a ready one back into a draft. */
  draft?: boolean;
}

/** What a decoration changed, by field; empty when the pull request already had it all. */
export type DecorationChange = keyof PullRequestDecoration;

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface MergeRequest {
  /** The head commit that was checked: a head that moved since is refused, never merged unseen. */
  sha: string;
  /** Tried in order; the next is tried when the repository does not allow one. */
  methods: MergeMethod[];
}

export type MergeOutcome =
  | { status: 'merged'; method: MergeMethod; sha: string }
  /** The head is no longer `sha`: read again before deciding. */
  | { status: 'head-moved'; detail: string }
  /** The host refused: conflicts, branch protection, none of the methods allowed, already closed. */
  | { status: 'refused'; detail: string };

/** A check's verdict on a head commit: a run queued or running is pending. */
export type CheckVerdict = 'passing' | 'failing' | 'pending';

/**
 * What one webhook delivery tells of a pull request, taken from its payload: the campaign applies it
 * at once instead of reading the PR again (a read per delivery would cost thousands of requests an
 * hour). Each carries what orders it against other news of the same thing: the PR's `updatedAt`, a
 * check run's or status's id (GitHub's ids grow), a review's id.
 */
export type PullRequestObservation =
  | {
      kind: 'pull-request';
      url: string;
      lifecycle: PullRequestLifecycle;
      draft: boolean;
      headSha: string;
      /** Absent while GitHub is still computing it. */
      mergeability?: Exclude<Mergeability, 'unknown'>;
      updatedAt: string;
      mergedAt?: string;
      closedAt?: string;
    }
  | {
      kind: 'check';
      /** The PRs the check run names; a commit status names none and is matched by repository and head. */
      urls: readonly string[];
      repository: string;
      headSha: string;
      name: string;
      id: number;
      verdict: CheckVerdict;
      /** The check run's output title and summary (a status's description), and its page. */
      title?: string;
      summary?: string;
      url?: string;
    }
  | {
      kind: 'review';
      url: string;
      reviewer: string;
      id: number;
      /** `dismissed`: the reviewer's earlier verdict no longer counts. */
      verdict: 'approved' | 'changes-requested' | 'dismissed';
      /** What the reviewer wrote with the verdict. */
      body?: string;
    };

export type WebhookRefusalReason =
  | 'not-configured'
  | 'missing-signature'
  | 'bad-signature'
  | 'missing-event'
  | 'missing-delivery'
  | 'invalid-json';

export type WebhookVerdict =
  | { ok: true; event: string; deliveryId: string; payload: unknown }
  | { ok: false; reason: WebhookRefusalReason; detail: string };

/**
 * The port the rest of the project talks to; one adapter per host (GitHub now). Reads never throw for
 * one bad pull request: each gets its own reading. Actions throw the adapter's typed error on failure.
 */
export interface CodeHost {
  /** Reads in batches (one query per hundred); one reading per handle, in the order given. */
  readPullRequests(handles: readonly PullRequestHandle[]): Promise<PullRequestReading[]>;
  /** Reads first and adds only what is missing; returns what it changed. */
  decoratePullRequest(
    handle: PullRequestHandle,
    decoration: PullRequestDecoration,
  ): Promise<DecorationChange[]>;
  /** Marks a draft ready for review; a pull request already ready is left alone. */
  markReady(handle: PullRequestHandle): Promise<void>;
  comment(handle: PullRequestHandle, body: string): Promise<{ url: string }>;
  /** Whether the PR is merged: a merge retried after a lost answer asks before merging again. */
  merged(handle: PullRequestHandle): Promise<boolean>;
  /** Whether a comment holding `marker` is on the PR: a comment retried after a lost answer asks first. */
  hasComment(handle: PullRequestHandle, marker: string): Promise<boolean>;
  /** Closes without merging; a closed one is left alone. */
  close(handle: PullRequestHandle): Promise<void>;
  merge(handle: PullRequestHandle, request: MergeRequest): Promise<MergeOutcome>;
  /** Checks a delivery's signature over the raw body before anything reads it. */
  verifyWebhook(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    rawBody: string | Uint8Array,
  ): Promise<WebhookVerdict>;
}
