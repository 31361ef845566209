import type { Client } from '@temporalio/client';
import os from 'node:os';
import path from 'node:path';
import { applyCampaign, describeApply, type ApplyOutcome } from '../../campaign-client/apply';
import type { CampaignOrigin } from '../../campaign-client/list';
import { campaignHeader, campaignRecords } from '../../campaign-client/reads';
import { assertItemsRender, loadCampaignSpec, loadItems, specWhereApplied } from '../../campaign-client/spec';
import { requireMatchingRepositories } from '../../campaign-client/targets-preview';
import { loadWorkerConfig } from '../../config/worker-config';
import type { CampaignProgress, ItemRecord } from '../../contracts';
import { CAMPAIGN_ID, campaignIdFor } from '../../campaign-client/identity';
import { describeOverlap, overlappingCampaigns } from '../../campaign-client/overlap';
import { EXIT, UsageError, command, required } from '../command';
import { recordsTable } from '../format/records';
import { withReplicas } from '../replicas-client';
import { EXIT_INTERRUPTED, printJson, screenOf, untilInterrupted } from '../terminal';
import { watchCampaign } from '../watch';
import { CONNECTION, warnAboutWorkers, withCampaigns } from './campaign-shared';
import { runPlan } from './campaign-plan';

/** What `apply --json` and `add-items --json` print. */
export interface ApplyJson {
  campaignId: string;
  created: boolean;
  settingsChanged: boolean;
  shardCount: number;
  summary: ApplyOutcome['summary'];
  /** With --wait: where the campaign ended. */
  progress?: CampaignProgress;
}

const applyJson = (campaignId: string, outcome: ApplyOutcome): ApplyJson => ({
  campaignId,
  created: outcome.created,
  settingsChanged: outcome.settingsChanged,
  shardCount: outcome.shardCount,
  summary: outcome.summary,
});

function owner(): string | undefined {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return process.env.USER; // no passwd entry for this uid (some containers)
  }
}

/** 0 when nothing failed or timed out, 1 otherwise: the exit code of every wait. */
export const exitCodeOf = (p: CampaignProgress) =>
  p.counts.failed + p.counts.timed_out > 0 ? EXIT.failed : EXIT.ok;

async function allRecords(client: Client, campaignId: string): Promise<ItemRecord[]> {
  const records: ItemRecord[] = [];
  for await (const record of campaignRecords(client, campaignId)) records.push(record);
  return records;
}

