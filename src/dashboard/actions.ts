import type { Client } from '@temporalio/client';
import { accepts, type CampaignCommand } from '../campaign-client/accepted-commands';
import { planBulkAction, runBulkAction } from '../campaign-client/bulk-actions';
import {
  controlCampaign,
  retryFailedItems,
  setCampaignConcurrency,
  type ProgressControl,
} from '../campaign-client/controls';
import { LIMITS, type CampaignProgress, type PullRequestAction } from '../contracts';

/** A form value the action cannot take: named, with what it accepts (the page shows it, 400). */
export class ActionInputError extends Error {
  override name = 'ActionInputError';
}

/** What the confirmation page asks for besides the click. */
export type ActionField = 'concurrency' | 'comment' | 'body';

export interface DashboardAction {
  title: string;
  /** The campaign command whose acceptance by the campaign's state offers the action. */
  command?: CampaignCommand;
  /** Acts on PRs: offered once the campaign follows them. */
  bulk?: PullRequestAction['kind'];
  field?: ActionField;
  /** Irreversible: the confirm button says so. */
  destructive?: boolean;
  /** What will happen, to how many items (or PRs), in one sentence. */
  consequence(client: Client, progress: CampaignProgress): Promise<string>;
  /** Does it, through the same call the CLI makes; what became of it, in one sentence. */
  run(client: Client, progress: CampaignProgress, form: Record<string, string | undefined>): Promise<string>;
}

const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
const prs = (n: number) => `${n} pull request${n === 1 ? '' : 's'}`;

function progressControl(
  control: ProgressControl,
  title: string,
  consequence: (p: CampaignProgress) => string,
  destructive = false,
): DashboardAction {
  return {
    title,
    command: control,
    destructive,
    consequence: async (_client, p) => consequence(p),
    run: async (client, p) => {
      const after = await controlCampaign(client, p.campaignId, control);
      return `${title}: done; the campaign is ${after.state.replace(/_/g, ' ')}`;
    },
  };
}

function textField(form: Record<string, string | undefined>, name: 'comment' | 'body', what: string): string {
  const text = form[name]?.trim();
  if (!text) throw new ActionInputError(`${name} is required: ${what}`);
  if (text.length > 10_000) throw new ActionInputError(`${name} is too long (at most 10,000 characters)`);
  return text;
}

function bulkAction(
  kind: PullRequestAction['kind'],
  title: string,
  verb: string,
  field: 'comment' | 'body' | undefined,
  action: (form: Record<string, string | undefined>) => PullRequestAction,
): DashboardAction {
  // The guard needs no text: a placeholder stands in for it while the confirmation is planned.
  const planned = action({ comment: '-', body: '-' });
  return {
    title,
    bulk: kind,
    ...(field && { field }),
    destructive: kind !== 'comment',
    consequence: async (client, p) => {
      const plan = await planBulkAction(client, p.campaignId, planned, {});
      const reasons = new Map<string, number>();
      for (const s of plan.skipped) reasons.set(s.detail ?? '', (reasons.get(s.detail ?? '') ?? 0) + 1);
      const why = [...reasons].map(([reason, n]) => `${n} ${reason}`).join('; ');
      return `${prs(plan.act.length)} will be ${verb}, one at a time by the campaign's shards${
        plan.skipped.length ? `; ${prs(plan.skipped.length)} left alone (${why})` : ''
      }.`;
    },
    run: async (client, p, form) => {
      const sent = await runBulkAction(client, p.campaignId, action(form), {}, { wait: false });
      const acting = sent.outcomes.filter((o) => o.status !== 'skipped').length;
      return `${title}: sent for ${prs(acting)} (${sent.id}); the PR states follow as the shards act`;
    },
  };
}

/**
 * The actions the dashboard offers (with `--allow-actions`), each the same update or signal the CLI
 * sends, by the CLI's names: `/campaigns/ID/actions/pause` is `replica-fleet campaign pause ID`.
 */
