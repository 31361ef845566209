import type { CampaignItem, CampaignTargets } from '../workflows/campaign/types';

/** Activities the campaign workflow calls (on the rate-limited API task queue). */
export interface CampaignActivities {
  /**
   * Items for every repository whose name matches the glob, each on an environment bound to it: an
   * existing one, or one created from the template (idempotent by name).
   */
  resolveTargets(targets: CampaignTargets): Promise<CampaignItem[]>;
}
