/**
 * What a GitHub delivery says about pull requests, read from its payload (shapes of
 * `@octokit/webhooks-types`): a PR's state, one check's verdict, one reviewer's verdict. Deliveries
 * that change nothing a campaign shows (labels, assignees, a suite summing up its runs) say nothing.
 */
import type { CheckVerdict, Mergeability, PullRequestObservation } from '../contracts';
import { asRecord } from '../contracts';

export interface DeliveryNews {
  /** `owner/name`: deliveries are routed to the shards that follow a PR of it. */
  repository: string;
  observations: PullRequestObservation[];
  /** PRs the delivery names but whose payload lacks what an observation needs: read them instead. */
  urls: string[];
}

/** `pull_request` actions after which the PR's state, draft or head may differ. */
const STATE_ACTIONS = new Set([
  'opened',
  'reopened',
  'closed',
  'synchronize',
  'ready_for_review',
  'converted_to_draft',
  'edited',
]);
/** Conclusions that let a change through (as the reading's `summariseChecks` counts them). */
const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);
/** GitHub's `mergeable_state` in our words; `unknown` (still computing) says nothing. */
const MERGEABILITY: Record<string, Exclude<Mergeability, 'unknown'>> = {
  clean: 'clean',
  has_hooks: 'clean',
  behind: 'behind',
  dirty: 'conflicting',
  blocked: 'blocked',
  draft: 'blocked',
  unstable: 'unstable',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The news of one verified delivery; undefined when it concerns no PR a campaign could follow. */
export function deliveryNews(event: string, payload: unknown): DeliveryNews | undefined {
  const root = asRecord(payload);
  const repository = asRecord(root?.repository);
  const fullName = text(repository?.full_name);
  const htmlUrl = text(repository?.html_url);
  if (!root || !fullName) return undefined;
  const urlOf = (pr: unknown) => {
    const record = asRecord(pr);
    const url = text(record?.html_url);
    if (url) return url;
    return htmlUrl && typeof record?.number === 'number' ? `${htmlUrl}/pull/${record.number}` : undefined;
  };
  const action = text(root.action);
  const news = (observation: PullRequestObservation | undefined, fallback: string | undefined) =>
    observation
      ? { repository: fullName, observations: [observation], urls: [] }
      : fallback
        ? { repository: fullName, observations: [], urls: [fallback] }
        : undefined;

  if (event === 'pull_request') {
    if (!action || !STATE_ACTIONS.has(action)) return undefined;
    return news(pullRequestObservation(root.pull_request, urlOf), urlOf(root.pull_request));
  }
  if (event === 'pull_request_review') {
    if (action !== 'submitted' && action !== 'dismissed') return undefined;
    const url = urlOf(root.pull_request);
    const review = asRecord(root.review);
    const state = text(review?.state)?.toLowerCase();
    // A comment is not a verdict: the review decision stays as it was.
    if (action === 'submitted' && state !== 'approved' && state !== 'changes_requested') return undefined;
    const reviewer = text(asRecord(review?.user)?.login);
    const id = count(review?.id);
    const verdict =
      action === 'dismissed' ? 'dismissed' : state === 'approved' ? 'approved' : 'changes-requested';
    return news(
      url && reviewer && id !== undefined
        ? { kind: 'review', url, reviewer, id, verdict, ...detailText('body', text(review?.body)) }
        : undefined,
      url,
    );
  }
  if (event === 'check_run') {
    if (action !== 'created' && action !== 'completed') return undefined;
    const run = asRecord(root.check_run);
    const urls = (Array.isArray(run?.pull_requests) ? (run.pull_requests as unknown[]) : [])
      .map(urlOf)
      .filter((url): url is string => url !== undefined);
    const name = text(run?.name);
    const headSha = text(run?.head_sha);
    const id = count(run?.id);
    if (!name || !headSha || id === undefined) return undefined;
    const conclusion = text(run?.conclusion);
    const verdict: CheckVerdict =
      text(run?.status) !== 'completed' || !conclusion
        ? 'pending'
        : PASSING_CONCLUSIONS.has(conclusion)
          ? 'passing'
          : 'failing';
    const output = asRecord(run?.output);
    const detail = {
      ...detailText('title', text(output?.title)),
      ...detailText('summary', text(output?.summary)),
      ...detailText('url', text(run?.html_url) ?? text(run?.details_url)),
    };
    return news(
      { kind: 'check', urls, repository: fullName, headSha, name, id, verdict, ...detail },
      undefined,
    );
  }
  if (event === 'status') {
    const name = text(root.context);
    const headSha = text(root.sha);
    const id = count(root.id);
    const state = text(root.state);
    if (!name || !headSha || id === undefined || !state) return undefined;
    const verdict: CheckVerdict =
      state === 'success' ? 'passing' : state === 'pending' ? 'pending' : 'failing';
    const detail = {
      ...detailText('summary', text(root.description)),
      ...detailText('url', text(root.target_url)),
    };
    return news(
      { kind: 'check', urls: [], repository: fullName, headSha, name, id, verdict, ...detail },
      undefined,
    );
  }
  return undefined;
}

/** What a fix turn tells the agent of a check or review, kept short: it rides in workflow history. */
const DETAIL_LIMIT = 1_000;

function detailText<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  if (!value?.trim()) return {};
  const trimmed = value.trim();
  return {
    [key]: trimmed.length > DETAIL_LIMIT ? `${trimmed.slice(0, DETAIL_LIMIT - 1)}…` : trimmed,
  } as Partial<Record<K, string>>;
}

function pullRequestObservation(
  value: unknown,
  urlOf: (pr: unknown) => string | undefined,
): PullRequestObservation | undefined {
  const pr = asRecord(value);
  const url = urlOf(value);
  const state = text(pr?.state);
  const headSha = text(asRecord(pr?.head)?.sha);
  const updatedAt = text(pr?.updated_at);
  if (!pr || !url || !headSha || !updatedAt || (state !== 'open' && state !== 'closed')) return undefined;
  const mergedAt = text(pr.merged_at);
  const closedAt = text(pr.closed_at);
  const mergeability = MERGEABILITY[text(pr.mergeable_state) ?? ''];
  return {
    kind: 'pull-request',
    url,
    lifecycle: state === 'open' ? 'open' : pr.merged === true || mergedAt ? 'merged' : 'closed',
    draft: pr.draft === true,
    headSha,
    updatedAt,
    ...(mergeability && { mergeability }),
    ...(mergedAt && { mergedAt }),
    ...(closedAt && { closedAt }),
  };
}
