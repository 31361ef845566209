import type { CampaignState } from '../contracts';

/** The commands that change a campaign, as the CLI names them (`replica-fleet campaign <command> ID`). */
export const CAMPAIGN_COMMANDS = [
  'apply',
  'add-items',
  'retry-failed',
  'pause',
  'resume',
  'approve',
  'reject',
  'cancel',
  'close',
  'set-concurrency',
] as const;
export type CampaignCommand = (typeof CAMPAIGN_COMMANDS)[number];

/**
 * What a campaign in each state accepts: the campaign workflow's update validators decide it, through
 * the refusal methods of `CampaignBook` (the unit test holds this table to them). `close` further
 * waits until no item runs. A closed campaign's workflow has ended: only an apply (or add-items)
 * reaches it, and reopens it where it stopped.
 */
export const ACCEPTED_COMMANDS: Record<CampaignState, readonly CampaignCommand[]> = {
  running: ['apply', 'add-items', 'retry-failed', 'pause', 'resume', 'cancel', 'close', 'set-concurrency'],
  paused: ['apply', 'add-items', 'retry-failed', 'pause', 'resume', 'cancel', 'close', 'set-concurrency'],
  awaiting_approval: [
    'apply',
    'add-items',
    'retry-failed',
    'pause',
    'resume',
    'approve',
    'reject',
    'cancel',
    'close',
    'set-concurrency',
  ],
  tracking: ['apply', 'add-items', 'retry-failed', 'pause', 'resume', 'cancel', 'close', 'set-concurrency'],
  finished: ['apply', 'add-items', 'retry-failed', 'pause', 'resume', 'cancel', 'close', 'set-concurrency'],
  cancelled: ['close', 'set-concurrency'],
  closed: ['apply', 'add-items'],
};

export function accepts(state: CampaignState, command: CampaignCommand): boolean {
  return ACCEPTED_COMMANDS[state].includes(command);
}

/** The commands that can make items run again, and so keep an idle campaign from closing itself. */
const REOPENING: readonly CampaignCommand[] = ['apply', 'add-items', 'retry-failed'];

/** Of the commands that would run items again, those a campaign in `state` accepts. */
export function commandsThatKeepOpen(state: CampaignState): CampaignCommand[] {
  return REOPENING.filter((command) => accepts(state, command));
}
