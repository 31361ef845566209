import { z } from 'zod';

/**
 * Per-workspace behaviour; missing capabilities and preferences default to disabled. The OpenAPI
 * `WorkspaceConfig` allows additional properties at every level, so unknown keys are kept as sent.
 */
export const WorkspaceConfig = z.looseObject({
  capabilities: z.looseObject({ pr_followups: z.boolean().optional() }).optional(),
  preferences: z
    .looseObject({
      keep_open_on_pr_merge: z.boolean().optional(),
      keep_open_on_pr_close: z.boolean().optional(),
    })
    .optional(),
  /** A setup or wake failure the platform records on a workspace left queryable in `error`. */
  provisioning_error: z.looseObject({ message: z.string().optional() }).optional(),
});
