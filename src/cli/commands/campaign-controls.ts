import type { Client } from '@temporalio/client';
import { cleanupKeptReplicas } from '../../campaign-client/cleanup';
import {
  controlCampaign,
  retryFailedItems,
  setCampaignConcurrency,
  type ProgressControl,
} from '../../campaign-client/controls';
import { LIMITS } from '../../contracts';
import { EXIT, command, required, wholeNumber } from '../command';
import { formatProgress } from '../format/progress';
import { withReplicas } from '../replicas-client';
import { printJson } from '../terminal';
import { withCampaigns } from './campaign-shared';

/**
 * A control that only needs the campaign id. Prints the campaign as the control leaves it (its
 * progress object with --json).
 */
function control(
  name: string,
  summary: string,
  act: (client: Client, id: string) => Promise<{ text: string; json: unknown }>,
) {
  return command({
    name,
    summary,
    help: `Usage: replica-fleet campaign ${name} ID [--json]

${summary[0]?.toUpperCase()}${summary.slice(1)}.

Example:
  replica-fleet campaign ${name} lint-2026-11`,
    options: { json: { type: 'boolean' } },
    run: ({ values, positionals }) => {
      const id = required(positionals, 0, 'ID');
      return withCampaigns(async (client) => {
        const done = await act(client, id);
        if (values.json) printJson(done.json);
        else console.log(done.text);
        return EXIT.ok;
      });
    },
  });
}

const stateAfter = (control: ProgressControl) => async (client: Client, id: string) => {
  const progress = await controlCampaign(client, id, control);
  return { text: formatProgress(progress), json: progress };
};

export const pause = control('pause', 'stop new starts (running items continue)', stateAfter('pause'));
export const resume = control(
  'resume',
  'start items again, also after a failure-threshold or budget stop',
  stateAfter('resume'),
);
export const cancel = control(
  'cancel',
  'cancel running items (their replicas are cleaned up) and the rest',
  stateAfter('cancel'),
);
export const approve = control('approve', 'open the next wave of a staged rollout', stateAfter('approve'));
export const reject = control(
  'reject',
  'stop a staged rollout: cancel the rest, with cleanup',
  stateAfter('reject'),
);
export const close = control(
  'close',
  'end a finished campaign (its results stay readable)',
  stateAfter('close'),
);
export const retryFailed = control(
  'retry-failed',
  're-run failed and timed-out items on fresh replicas',
  async (client, id) => {
    const result = await retryFailedItems(client, id);
    return { text: `re-queued ${result.requeued} item(s)`, json: result };
  },
);

export const setConcurrency = command({
  name: 'set-concurrency',
  summary: `change how many items run at once (1-${LIMITS.maxConcurrency})`,
  help: `Usage: replica-fleet campaign set-concurrency ID N [--json]

Example:
  replica-fleet campaign set-concurrency lint-2026-11 50`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const n = wholeNumber(required(positionals, 1, 'N'), 'N', 1, LIMITS.maxConcurrency);
    return withCampaigns(async (client) => {
      const result = await setCampaignConcurrency(client, id, n);
      if (values.json) printJson(result);
      else console.log(`concurrency is now ${result.concurrency}`);
      return EXIT.ok;
    });
  },
});

export const cleanup = command({
  name: 'cleanup',
  summary: 'delete the replicas finished items kept (failures, under delete-on-success)',
  help: `Usage: replica-fleet campaign cleanup ID [--json]

By default (cleanup: delete-on-success) a job that fails or times out keeps its replica, so the
workspace and the agent's transcript can be looked at ('campaign item ID KEY', 'replicas get').
This deletes every replica the campaign's finished items kept, and those earlier runs of retried
items kept, by the replica ids in their records, through REPLICAS_API_URL / REPLICAS_API_KEY; the
records then stop naming them as kept (a closed campaign's records are final). Safe to repeat: a
replica already gone counts as done. Running items are left to their jobs. Exit 1 if a deletion
failed.

Example:
  replica-fleet campaign cleanup lint-2026-11`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    return withReplicas((replicas) =>
      withCampaigns(async (client) => {
        const report = await cleanupKeptReplicas(client, replicas, id);
        if (values.json) printJson(report);
        else {
          for (const r of report.deleted) console.log(`deleted   ${r.replicaId}  (${r.key})`);
          for (const r of report.alreadyGone) console.log(`gone      ${r.replicaId}  (${r.key})`);
          for (const r of report.failed) console.log(`failed    ${r.replicaId}  (${r.key}): ${r.error}`);
          console.log(
            `${report.deleted.length} deleted, ${report.alreadyGone.length} already gone, ${report.failed.length} failed` +
              (report.skippedRunning ? `, ${report.skippedRunning} still running (left to their jobs)` : '') +
              (report.recordsUpdated === null
                ? '; the campaign is closed, its records stay as they were'
                : ''),
          );
        }
        return report.failed.length ? EXIT.failed : EXIT.ok;
      }),
    );
  },
});