export function applyCommand(name: 'apply' | 'start', summary: string) {
  return command({
    name,
    summary,
    help: `Usage: replica-fleet campaign ${name} FILE [--id ID] [--retry-failed] [--prune] [--allow-overlap] [--allow-empty] [--wait] [--json]
       replica-fleet campaign ${name} FILE --dry-run [--simulate] [--json]

Creates the campaign, or reconciles an existing one by item key (running, finished, or closed and
applied again): items that succeeded are kept and never re-run, running ones continue, new keys are
added, failed and timed-out ones re-run only with --retry-failed, keys no longer in the spec are left
alone unless --prune (which cancels them, with cleanup). A changed message or setting applies to
items not started yet. Prints what the apply did, e.g. "+12 new, 340 kept, 3 retried, 0 pruned".
The spec is validated before anything is contacted (exit 2 naming each field); a targets glob is
then checked against the repositories of REPLICAS_API_URL / REPLICAS_API_KEY, and one that matches
none exits 2 with a sample of the names there are, before anything starts.

Options:
  --id ID         campaign id (default: the spec's id, else made from its name, else from its file
                  name: applying the same spec again reconciles the same campaign)
  --allow-overlap start even when a running campaign still works on some of the same repositories
  --retry-failed  re-run failed and timed-out items the spec names
  --prune         cancel items the spec no longer names
  --allow-empty   apply a targets glob even when it matches no repository (the campaign finishes
                  empty; a scheduled or later apply may find some); skips the check above
  --wait          show the live view (as 'campaign watch') on stderr until the campaign ends, then
                  every item on stdout; exit 1 if any item failed or timed out
  --json          print the apply's outcome as JSON (with --wait: once it ended, with "progress")
  --dry-run       print the plan ('campaign plan') instead; nothing is started
  --simulate      with --dry-run: also run it on an embedded simulator
${CONNECTION}

Example:
  replica-fleet campaign ${name} examples/campaign.yaml --id lint-2026-11 --wait`,
    options: {
      id: { type: 'string' },
      'retry-failed': { type: 'boolean' },
      prune: { type: 'boolean' },
      'allow-overlap': { type: 'boolean' },
      'allow-empty': { type: 'boolean' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      simulate: { type: 'boolean' },
    },
    async run({ values, positionals }) {
      const file = required(positionals, 0, 'FILE');
      if (values['dry-run']) return runPlan(file, values);
      const loaded = loadCampaignSpec(file);
      const { id } = loaded;
      const spec = specWhereApplied(loaded.spec, process.env, file);
      if (spec.pullRequest && !spec.tracking)
        throw new UsageError(
          'pullRequest: the block is applied through the code host, which this campaign does not follow: set GITHUB_TOKEN (or a GitHub App) where you run apply, or give the spec a tracking block',
        );
      const glob = spec.targets?.repositories;
      if (glob !== undefined && !values['allow-empty']) {
        const checked = await withReplicas((replicas) => requireMatchingRepositories(replicas, glob, file));
        if (checked !== EXIT.ok) return checked;
      }
      const config = loadWorkerConfig();
      const campaignId = campaignIdFor({ flag: values.id, id, name: spec.name, file });
      if (values.id !== undefined && !CAMPAIGN_ID.test(values.id))
        throw new UsageError(
          `--id must be 1-81 letters, digits, ".", "_" or "-", starting with a letter or digit, got "${values.id}"`,
        );
      if (!campaignId)
        throw new UsageError(
          `cannot make a campaign id from ${file}: give the spec an "id:" or pass --id ID`,
        );
      const origin: CampaignOrigin = { specFile: path.resolve(file), owner: owner() };
      const stderr = screenOf(process.stderr);
      return withCampaigns(async (client) => {
        await warnAboutWorkers(client);
        if (!values['allow-overlap']) {
          const { overlaps, unanswered } = await overlappingCampaigns(client, campaignId, spec, {
            taskQueue: config.taskQueue,
          });
          for (const other of unanswered)
            console.error(
              `warning: campaign "${other}" did not answer within 5 s (is a worker serving it?): not checked for overlap`,
            );
          if (overlaps.length > 0) {
            for (const overlap of overlaps) console.error(describeOverlap(campaignId, overlap));
            return EXIT.failed;
          }
        }
        const outcome = await applyCampaign(client, spec, {
          campaignId,
          taskQueue: config.taskQueue,
          apiTaskQueue: config.apiTaskQueue,
          retryFailed: values['retry-failed'],
          prune: values.prune,
          origin,
          onProgress: (done, total) => {
            if (stderr.isTTY) stderr.write(`\rdelivered ${done}/${total} items`);
          },
        });
        if (stderr.isTTY && spec.items?.length) stderr.write('\n');
        const out = applyJson(campaignId, outcome);
        if (!values.json) console.log(`campaign ${campaignId} ${describeApply(outcome)}`);
        if (!values.wait) {
          if (values.json) printJson(out);
          return EXIT.ok;
        }
        // The live view is progress, so it goes to stderr; not at all when stdout carries JSON for a tool.
        const watched = await untilInterrupted((signal) =>
          watchCampaign(client, campaignId, {
            screen: values.json ? { ...stderr, isTTY: false, write: () => undefined } : stderr,
            signal,
          }),
        );
        if (watched.interrupted)
          console.error(
            `stopped waiting; campaign ${campaignId} carries on ('replica-fleet campaign watch ${campaignId}')`,
          );
        if (values.json) printJson({ ...out, progress: watched.progress });
        else if (!watched.interrupted) console.log(recordsTable(await allRecords(client, campaignId)));
        return watched.interrupted ? EXIT_INTERRUPTED : exitCodeOf(watched.progress);
      });
    },
  });
}

export const addItems = command({
  name: 'add-items',
  summary: 'add items (YAML/JSON list of {key, environment, repository?, vars?})',
  help: `Usage: replica-fleet campaign add-items ID FILE [--json]

The file must be a list of items, validated like the items of a spec (exit 2 naming each field and
its line) before anything is sent; each item must fill every placeholder of the campaign's message
and follow-ups ({{repository}} needs a repository, {{vars.NAME}} a var NAME). Keys the campaign
already has are left exactly as they are.

Example:
  replica-fleet campaign add-items lint-2026-11 more-repos.yaml`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const file = loadItems(required(positionals, 1, 'FILE'));
    const config = loadWorkerConfig();
    return withCampaigns(async (client) => {
      // Items are rendered with the campaign's own message and follow-ups: check them before sending any.
      assertItemsRender(file, (await campaignHeader(client, id)).job);
      // The header is ignored for add-only applies; the campaign keeps its own settings.
      const outcome = await applyCampaign(
        client,
        { job: { message: '-' }, items: file.items },
        { campaignId: id, taskQueue: config.taskQueue, addOnly: true },
      );
      if (values.json) printJson(applyJson(id, outcome));
      else console.log(`campaign ${id} ${describeApply(outcome)}`);
      return EXIT.ok;
    });
  },
});
