import { describeNoMatch, repositoryBindings } from '../../campaign-client/targets-preview';
import { globProblem, repositoryMatcher } from '../../contracts/repository-glob';
import { ReplicasApiError, type ReplicaListItem } from '../../replicas';
import { CodingAgent, ReplicaStatus } from '../../replicas/schemas/common';
import { EXIT, UsageError, command, group, oneOf, required, wholeNumber } from '../command';
import { withReplicas } from '../replicas-client';
import { EXIT_INTERRUPTED, printJson, untilInterrupted } from '../terminal';

const ENV = 'Uses REPLICAS_API_URL and REPLICAS_API_KEY.';

function listLine(r: ReplicaListItem): string {
  const repos = r.repositories.map((repo) => repo.name).join(',') || '-';
  const prs = r.pull_requests.map((pr) => pr.url).join(' ');
  return [r.id, r.status.padEnd(9), r.name, repos, r.created_at, prs].filter(Boolean).join('  ');
}

const list = command({
  name: 'list',
  summary: 'every replica of the organisation (all pages)',
  help: `Usage: replica-fleet replicas list [--status STATUS] [--json]

One line per replica: id, status, name, repositories, created, PRs. Statuses:
${ReplicaStatus.options.join(', ')}. ${ENV}

Example:
  replica-fleet replicas list --status error`,
  options: { status: { type: 'string' }, json: { type: 'boolean' } },
  run: ({ values }) => {
    const status = oneOf(values.status, ReplicaStatus.options, '--status');
    return withReplicas(async (client) => {
      const all: ReplicaListItem[] = [];
      for await (const r of client.iterateReplicas({ status })) {
        if (values.json) all.push(r);
        else console.log(listLine(r));
      }
      if (values.json) printJson(all);
    });
  },
});

const get = command({
  name: 'get',
  summary: 'one replica: status, repositories and branches, PRs, chats, last message',
  help: `Usage: replica-fleet replicas get ID [--json]

--json prints the API's replica object as it came. ${ENV}

Example:
  replica-fleet replicas get 3f6c2a9e-…`,
  options: { json: { type: 'boolean' } },
  run: ({ values, positionals }) =>
    withReplicas(async (client) => {
      const { replica } = await client.getReplica(required(positionals, 0, 'ID'));
      if (values.json) return printJson(replica);
      const row = (label: string, text: string | undefined | null) => {
        if (text) console.log(`${label.padEnd(12)} ${text}`);
      };
      row('replica', `${replica.id} (${replica.name})`);
      row('status', `${replica.status}${replica.waking ? ' (waking)' : ''}`);
      row('agent', replica.coding_agent);
      row('created', replica.created_at);
      row('last active', replica.last_activity_at);
      for (const s of replica.repository_statuses ?? [])
        row(
          'repository',
          `${s.repository}${s.branch ? ` on ${s.branch}` : ''}${s.pr_urls.length ? `  ${s.pr_urls.join(' ')}` : ''}`,
        );
      for (const pr of replica.pull_requests) row('PR', pr.url);
      for (const chat of replica.chats ?? [])
        row('chat', `${chat.id} ${chat.provider}${chat.processing ? ' (processing)' : ''}: ${chat.title}`);
      if (replica.lastChatMessage)
        row(
          'last message',
          `${replica.lastChatMessage.text} (${replica.lastChatMessage.agent}, ${replica.lastChatMessage.timestamp})`,
        );
    }),
});

const send = command({
  name: 'send',
  summary: 'send a message to the agent (queued if it is busy, wakes it if asleep)',
  help: `Usage: replica-fleet replicas send ID MESSAGE [--agent AGENT] [--chat CHAT] [--json]

Agents: ${CodingAgent.options.join(', ')}. ${ENV}

Example:
  replica-fleet replicas send 3f6c2a9e-… "Why did the tests fail? Fix them and push."`,
  options: { agent: { type: 'string' }, chat: { type: 'string' }, json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const message = required(positionals, 1, 'MESSAGE');
    const agent = oneOf(values.agent, CodingAgent.options, '--agent');
    return withReplicas(async (client) => {
      const sent = await client.sendMessage(id, {
        message,
        ...(agent && { coding_agent: agent }),
        ...(values.chat && { chat_id: values.chat }),
      });
      if (values.json) return printJson(sent);
      const where = sent.position === null ? '' : ` at position ${sent.position}`;
      console.log(`${sent.status}${where}${sent.chat_id ? ` (chat ${sent.chat_id})` : ''}`);
    });
  },
});

const wake = command({
  name: 'wake',
  summary: 'wake a sleeping replica',
  help: `Usage: replica-fleet replicas wake ID

A workspace in error cannot be woken (the API answers 409). ${ENV}

Example:
  replica-fleet replicas wake 3f6c2a9e-…`,
  run: ({ positionals }) =>
    withReplicas(async (client) => {
      const id = required(positionals, 0, 'ID');
      const woke = await client.wakeReplica(id);
      console.log(`wake requested for ${id}${woke.status ? `; status now ${woke.status}` : ''}`);
    }),
});

