import { z } from 'zod';
import {
  CodingAgent,
  LifecyclePolicy,
  Pagination,
  PageQuery,
  ReplicaSize,
  Scope,
  ThinkingLevel,
  Timestamp,
  Uuid,
  loose,
} from './common';
import { WorkspaceConfig } from './workspace-config';

export const TriggerType = z.enum(['cron', 'github', 'gitlab', 'slack', 'sentry', 'custom']);
export const Trigger = z
  .object({ type: TriggerType.default('cron'), config: z.looseObject({}) })
  .superRefine((t, ctx) => {
    if (t.type === 'cron' && typeof t.config.schedule !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['config', 'schedule'],
        message: 'is required for cron triggers, e.g. "0 9 * * 1-5"',
      });
    }
    if ((t.type === 'github' || t.type === 'gitlab') && typeof t.config.event !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['config', 'event'],
        message: 'is required, e.g. "pull_request.opened"',
      });
    }
  });

const DebounceSeconds = z
  .number()
  .int('must be a whole number of seconds')
  .min(0, 'must be between 0 and 86400 seconds')
  .max(86_400, 'must be between 0 and 86400 seconds')
  .nullable();

const automationFields = {
  description: z.string().optional(),
  triggers: z.array(Trigger).min(1, 'needs at least one trigger'),
  prompt: z.string().min(1, 'is required'),
  debounce_seconds: DebounceSeconds.optional(),
  enabled: z.boolean().optional(),
  workspace_lifecycle_policy: LifecyclePolicy.optional(),
  workspace_auto_stop_minutes: z
    .number()
    .int()
    .min(3, 'must be between 3 and 1440 minutes')
    .max(1440, 'must be between 3 and 1440 minutes')
    .optional(),
  config: WorkspaceConfig.optional(),
  plan_mode: z.boolean().optional(),
  goal_mode: z.boolean().optional(),
  fast_mode: z.boolean().optional(),
  agent_provider: CodingAgent.nullable().optional(),
  model: z.string().min(1).nullable().optional(),
  thinking_level: ThinkingLevel.nullable().optional(),
  workspace_size: ReplicaSize.optional(),
};
const requiresModelProvider = (a: { model?: string | null; agent_provider?: string | null }) =>
  !a.model || Boolean(a.agent_provider);
const modelError = { message: 'needs agent_provider when model is set', path: ['model'] };
const autoStopNeedsPolicy = (a: {
  workspace_auto_stop_minutes?: number;
  workspace_lifecycle_policy?: string;
}) =>
  a.workspace_auto_stop_minutes === undefined || a.workspace_lifecycle_policy === 'delete_after_inactivity';
const autoStopError = {
  message: 'requires workspace_lifecycle_policy "delete_after_inactivity"',
  path: ['workspace_auto_stop_minutes'],
};
export const CreateAutomationRequest = z
  .object({
    name: z.string().min(1, 'is required'),
    scope: Scope.optional(),
    ...automationFields,
    environment_id: z.uuid({ error: 'is required: the UUID of the environment the automation runs in' }),
  })
  .refine(requiresModelProvider, modelError)
  .refine(autoStopNeedsPolicy, autoStopError);
export type CreateAutomationRequest = z.input<typeof CreateAutomationRequest>;
export const UpdateAutomationRequest = z
  .object({
    name: z.string().min(1).optional(),
    ...automationFields,
    triggers: automationFields.triggers.optional(),
    prompt: z.string().min(1).optional(),
    environment_id: Uuid.optional(),
  })
  .refine(requiresModelProvider, modelError);

export const Automation = loose({
  id: Uuid,
  organization_id: Uuid,
  name: z.string(),
  description: z.string().nullable(),
  triggers: z.array(loose({ type: TriggerType, config: z.looseObject({}) })),
  prompt: z.string(),
  debounce_seconds: z.number().int().nullable(),
  environment_id: Uuid.nullable(),
  enabled: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const AutomationResponse = loose({ automation: Automation });
export const ListAutomationsQuery = PageQuery.extend({
  trigger_type: z.enum(['all', 'cron', 'github', 'gitlab', 'slack', 'sentry', 'custom']).optional(),
  enabled: z.boolean().optional(),
  search: z.string().optional(),
  scope: z.enum(['org', 'user', 'all']).optional(),
});
export const AutomationListResponse = loose({
  automations: z.array(Automation),
  ...Pagination,
  totalPages: z.number().int(),
});
export const TriggerAutomationRequest = z.object({
  payload: z.looseObject({}).optional(),
  pr: z.object({ repository_id: Uuid, number: z.number().int() }).optional(),
});
export const TriggerAutomationResponse = loose({ execution_id: Uuid, workspace_id: Uuid.nullable() });
export const Execution = loose({
  id: Uuid,
  automation_id: Uuid,
  workspace_id: Uuid.nullable(),
  triggered_at: Timestamp,
  status: z.enum(['pending', 'creating', 'running', 'completed', 'failed']),
  error: z.string().nullable(),
  completed_at: Timestamp.nullable(),
});
export const ExecutionListResponse = loose({
  executions: z.array(Execution),
  ...Pagination,
  totalPages: z.number().int(),
});
