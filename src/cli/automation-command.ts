import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadReplicasConfig } from '../config/replicas-config';
import { ReplicasApiError, ReplicasClient, ReplicasRequestValidationError } from '../replicas';
import type { CreateAutomationRequest } from '../replicas/schemas/automation';

export const automationHelp = `replica-fleet automation <subcommand>

Recurring prompts on one repository, run by the Replicas platform itself (Automations API):

  list [--enabled true|false] [--search TEXT]   every automation (all pages)
  create FILE                                   create from YAML/JSON (name, triggers, prompt, environment_id, …)
  update ID FILE                                change fields (send null to clear an override)
  delete ID
  trigger ID                                    run a cron automation now
  executions ID                                 its recent runs

Uses REPLICAS_API_URL and REPLICAS_API_KEY. For campaigns over many repositories on a schedule,
use 'replica-fleet campaign schedule create' instead.`;

function readDocument(file: string | undefined): unknown {
  if (!file) throw new UsageError(`missing FILE\n\n${automationHelp}`);
  return parseYaml(readFileSync(file, 'utf8'));
}

class UsageError extends Error {}

/** `replica-fleet automation …`: the Automations API from the command line. */
export async function runAutomationCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      enabled: { type: 'string' },
      search: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [name, id, file] = positionals;
  if (values.help || !name) {
    console.log(automationHelp);
    return values.help ? 0 : 2;
  }
  const config = loadReplicasConfig();
  const client = new ReplicasClient({ baseUrl: config.apiUrl, apiKey: config.apiKey });
  const api = client.automations;
  const need = (value: string | undefined) => {
    if (!value) throw new UsageError(`missing ID\n\n${automationHelp}`);
    return value;
  };
  try {
    switch (name) {
      case 'list': {
        const enabled = values.enabled === undefined ? undefined : values.enabled === 'true';
        for await (const a of api.iterate({ enabled, search: values.search })) {
          const triggers = a.triggers.map((t) =>
            t.type === 'cron' ? `cron ${String(t.config.schedule)}` : t.type,
          );
          console.log(`${a.id}  ${a.enabled ? 'on ' : 'off'}  ${a.name}  [${triggers.join(', ')}]`);
        }
        return 0;
      }
      case 'create': {
        const { automation } = await api.create(readDocument(id) as CreateAutomationRequest);
        console.log(`created automation ${automation.id} (${automation.name})`);
        return 0;
      }
      case 'update': {
        const { automation } = await api.update(need(id), readDocument(file) as object);
        console.log(`updated automation ${automation.id}`);
        return 0;
      }
      case 'delete':
        await api.delete(need(id));
        console.log(`deleted automation ${id}`);
        return 0;
      case 'trigger': {
        const run = await api.trigger(need(id));
        console.log(
          `execution ${run.execution_id}${run.workspace_id ? ` in workspace ${run.workspace_id}` : ''}`,
        );
        return 0;
      }
      case 'executions': {
        const { executions } = await api.listExecutions(need(id));
        for (const e of executions)
          console.log(`${e.id}  ${e.status}  ${e.triggered_at}${e.error ? `  ${e.error}` : ''}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown subcommand "${name}"\n\n${automationHelp}`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ReplicasRequestValidationError ||
      error instanceof ReplicasApiError
    ) {
      console.error(error.message);
      return error instanceof ReplicasApiError ? 1 : 2;
    }
    throw error;
  } finally {
    await client.close();
  }
}
