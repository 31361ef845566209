import { ITEM_STATES, describeStopReason, type CampaignProgress, type ItemEvent } from '../../contracts';
import { humanDuration, usd } from '../../cli/format/units';
import { doneCount, mergedShare, percent } from '../campaign-figures';
import { Badge, Fact, Time, itemPath } from './parts';

/** Counts, progress and pace, spend, rollout and PRs: what the campaign page says at a glance. */
export function CampaignSummary(props: {
  progress: CampaignProgress;
  pace: { perMinute?: number; etaMs?: number };
}) {
  const p = props.progress;
  const done = doneCount(p);
  const merged = mergedShare(p);
  const prs = p.pullRequests;
  return (
    <>
      <p class="headline">
        <Badge state={p.state} /> <strong data-fact="done">{`${done} of ${p.total}`}</strong> items done (
        {percent(done, p.total)}%)
        <progress max={p.total} value={done} aria-label="items done" />
      </p>
      {p.stopReason && (
        <p class="warning" role="alert">
          Not starting new items: {describeStopReason(p.stopReason)}
        </p>
      )}
      <dl class="counts" aria-label="Items by state">
        {ITEM_STATES.map((state) => (
          <div class={`count state-${state}`}>
            <dt>
              <Badge state={state} />
            </dt>
            <dd data-count={state}>{p.counts[state]}</dd>
          </div>
        ))}
      </dl>
      <dl class="facts">
        <Fact term="Pace" name="pace">
          {props.pace.perMinute === undefined ? '–' : `${props.pace.perMinute.toFixed(1)} items/min`}
        </Fact>
        <Fact term="ETA" name="eta">
          {props.pace.etaMs === undefined ? '–' : humanDuration(props.pace.etaMs)}
        </Fact>
        <Fact term="Spent" name="spend">
          {usd(p.spentUsd)}
          {p.budgetUsd !== undefined && (
            <>
              {` of ${usd(p.budgetUsd)} `}
              <meter
                min={0}
                max={p.budgetUsd}
                value={p.spentUsd}
                high={p.budgetUsd * 0.8}
                aria-label="budget used"
              />
            </>
          )}
          <div class="muted">projected {usd(p.projectedUsd)}</div>
        </Fact>
        <Fact term="Concurrency" name="concurrency">
          {p.concurrency}
        </Fact>
        <Fact term="Rollout" name="rollout">
          {p.rollout
            ? `wave ${p.rollout.wave + 1} of ${p.rollout.waves}${p.rollout.awaitingApproval ? ' — awaiting approval' : ', open'}`
            : 'one wave'}
        </Fact>
        <Fact term="PRs opened" name="prs">
          {p.prsOpened}
          {merged && (
            <div class="muted">{`merged ${merged.merged} of ${merged.all} (${merged.percent}%)`}</div>
          )}
        </Fact>
        {prs && (
          <Fact term="Open PRs" name="open-prs">
            {`${prs.open} open, ${prs.draft} draft; checks ${prs.checksFailing} failing, ${prs.checksPending} pending, ${prs.checksPassing} green; ${prs.approved} approved`}
          </Fact>
        )}
        <Fact term="Started" name="started">
          <Time ms={Date.parse(p.startedAt)} />
        </Fact>
        {p.closesAt && (
          <Fact term="Closes itself" name="closes">
            <Time ms={Date.parse(p.closesAt)} />
          </Fact>
        )}
      </dl>
      {p.trackingProblem && <p class="warning">PRs not followed: {p.trackingProblem}</p>}
    </>
  );
}

/** The latest item events, newest first. */
export function RecentEvents({ campaignId, events }: { campaignId: string; events: readonly ItemEvent[] }) {
  if (events.length === 0) return <p class="empty">Nothing has happened yet.</p>;
  return (
    <ol class="events">
      {[...events].reverse().map((e) => (
        <li>
          <Time ms={e.atMs} /> <Badge state={e.kind} /> <a href={itemPath(campaignId, e.key)}>{e.key}</a>
          {e.detail && <span class="detail"> {e.detail}</span>}
        </li>
      ))}
    </ol>
  );
}
