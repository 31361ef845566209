import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { CreateAutomationRequest } from '../../replicas/schemas/automation';
import { UsageError, command, group, required } from '../command';
import { withReplicas } from '../replicas-client';

function readDocument(file: string): unknown {
  return parseYaml(readFileSync(file, 'utf8'));
}

const list = command({
  name: 'list',
  summary: 'every automation (all pages)',
  help: `Usage: replica-fleet automation list [--enabled true|false] [--search TEXT]

Example:
  replica-fleet automation list --enabled true`,
  options: { enabled: { type: 'string' }, search: { type: 'string' } },
  run: ({ values }) =>
    withReplicas(async (client) => {
      if (values.enabled !== undefined && !['true', 'false'].includes(values.enabled))
        throw new UsageError(`--enabled must be true or false, got "${values.enabled}"`);
      const enabled = values.enabled === undefined ? undefined : values.enabled === 'true';
      for await (const a of client.automations.iterate({ enabled, search: values.search })) {
        const triggers = a.triggers.map((t) =>
          t.type === 'cron' ? `cron ${String(t.config.schedule)}` : t.type,
        );
        console.log(`${a.id}  ${a.enabled ? 'on ' : 'off'}  ${a.name}  [${triggers.join(', ')}]`);
      }
    }),
});

const create = command({
  name: 'create',
  summary: 'create from YAML/JSON (name, triggers, prompt, environment_id, …)',
  help: `Usage: replica-fleet automation create FILE

Example:
  replica-fleet automation create nightly.yaml`,
  run: ({ positionals }) =>
    withReplicas(async (client) => {
      const document = readDocument(required(positionals, 0, 'FILE'));
      const { automation } = await client.automations.create(document as CreateAutomationRequest);
      console.log(`created automation ${automation.id} (${automation.name})`);
    }),
});

const update = command({
  name: 'update',
  summary: 'change fields (send null to clear an override)',
  help: `Usage: replica-fleet automation update ID FILE

Example:
  replica-fleet automation update 3f6c… changes.yaml`,
  run: ({ positionals }) =>
    withReplicas(async (client) => {
      const id = required(positionals, 0, 'ID');
      const document = readDocument(required(positionals, 1, 'FILE'));
      const { automation } = await client.automations.update(id, document as object);
      console.log(`updated automation ${automation.id}`);
    }),
});

const remove = command({
  name: 'delete',
  summary: 'delete an automation',
  help: `Usage: replica-fleet automation delete ID

Example:
  replica-fleet automation delete 3f6c…`,
  run: ({ positionals }) =>
    withReplicas(async (client) => {
      const id = required(positionals, 0, 'ID');
      await client.automations.delete(id);
      console.log(`deleted automation ${id}`);
    }),
});

const trigger = command({
  name: 'trigger',
  summary: 'run a cron automation now',
  help: `Usage: replica-fleet automation trigger ID

Example:
  replica-fleet automation trigger 3f6c…`,
  run: ({ positionals }) =>
    withReplicas(async (client) => {
      const run = await client.automations.trigger(required(positionals, 0, 'ID'));
      console.log(
        `execution ${run.execution_id}${run.workspace_id ? ` in workspace ${run.workspace_id}` : ''}`,
      );
    }),
});

const executions = command({
  name: 'executions',
  summary: 'its recent runs',
  help: `Usage: replica-fleet automation executions ID

Example:
  replica-fleet automation executions 3f6c…`,
  run: ({ positionals }) =>
    withReplicas(async (client) => {
      const { executions } = await client.automations.listExecutions(required(positionals, 0, 'ID'));
      for (const e of executions)
        console.log(`${e.id}  ${e.status}  ${e.triggered_at}${e.error ? `  ${e.error}` : ''}`);
    }),
});

export const automationCommand = group(
  'automation',
  'manage Replicas Automations (recurring single-repo prompts)',
  `Usage: replica-fleet automation <subcommand>

Recurring prompts on one repository, run by the Replicas platform itself (Automations API).
Uses REPLICAS_API_URL and REPLICAS_API_KEY. For campaigns over many repositories on a schedule,
use 'replica-fleet campaign schedule create' instead.`,
  [list, create, update, remove, trigger, executions],
);
