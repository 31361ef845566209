import { z } from 'zod';

/** Per-workspace behaviour; missing capabilities and preferences default to disabled. */
export const WorkspaceConfig = z
  .object({
    capabilities: z.object({ pr_followups: z.boolean().optional() }).strict().optional(),
    preferences: z
      .object({
        keep_open_on_pr_merge: z.boolean().optional(),
        keep_open_on_pr_close: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
