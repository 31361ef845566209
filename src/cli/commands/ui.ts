import { TOKEN_VARIABLE } from '../../dashboard/auth';
import { isLoopback } from '../../dashboard/request-origin';
import { DashboardExposedError, startDashboard } from '../../dashboard/server';
import { EXIT, UsageError, command, wholeNumber } from '../command';
import { withOptionalReplicas } from '../replicas-client';
import { withTemporalClient } from '../temporal-client';
import { CONNECTION } from './campaign-shared';

/** A token shorter than this is refused: it guards a page others can reach. */
const MIN_TOKEN_LENGTH = 16;

/** Why the dashboard must not start with these settings (exit 2), checked before Temporal is contacted. */
export function exposureProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopback(host)) return undefined;
  if (!token?.trim()) return new DashboardExposedError(host).message;
  if (token.trim().length < MIN_TOKEN_LENGTH)
    return `${TOKEN_VARIABLE} is too short: use at least ${MIN_TOKEN_LENGTH} random characters (e.g. $(openssl rand -hex 32))`;
  return undefined;
}

/** Runs until Ctrl-C or SIGTERM. */
const untilStopped = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

export const uiCommand = command({
  name: 'ui',
  summary: 'the campaign dashboard in the browser (http://127.0.0.1:8790)',
  help: `Usage: replica-fleet ui [--host 127.0.0.1] [--port 8790] [--allow-actions]

Serves the campaign dashboard: every campaign with its state, progress, merged share and spend; one
campaign's counts, pace and ETA, burndown of items and PRs, latest events and a table of every item
(filtered, sorted, searched and paged on the server); one item's timeline, PR, workspace, error and
the agent's last answer; the recurring campaigns. Pages follow the campaigns live (within 2 s), and
however many are open, each campaign is asked at most once every 2 s.

Options:
  --host ADDR       where to listen (default 127.0.0.1). Any address other than loopback needs
                    ${TOKEN_VARIABLE} set to a long random value: browsers sign in with it, scripts
                    send 'Authorization: Bearer <token>'. Put TLS in front (a reverse proxy) when
                    it is reached over a network.
  --port N          default 8790
  --allow-actions   offer pause, resume, approve, cancel, close, retry-failed, set-concurrency and
                    the bulk PR actions (merge, close-prs, comment), each behind a confirmation
                    that says what will happen to how many items. Off by default.

With REPLICAS_API_URL / REPLICAS_API_KEY set, an item's page also shows its workspace live.
${CONNECTION}

Example:
  replica-fleet ui --allow-actions
  REPLICA_FLEET_UI_TOKEN=$(openssl rand -hex 32) replica-fleet ui --host 0.0.0.0`,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8790' },
    'allow-actions': { type: 'boolean', default: false },
  },
  async run({ values }) {
    const host = values.host.trim();
    if (!host) throw new UsageError('--host needs an address, e.g. --host 127.0.0.1');
    const port = wholeNumber(values.port, '--port', 1, 65535);
    const token = process.env[TOKEN_VARIABLE];
    const problem = exposureProblem(host, token);
    if (problem) {
      console.error(`replica-fleet ui: ${problem}`);
      return EXIT.usage;
    }
    return withTemporalClient((client) =>
      withOptionalReplicas(async (replicas) => {
        const dashboard = await startDashboard({
          client,
          ...(replicas && { replicas }),
          host,
          port,
          ...(token?.trim() && { token: token.trim() }),
          allowActions: values['allow-actions'],
        }).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
            throw new UsageError(`port ${port} on ${host} is taken: pick another with --port`);
          throw error;
        });
        console.log(
          `replica-fleet ui: dashboard at ${dashboard.url}${values['allow-actions'] ? ' (actions on)' : ''}; Ctrl-C stops it`,
        );
        await untilStopped();
        await dashboard.close();
        return EXIT.ok;
      }),
    );
  },
});