export const DASHBOARD_ACTIONS: Record<string, DashboardAction> = {
  pause: progressControl(
    'pause',
    'Pause',
    (p) =>
      `No new item starts: ${items(p.counts.pending)} pending wait; ${items(p.counts.running)} running go on to their end.`,
  ),
  resume: progressControl(
    'resume',
    'Resume',
    (p) =>
      `Items start again (also after a failure-threshold or budget stop): ${items(p.counts.pending)} pending may start, ${p.concurrency} at a time.`,
  ),
  approve: progressControl(
    'approve',
    'Approve the next wave',
    (p) =>
      `Wave ${(p.rollout?.wave ?? 0) + 2} of ${p.rollout?.waves ?? 1} opens: its items among the ${items(p.counts.pending)} pending may start.`,
  ),
  reject: progressControl(
    'reject',
    'Reject the rollout',
    (p) =>
      `The rollout stops: ${items(p.counts.pending)} pending are cancelled and never start; running ones are cancelled and cleaned up.`,
    true,
  ),
  cancel: progressControl(
    'cancel',
    'Cancel',
    (p) =>
      `${items(p.counts.running)} running are cancelled (their replicas cleaned up) and ${items(p.counts.pending)} pending never start. The campaign takes no more items.`,
    true,
  ),
  close: progressControl(
    'close',
    'Close',
    (p) =>
      `The campaign ends; the results of its ${items(p.total)} stay readable. Applying its spec again reopens it.`,
  ),
  'retry-failed': {
    title: 'Retry failed items',
    command: 'retry-failed',
    consequence: async (_client, p) =>
      `${items(p.counts.failed + p.counts.timed_out)} (failed or timed out) run again on fresh replicas; each run is paid again, and one that left a PR continues it.`,
    run: async (client, p) => {
      const { requeued } = await retryFailedItems(client, p.campaignId);
      return `Retry failed items: ${items(requeued)} queued again`;
    },
  },
  'set-concurrency': {
    title: 'Set concurrency',
    command: 'set-concurrency',
    field: 'concurrency',
    consequence: async (_client, p) =>
      `At most the number you give (1–${LIMITS.maxConcurrency}) of items run at once, instead of ${p.concurrency}; ${items(p.counts.running)} run now.`,
    run: async (client, p, form) => {
      const value = form.concurrency?.trim() ?? '';
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > LIMITS.maxConcurrency)
        throw new ActionInputError(
          `concurrency must be a whole number from 1 to ${LIMITS.maxConcurrency}, got "${value}"`,
        );
      const { concurrency } = await setCampaignConcurrency(client, p.campaignId, n);
      return `Concurrency is now ${concurrency}`;
    },
  },
  merge: bulkAction('merge', 'Merge green PRs', 'merged (squash)', undefined, () => ({
    kind: 'merge',
    methods: ['squash'],
    requireApproval: true,
  })),
  'close-prs': bulkAction(
    'close',
    'Close open PRs',
    'commented on and closed unmerged',
    'comment',
    (form) => ({
      kind: 'close',
      comment: textField(form, 'comment', 'say on each PR why it is closed'),
    }),
  ),
  comment: bulkAction('comment', 'Comment on PRs', 'commented on', 'body', (form) => ({
    kind: 'comment',
    body: textField(form, 'body', 'the text of the comment'),
  })),
};

/** Accepted, but with nothing to do: not offered (resuming a campaign that runs, retrying no failure). */
function idle(name: string, p: CampaignProgress): boolean {
  if (name === 'pause') return p.state === 'paused';
  if (name === 'resume') return p.state !== 'paused' && p.stopReason === undefined;
  if (name === 'retry-failed') return p.counts.failed + p.counts.timed_out === 0;
  return false;
}

/** The actions a campaign in this state accepts and has use for, in the order of `DASHBOARD_ACTIONS`. */
export function offeredActions(progress: CampaignProgress): string[] {
  return Object.entries(DASHBOARD_ACTIONS)
    .filter(([name, action]) =>
      action.bulk
        ? progress.pullRequests !== undefined && progress.state !== 'closed'
        : action.command !== undefined && accepts(progress.state, action.command) && !idle(name, progress),
    )
    .map(([name]) => name);
}
