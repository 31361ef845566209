import { LIMITS, type CampaignProgress } from '../../contracts';
import type { DashboardAction } from '../actions';
import { Layout } from './layout';
import { campaignPath } from './parts';

/**
 * An action's confirmation: what will happen to how many items, the value it needs, and a button that
 * posts it with the session's form token. Cancel goes back without a change.
 */
export function ConfirmPage(props: {
  progress: CampaignProgress;
  name: string;
  action: DashboardAction;
  consequence: string;
  formToken: string;
  problem?: string;
  signedIn: boolean;
  values?: Record<string, string | undefined>;
}) {
  const { progress: p, action } = props;
  const back = campaignPath(p.campaignId);
  return (
    <Layout
      title={`${action.title}: ${p.campaignId}`}
      section="campaigns"
      formToken={props.formToken}
      signedIn={props.signedIn}
    >
      <h1>
        {action.title} — <a href={back}>{p.name ?? p.campaignId}</a>
      </h1>
      <form method="post" action={`${back}/actions/${props.name}`} class="confirm">
        <p class="consequence" data-consequence>
          {props.consequence}
        </p>
        {props.problem && (
          <p class="warning" role="alert">
            {props.problem}
          </p>
        )}
        <input type="hidden" name="csrf" value={props.formToken} />
        {action.field === 'concurrency' && (
          <label>
            Concurrency{' '}
            <input
              name="concurrency"
              type="number"
              min="1"
              max={String(LIMITS.maxConcurrency)}
              required
              value={props.values?.concurrency ?? String(p.concurrency)}
            />
          </label>
        )}
        {(action.field === 'comment' || action.field === 'body') && (
          <label>
            {action.field === 'comment' ? 'Why they are closed (posted on each PR)' : 'Comment'}
            <textarea name={action.field} required rows={4} cols={60}>
              {props.values?.[action.field] ?? ''}
            </textarea>
          </label>
        )}
        <div class="buttons">
          <button type="submit" class={action.destructive ? 'danger' : 'primary'} autofocus>
            {`Confirm: ${action.title.toLowerCase()}`}
          </button>
          <a href={back}>Cancel, change nothing</a>
        </div>
      </form>
    </Layout>
  );
}
