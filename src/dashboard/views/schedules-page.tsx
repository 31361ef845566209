import type { CampaignScheduleView } from '../../campaign-client/schedules';
import { Layout } from './layout';
import { Badge, Time, campaignPath } from './parts';

export function SchedulesTable({ schedules }: { schedules: CampaignScheduleView[] }) {
  if (schedules.length === 0)
    return (
      <p class="empty">
        No recurring campaign. 'replica-fleet campaign schedule create SPEC --id ID --cron …' makes one.
      </p>
    );
  return (
    <table class="grid" aria-label="Recurring campaigns">
      <thead>
        <tr>
          <th scope="col">Schedule</th>
          <th scope="col">When</th>
          <th scope="col">State</th>
          <th scope="col">Next run</th>
          <th scope="col">Latest run</th>
        </tr>
      </thead>
      <tbody>
        {schedules.map((s) => {
          const latest = s.recentRuns[0];
          return (
            <tr data-schedule={s.scheduleId}>
              <th scope="row">
                {s.scheduleId}
                {s.name && <div class="muted">{s.name}</div>}
              </th>
              <td>{s.cron?.join('; ') ?? (s.every ? `every ${s.every}` : '–')}</td>
              <td>
                {s.paused ? <Badge state="paused" /> : <Badge state="running" label="active" />}
                {s.note && <div class="muted">{s.note}</div>}
              </td>
              <td>
                <Time ms={s.nextRuns[0] ? Date.parse(s.nextRuns[0]) : undefined} />
              </td>
              <td>
                {latest ? (
                  <a href={campaignPath(latest.campaignId)}>{latest.campaignId}</a>
                ) : (
                  <span class="muted">none yet</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function SchedulesPage(props: {
  schedules: CampaignScheduleView[];
  fragments: string;
  formToken?: string;
  signedIn: boolean;
}) {
  return (
    <Layout
      title="Schedules"
      section="schedules"
      live={{ pollMs: 5_000, fragments: props.fragments }}
      formToken={props.formToken}
      signedIn={props.signedIn}
    >
      <h1>Schedules</h1>
      <div data-fragment="schedules">
        <SchedulesTable schedules={props.schedules} />
      </div>
    </Layout>
  );
}
