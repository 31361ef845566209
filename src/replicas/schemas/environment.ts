import { z } from 'zod';
import { Scope, Timestamp, Uuid, loose } from './common';

/** Environment ids: a UUID or the literal `global` for the organisation's Global environment. */
export const EnvironmentId = z.union([z.literal('global'), Uuid], {
  error: 'must be an environment UUID or "global"',
});

const owned = { id: Uuid, organization_id: Uuid, environment_id: Uuid, created_at: Timestamp };

export const Environment = loose({
  id: Uuid,
  organization_id: Uuid,
  user_id: Uuid.nullable(),
  name: z.string(),
  description: z.string().nullable(),
  is_global: z.boolean(),
  repository_id: Uuid.nullable(),
  repository_set_id: Uuid.nullable(),
  system_prompt: z.string().nullable(),
  mobile_testing_enabled: z.boolean(),
  personal_preferences: z.string().nullable(),
  source_environment_id: Uuid.nullable(),
  /** How many variables, files, enabled skills and MCPs the environment holds. */
  variable_count: z.number().int().optional(),
  file_count: z.number().int().optional(),
  skill_count: z.number().int().optional(),
  mcp_count: z.number().int().optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const ListEnvironmentsQuery = z.object({ scope: z.enum(['org', 'user', 'all']).optional() });
export const EnvironmentsResponse = loose({ environments: z.array(Environment) });
export const EnvironmentResponse = loose({ environment: Environment });

const environmentFields = {
  description: z.string().nullable().optional(),
  repository_id: Uuid.nullable().optional(),
  repository_set_id: Uuid.nullable().optional(),
  system_prompt: z.string().nullable().optional(),
  mobile_testing_enabled: z.boolean().optional(),
};
const exclusiveBinding = (body: { repository_id?: string | null; repository_set_id?: string | null }) =>
  !(body.repository_id && body.repository_set_id);
const bindingError = {
  message: 'repository_id and repository_set_id are mutually exclusive: give one or neither',
  path: ['repository_set_id'],
};
export const CreateEnvironmentRequest = z
  .object({
    name: z.string().min(1, 'is required'),
    scope: Scope.optional(),
    source_environment_id: Uuid.nullable().optional(),
    ...environmentFields,
  })
  .refine(exclusiveBinding, bindingError);
export const UpdateEnvironmentRequest = z
  .object({
    name: z.string().min(1).optional(),
    personal_preferences: z.string().nullable().optional(),
    ...environmentFields,
  })
  .refine(exclusiveBinding, bindingError);

export const Variable = loose({
  ...owned,
  key: z.string(),
  value: z.string(),
  personal_override_allowed: z.boolean(),
});
export const VariablesResponse = loose({ environment_variables: z.array(Variable) });
export const VariableResponse = loose({ environment_variable: Variable });
export const CreateVariableRequest = z.object({
  key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a shell variable name, e.g. NPM_TOKEN'),
  value: z.string(),
  personal_override_allowed: z.boolean().optional(),
});
export const UpdateVariableRequest = CreateVariableRequest.partial();

/** The guide caps file content at 64 KB. */
export const MAX_ENVIRONMENT_FILE_BYTES = 64 * 1024;
const fileContent = z
  .string()
  .refine(
    (s) => Buffer.byteLength(s, 'utf8') <= MAX_ENVIRONMENT_FILE_BYTES,
    'must be at most 64 KB (65,536 bytes)',
  );
export const EnvironmentFile = loose({ ...owned, name: z.string(), path: z.string(), content: z.string() });
export const FilesResponse = loose({ environment_files: z.array(EnvironmentFile) });
export const FileResponse = loose({ environment_file: EnvironmentFile });
export const CreateFileRequest = z.object({
  name: z.string().min(1, 'is required'),
  path: z.string().min(1, 'is required'),
  content: fileContent,
});
export const UpdateFileRequest = z.object({
  name: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  content: fileContent.optional(),
});

export const Skill = loose({ ...owned, name: z.string(), slug: z.string(), source: z.string() });
export const SkillsResponse = loose({ environment_skills: z.array(Skill) });
export const SkillResponse = loose({ environment_skill: Skill });
export const CreateSkillRequest = z.object({
  name: z.string().min(1),
  slug: z.string().min(1),
  source: z.string().min(1),
});
export const SkillSearchResponse = loose({
  skills: z.array(
    loose({ name: z.string(), slug: z.string(), source: z.string(), installs: z.number().int() }),
  ),
});

export const SkillRegistry = loose({
  ...owned,
  name: z.string(),
  url: z.string(),
  repository_full_name: z.string(),
});
export const SkillRegistriesResponse = loose({ registries: z.array(z.looseObject({})) });
export const AddSkillRegistryResponse = loose({
  registry: SkillRegistry,
  repo_skills: z.array(z.looseObject({})),
  error: z.string().nullable(),
});
export const AddSkillRegistryRequest = z.object({ url: z.url({ error: 'must be a GitHub repository URL' }) });
export const RepoSkillsResponse = loose({
  repo_skills: z.array(z.looseObject({})),
  error: z.string().nullable(),
});

const StdioConfig = z.object({
  command: z.string().min(1),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
});
const RemoteConfig = z.object({ url: z.url(), headers: z.record(z.string(), z.string()) });
export const McpTransport = z.enum(['stdio', 'http', 'sse']);
export const Mcp = loose({
  ...owned,
  name: z.string(),
  transport: McpTransport,
  config: z.union([StdioConfig.loose(), RemoteConfig.loose()]),
});
export const McpsResponse = loose({ environment_mcps: z.array(Mcp) });
export const McpResponse = loose({ environment_mcp: Mcp });
export const CreateMcpRequest = z
  .object({ name: z.string().min(1), transport: McpTransport, config: z.union([StdioConfig, RemoteConfig]) })
  .refine((m) => (m.transport === 'stdio') === 'command' in m.config, {
    message: 'stdio needs {command, args, env}; http and sse need {url, headers}',
    path: ['config'],
  });
export const UpdateMcpRequest = z.object({
  name: z.string().min(1).optional(),
  transport: McpTransport.optional(),
  config: z.union([StdioConfig, RemoteConfig]).optional(),
});

export const Hook = loose({
  ...owned,
  version: z.number().int(),
  content: z.string(),
  is_active: z.boolean(),
});
export const HookScriptRequest = z.object({ content: z.string() });
export const HookStreamMode = z.enum(['save_test', 'test_only']);
export const HookTest = loose({ exit_code: z.number().int(), output: z.string(), timed_out: z.boolean() });
export const WarmPool = loose({
  id: Uuid,
  environment_id: Uuid,
  enabled: z.boolean(),
  target_size: z.number().int(),
});
export const WarmHooksResponse = loose({ warm_hook: Hook.nullable(), warm_pool: WarmPool.nullable() });
export const WarmHookResponse = loose({ warm_hook: Hook });
export const WarmHookSaveTestResponse = loose({ warm_hook: Hook, test: HookTest });
export const HookTestResponse = loose({ test: HookTest });
export const StartHooksResponse = loose({ start_hook: Hook.nullable() });
export const WarmPoolRequest = z.object({ enabled: z.boolean() });
export const WarmPoolResponse = loose({ warm_pool: WarmPool });
export const WarmPoolWorkspacesResponse = loose({
  workspaces: z.array(
    loose({
      id: Uuid,
      status: z.enum(['warming', 'snapshotting', 'ready', 'assigned', 'expired', 'failed']),
    }),
  ),
});

/** One event of the streaming hook endpoints (`progress`, `output`, `complete`, `error`). */
export const HookStreamEvent = z.object({ event: z.string(), data: z.unknown() });
export type HookStreamEvent = z.infer<typeof HookStreamEvent>;
