import { group } from '../command';
import { addItems, applyCommand } from './campaign-apply';
import {
  approve,
  cancel,
  cleanup,
  close,
  pause,
  reject,
  resume,
  retryFailed,
  setConcurrency,
} from './campaign-controls';
import { plan, validate } from './campaign-plan';
import { closePrs, comment, merge } from './campaign-bulk';
import { importPrs, prs, sync } from './campaign-prs';
import { item, list, results, status, watch } from './campaign-reads';
import { schedule } from './campaign-schedule';
import { CONNECTION } from './campaign-shared';

export const campaignCommand = group(
  'campaign',
  'plan, start, watch, steer and schedule campaigns',
  `Usage: replica-fleet campaign <subcommand>

A campaign sends one instruction (plus follow-ups) to a coding agent in one replica per target and
collects the pull requests. ${CONNECTION}
Every read command takes --json; exit codes: 0 ok, 1 failed items or a runtime error, 2 wrong use.`,
  [
    validate,
    plan,
    applyCommand('apply', 'create a campaign or reconcile it with a spec, by item key'),
    applyCommand('start', 'the same as apply'),
    watch,
    status,
    list,
    results,
    item,
    prs,
    sync,
    importPrs,
    merge,
    closePrs,
    comment,
    pause,
    resume,
    cancel,
    approve,
    reject,
    close,
    setConcurrency,
    retryFailed,
    addItems,
    cleanup,
    schedule,
  ],
);
