import type { WorkspaceConfig } from '../contracts';
import type { CreateReplicaRequest } from '../replicas';

/**
 * The API's `config` for the settings a spec gave, holding only those: an unset one keeps the
 * platform's default (`pr_followups` is true for API-created workspaces). Undefined when none is set.
 */
export function workspaceConfigBody(settings: WorkspaceConfig | undefined): CreateReplicaRequest['config'] {
  const { prFollowups, keepOpenOnPrMerge, keepOpenOnPrClose } = settings ?? {};
  const preferences = {
    ...(keepOpenOnPrMerge !== undefined && { keep_open_on_pr_merge: keepOpenOnPrMerge }),
    ...(keepOpenOnPrClose !== undefined && { keep_open_on_pr_close: keepOpenOnPrClose }),
  };
  const config = {
    ...(prFollowups !== undefined && { capabilities: { pr_followups: prFollowups } }),
    ...(Object.keys(preferences).length > 0 && { preferences }),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}