const remove = command({
  name: 'delete',
  summary: 'delete a replica (its workspace and transcript)',
  help: `Usage: replica-fleet replicas delete ID

${ENV}

Example:
  replica-fleet replicas delete 3f6c2a9e-…`,
  run: ({ positionals }) =>
    withReplicas(async (client) => {
      const id = required(positionals, 0, 'ID');
      await client.deleteReplica(id);
      console.log(`deleted ${id}`);
    }),
});

const events = command({
  name: 'events',
  summary: "follow a replica's live event stream (SSE) until Ctrl-C",
  help: `Usage: replica-fleet replicas events ID [--count N] [--json]

Prints each event of the workspace's stream as it comes (time, type, payload), reconnecting after
dropped connections without repeating one. Ends on Ctrl-C, after --count events, or when the
workspace sleeps, errors or is deleted (the API then answers 409 or 404: exit 1 with its words).
--json prints one event object per line. ${ENV}

Example:
  replica-fleet replicas events 3f6c2a9e-… --json | jq .type`,
  options: { count: { type: 'string' }, json: { type: 'boolean' } },
  run: ({ values, positionals }) => {
    const id = required(positionals, 0, 'ID');
    const count = values.count === undefined ? undefined : wholeNumber(values.count, '--count', 1, 1_000_000);
    return withReplicas((client) =>
      untilInterrupted(async (signal) => {
        let seen = 0;
        try {
          for await (const event of client.events(id, { signal })) {
            if (values.json) console.log(JSON.stringify(event));
            else
              console.log(
                `${event.ts}  ${event.type}  ${JSON.stringify(event.payload ?? null).slice(0, 300)}`,
              );
            seen += 1;
            if (count !== undefined && seen >= count) return EXIT.ok;
          }
        } catch (error) {
          if (!(error instanceof ReplicasApiError) || error.kind !== 'conflict') throw error;
          console.error(
            `${error.message}: the workspace is asleep or in error and streams nothing; 'replica-fleet replicas wake ${id}' wakes a sleeping one`,
          );
          return EXIT.failed;
        }
        return signal.aborted ? EXIT_INTERRUPTED : EXIT.ok;
      }),
    );
  },
});

const repos = command({
  name: 'repos',
  summary: "the organisation's repositories and the environment bound to each (what targets resolve to)",
  help: `Usage: replica-fleet replicas repos [--match GLOB] [--json]

One line per repository: its name, default branch and the environment(s) bound to it, or "none
bound" (a campaign target on it is skipped unless the spec sets targets.templateEnvironment). The
last line, on stderr, counts them. --match keeps the names a targets glob would match, by the same
rule as 'campaign plan'; a glob that matches nothing prints a sample of the names there are.
--json prints the API's repository objects, each with "environments": [{id, name}]. ${ENV}

Example:
  replica-fleet replicas repos --match "acme/service-0*"`,
  options: { match: { type: 'string' }, json: { type: 'boolean' } },
  run: ({ values }) => {
    const match = values.match;
    const problem = match === undefined ? undefined : globProblem(match);
    if (problem) throw new UsageError(`--match ${problem}`);
    return withReplicas(async (client) => {
      const all = await repositoryBindings(client);
      const isMatch = match === undefined ? () => true : repositoryMatcher(match);
      const shown = all.filter((repo) => isMatch(repo.name));
      if (values.json) printJson(shown);
      else {
        const width = Math.max(10, ...shown.map((r) => r.name.length));
        const branchWidth = Math.max(14, ...shown.map((r) => r.default_branch.length));
        if (shown.length)
          console.log(`${'REPOSITORY'.padEnd(width)}  ${'DEFAULT BRANCH'.padEnd(branchWidth)}  ENVIRONMENTS`);
        for (const r of shown) {
          const bound = r.environments.map((e) => `${e.name} (${e.id})`).join(', ') || 'none bound';
          console.log(`${r.name.padEnd(width)}  ${r.default_branch.padEnd(branchWidth)}  ${bound}`);
        }
      }
      const unbound = shown.filter((r) => r.environments.length === 0).length;
      if (match !== undefined && shown.length === 0)
        console.error(
          describeNoMatch(
            match,
            all.map((r) => r.name),
          ),
        );
      else console.error(`${shown.length} repositories, ${unbound} with no environment bound`);
    });
  },
});

export const replicasCommand = group(
  'replicas',
  'look at one workspace (list, get, send, wake, delete, events) or the repositories (repos)',
  `Usage: replica-fleet replicas <subcommand>

Hands-on commands over the Replicas API, for looking at one workspace without the dashboard — e.g.
a replica a failed campaign item kept ('campaign item ID KEY' shows its id) — and at the repositories
a targets glob chooses from ('replicas repos'). ${ENV}`,
  [list, get, send, wake, remove, events, repos],
);
