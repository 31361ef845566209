import type { ItemInspection } from '../../campaign-client/item-inspect';
import { pullRequestRow } from '../../campaign-client/pull-requests';
import { checksText } from '../../cli/format/pull-request-cells';
import { humanDuration, runMs, usd } from '../../cli/format/units';
import { Layout } from './layout';
import { Badge, Fact, SafeLink, Time, campaignPath } from './parts';

/** What to do about an item that went wrong, in the CLI's words (the commands are the same). */
export function itemAdvice(view: ItemInspection): string[] {
  const r = view.record;
  const id = view.campaignId;
  const advice: string[] = [];
  const failed = r.state === 'failed' || r.state === 'timed_out';
  if (failed && r.replicaKept && r.replicaId)
    advice.push(
      `Its workspace was kept: 'replica-fleet replicas get ${r.replicaId}' and 'replicas events ${r.replicaId}' show what the agent did.`,
    );
  if (failed)
    advice.push(
      `'replica-fleet campaign retry-failed ${id}' runs it again on a fresh workspace${r.pullRequest ? ', continuing its PR' : ''}.`,
    );
  if (failed && r.replicaKept)
    advice.push(`'replica-fleet campaign cleanup ${id}' deletes the kept workspaces once you are done.`);
  if (r.change?.stopReason) advice.push(`The fix loop stopped: ${r.change.stopReason}.`);
  if (r.change?.problem) advice.push(`The PR needs a look: ${r.change.problem}.`);
  return advice;
}

/** The part of the item page the live feed refreshes. */
export function ItemDetails({ view, nowMs }: { view: ItemInspection; nowMs: number }) {
  const r = view.record;
  const row = pullRequestRow(r);
  const ms = runMs(r, nowMs);
  const advice = itemAdvice(view);
  const replicaId = view.replica?.id ?? r.replicaId;
  return (
    <>
      <p class="headline">
        <Badge state={r.state} /> run {r.attempt}
        {r.wave !== undefined && `, wave ${r.wave}`}
        {r.repository && ` · ${r.repository}`}
      </p>
      {(r.error ?? view.job?.lastError) && (
        <section class="problem" aria-labelledby="error-title">
          <h2 id="error-title">Error</h2>
          <pre class="error">{r.error ?? view.job?.lastError}</pre>
          {advice.length > 0 && (
            <ul class="advice">
              {advice.map((a) => (
                <li>{a}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      {!(r.error ?? view.job?.lastError) && advice.length > 0 && (
        <ul class="advice">
          {advice.map((a) => (
            <li>{a}</li>
          ))}
        </ul>
      )}
      <h2>Timeline</h2>
      <ol class="timeline">
        <li>
          Run {r.attempt} started <Time ms={r.startedAtMs} />
        </li>
        {view.job && (
          <li>
            Now {view.job.phase.replace(/_/g, ' ')} ({view.job.eventsReceived} webhook events received)
          </li>
        )}
        <li>{`${r.turns ?? view.job?.turns ?? 0} turn(s) delivered to the agent`}</li>
        {(r.change?.fixTurns ?? []).map((turn) => (
          <li>
            Fix turn {turn.number}: {turn.cause} on {turn.headSha.slice(0, 7)} at <Time ms={turn.atMs} />,{' '}
            {turn.state}
            {turn.error && ` (${turn.error})`}
          </li>
        ))}
        {r.endedAtMs !== undefined && (
          <li>
            Ended <Time ms={r.endedAtMs} /> <Badge state={r.state} />
          </li>
        )}
      </ol>
      <dl class="facts">
        <Fact term="Time">{ms === undefined ? '–' : humanDuration(ms)}</Fact>
        <Fact term="Cost">{r.costUsd === undefined ? '–' : usd(r.costUsd)}</Fact>
        <Fact term="Branch">{r.branch ?? '–'}</Fact>
        <Fact term="Workspace" name="workspace">
          {replicaId ? (
            <>
              <code>{replicaId}</code>
              {view.replica && ` (${view.replica.status})`}
              {r.replicaKept && ' — kept for inspection'}
            </>
          ) : (
            '–'
          )}
          {view.replicaNote && <div class="muted">{view.replicaNote}</div>}
        </Fact>
        {(r.earlierReplicas?.length ?? 0) > 0 && (
          <Fact term="Earlier runs' workspaces">{r.earlierReplicas?.join(', ')}</Fact>
        )}
      </dl>
      <h2>Pull request</h2>
      {row ? (
        <dl class="facts" data-pr>
          <Fact term="PR">
            <SafeLink href={row.url}>{row.url}</SafeLink> <Badge state={row.state} />
          </Fact>
          <Fact term="Checks">
            <Badge state={row.checks} label={checksText(row)} />
          </Fact>
          <Fact term="Review">{row.review}</Fact>
          <Fact term="Mergeability">{row.mergeability}</Fact>
          <Fact term="Opened">
            <Time ms={row.openedAt ? Date.parse(row.openedAt) : undefined} />
          </Fact>
          {row.mergedAt && (
            <Fact term="Merged">
              <Time ms={Date.parse(row.mergedAt)} />
            </Fact>
          )}
          {(r.prs?.length ?? 0) > 1 && <Fact term="Every PR of its runs">{r.prs?.join(' ')}</Fact>}
        </dl>
      ) : (
        <p class="muted">No PR{r.state === 'succeeded' ? ': the agent found nothing to change' : ''}.</p>
      )}
      <h2>The agent's last answer</h2>
      {view.lastAgentMessage ? (
        <pre class="agent-output" data-agent-output>
          {view.lastAgentMessage}
        </pre>
      ) : (
        <p class="muted">None yet.</p>
      )}
    </>
  );
}

export function ItemPage(props: {
  view: ItemInspection;
  nowMs: number;
  live: { events: string; fragments: string };
  formToken?: string;
  signedIn: boolean;
}) {
  const { view } = props;
  return (
    <Layout
      title={`${view.record.key} · ${view.campaignId}`}
      section="campaigns"
      live={props.live}
      formToken={props.formToken}
      signedIn={props.signedIn}
    >
      <p class="crumbs">
        <a href={campaignPath(view.campaignId)}>{view.campaignId}</a> /
      </p>
      <h1>{view.record.key}</h1>
      <div data-fragment="item">
        <ItemDetails view={view} nowMs={props.nowMs} />
      </div>
    </Layout>
  );
}
