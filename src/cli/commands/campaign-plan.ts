import { planCampaign, type CampaignPlan, type Range, type TargetPreview } from '../../campaign-client/plan';
import {
  simulateCampaign,
  type SimulatedPullRequests,
  type SimulationOutcome,
} from '../../campaign-client/simulate';
import {
  CampaignSpecError,
  loadCampaignSpec,
  specWhereApplied,
  withCodeHostDefaults,
} from '../../campaign-client/spec';
import { previewTargets, requireMatchingRepositories } from '../../campaign-client/targets-preview';
import { loadWorkerConfig } from '../../config/worker-config';
import { CAMPAIGN_DEFAULTS, type CampaignItem, type CampaignSpec } from '../../contracts';
import { PORT_ATTEMPTS } from '../../stack/embedded-temporal';
import { EXIT, UsageError, command, required, wholeNumber } from '../command';
import { percent } from '../format/progress';
import { humanDuration, usd } from '../format/units';
import { withReplicas } from '../replicas-client';
import { exitCodeOfSignal, printJson, untilInterrupted } from '../terminal';
import { simKnobs } from './sim';

export const validate = command({
  name: 'validate',
  summary: 'check a campaign spec (YAML or JSON) without starting it',
  help: `Usage: replica-fleet campaign validate FILE [--json]

Checks every field of the spec and names every problem in one pass, each with its line in the
file, e.g. "lint.yaml:12: items[3].key: "acme-api" is used twice; keys must be unique" (exit 2).
Nothing is contacted. --json prints {"valid": true, "id", "name", "items", "targets", "concurrency"}
or, for an invalid spec, {"valid": false, "errors": ["field: problem", …], "problems": [{"field",
"line"?, "message"}, …]} (still exit 2).

Example:
  replica-fleet campaign validate examples/campaign.yaml`,
  options: { json: { type: 'boolean' } },
  async run({ values, positionals }) {
    const file = required(positionals, 0, 'FILE');
    let loaded: ReturnType<typeof loadCampaignSpec>;
    try {
      loaded = loadCampaignSpec(file);
      // What needs a code host is refused here too, not only when applied.
      specWhereApplied(loaded.spec, process.env, file);
    } catch (error) {
      if (values.json && error instanceof CampaignSpecError) {
        printJson({ valid: false, errors: error.issues, problems: error.problems });
        return EXIT.usage;
      }
      throw error;
    }
    const { id, spec } = loaded;
    const concurrency = spec.concurrency ?? CAMPAIGN_DEFAULTS.concurrency;
    if (values.json) {
      printJson({
        valid: true,
        ...(id && { id }),
        ...(spec.name && { name: spec.name }),
        items: spec.items?.length ?? null,
        ...(spec.targets && { targets: spec.targets.repositories }),
        concurrency,
      });
    } else {
      const count = spec.items ? `${spec.items.length} item(s)` : `targets ${spec.targets?.repositories}`;
      console.log(`valid: ${count}, concurrency ${concurrency}`);
    }
    return EXIT.ok;
  },
});

/** Plans are rough: `40s`, `15 min`, `3 h 05 min`, `2 d 4 h`. */
function minutes(n: number): string {
  if (n < 1) return humanDuration(n * 60_000);
  const m = Math.round(n);
  if (m < 60) return `${m} min`;
  if (m < 48 * 60) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(m / 1440)} d ${Math.round((m % 1440) / 60)} h`;
}
const range = (r: Range, unit: (n: number) => string) =>
  r.min === r.max ? unit(r.min) : `${unit(r.min)} – ${unit(r.max)}`;
const count = (n: number) => n.toLocaleString('en-US');

/** The plan as people read it: one labelled line per figure, then the assumptions behind them. */
export function formatPlan(plan: CampaignPlan, started = false): string {
  const lines: string[] = [];
  const label = (name: string, text: string) => lines.push(`${name.padEnd(12)} ${text}`);
  lines.push(`plan${plan.name ? ` for ${plan.name}` : ''}${started ? '' : ' (nothing was started)'}:`);
  const { items } = plan;
  const extra = [
    items.skipped ? `${items.skipped} skipped` : '',
    items.environmentsToCreate
      ? `${items.environmentsToCreate} environment(s) to create from the template`
      : '',
  ].filter(Boolean);
  label('items', `${count(items.run)} to run${extra.length ? ` (${extra.join(', ')})` : ''}`);
  if (plan.targets) {
    label('targets', `${plan.targets.pattern} matched ${plan.targets.repositories.length} repositories:`);
    const width = Math.max(0, ...plan.targets.repositories.map((r) => r.repository.length));
    for (const r of plan.targets.repositories) {
      const word = { run: 'run', create_environment: 'create', skip: 'skip' }[r.action];
      const why =
        r.action === 'run'
          ? `on environment ${r.environmentId}`
          : r.action === 'create_environment'
            ? `would create an environment from template ${plan.targets.templateEnvironmentId}`
            : (r.reason ?? '');
      lines.push(`${''.padEnd(13)}${word.padEnd(7)} ${r.repository.padEnd(width)}  ${why}`);
    }
  }
  label(
    'turns',
    `${plan.turnsPerItem} per item${plan.turnsPerItem > 1 ? ` (${plan.turnsPerItem - 1} follow-up)` : ''}`,
  );
  label(
    'concurrency',
    `${plan.concurrency} at once${plan.startsPerMinute ? `, starts paced at ${plan.startsPerMinute}/min` : ''}`,
  );
  if (plan.waves) {
    const waves = plan.waves.map((w) => `${w.items}${w.approval ? ' (after approval)' : ''}`);
    label('rollout', `${plan.waves.length} waves: ${waves.join(', then ')}`);
  }
  label(
    'duration',
    `${range(plan.durationMinutes, minutes)} (an item: ${range(plan.minutesPerItem, minutes)}${plan.minutesPerItem.estimated ? '' : ', assumed'})`,
  );
  const s = plan.spend;
  label(
    'spend',
    `projected ${usd(s.projectedUsd)}, likely ${range(s.rangeUsd, usd)}; at most ${usd(s.ceilingUsd)} if every item ran until its job timeout`,
  );
  label(
    'retries',
    `one retry-failed round of ${s.retry.failurePercent}% of the items adds about ${usd(s.retry.roundUsd)} (${usd(s.retry.projectedWithRetryUsd)} with it)`,
  );
  if (s.fixTurns) {
    const f = s.fixTurns;
    label(
      'fix turns',
      `about ${count(f.expectedTurns)} (${f.expectedPerPr} per PR, at most ${f.maxPerPr}) at ${usd(f.perTurnUsd)} each: ${usd(f.projectedUsd)} projected, at most ${usd(f.maxUsd)}; ${usd(s.projectedWithFixTurnsUsd ?? s.projectedUsd)} with the items`,
    );
  }
  if (s.budgetUsd !== undefined) {
    const covers =
      s.itemsWithinBudget !== undefined && s.itemsWithinBudget < items.run
        ? `covers about ${count(s.itemsWithinBudget)} of ${count(items.run)} items at the estimate: the campaign stops starting items past it`
        : s.fixTurns && (s.projectedWithFixTurnsUsd ?? 0) > s.budgetUsd
          ? 'covers every item at the estimate, not every expected fix turn: no fix turn starts past it'
          : `covers every item${s.fixTurns ? ' and the expected fix turns' : ''} at the estimate`;
    label('budget', `${usd(s.budgetUsd)}: ${covers}`);
  } else {
    label('budget', 'none (set budgetUsd with estimatedMinutesPerItem to cap the spend)');
  }
  const api = plan.apiCalls;
  const calls = [
    ...(api.webhooks ? [`${range(api.webhooks, count)} with webhooks`] : []),
    `${range(api.polling, count)} polling`,
  ];
  label(
    'API calls',
    `${calls.join('; ')}; at least ${humanDuration(api.minimumSeconds * 1000)} at ${api.ratePerSecond} calls/s`,
  );
  lines.push('assumptions:', ...plan.assumptions.map((a) => `  - ${a}`));
  return lines.join('\n');
}

export function formatSimulation(outcome: SimulationOutcome): string {
  const p = outcome.progress;
  const counts = Object.entries(p.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state.replace('_', ' ')}`)
    .join(', ');
  const calls = Object.entries(outcome.apiCalls.byEndpoint)
    .sort((a, b) => b[1] - a[1])
    .map(([endpoint, n]) => `${endpoint} ${n}`)
    .join(', ');
  const perItem = p.total ? (outcome.apiCalls.total / p.total).toFixed(1) : '0';
  const t = outcome.simulatorTimings;
  const server = outcome.embeddedTemporal;
  return [
    `simulated on an embedded Temporal server and the Replicas simulator (a workspace took ${t.provisionMs} ms to start and ${t.turnMs} ms per turn, so time is compressed; costs are not meaningful):`,
    `  outcome     ${p.state}: ${counts}`,
    `  PRs         ${p.prsOpened}${outcome.pullRequests ? `: ${simulatedPullRequestsText(outcome.pullRequests)}` : ''}`,
    `  API calls   ${outcome.apiCalls.total} (${perItem} per item): ${calls}`,
    `  wall time   ${humanDuration(outcome.wallMs)}`,
    ...(server.portsTaken.length
      ? [
          `  server      ${server.address} (port ${server.portsTaken.join(', ')} was taken; another was picked)`,
        ]
      : []),
  ].join('\n');
}

/** `3 merged of 5 opened (60%); fixes: campaign, 2 fix turns sent (at most 3 per PR), 1 stopped short`. */
function simulatedPullRequestsText(prs: SimulatedPullRequests): string {
  const loop =
    prs.fixes === 'campaign'
      ? `, ${prs.fixTurns} fix turn(s) sent (at most ${prs.maxFixTurns} per PR), ${prs.fixStopped} stopped short of mergeable`
      : '';
  return `${prs.merged} merged of ${prs.opened} opened (${percent(prs.mergedShare)}); fixes: ${prs.fixes}${loop}`;
}

function simulatedItems(spec: CampaignSpec, targets: TargetPreview | undefined): CampaignItem[] {
  if (spec.items) return spec.items;
  return (targets?.repositories ?? [])
    .filter((r) => r.action !== 'skip')
    .map((r) => ({ key: r.key, environmentId: r.environmentId ?? '', repository: r.repository }));
}

/**
 * `campaign plan` and `apply --dry-run`: validates the spec, resolves `targets` read-only through the
 * Replicas API, prints the plan, and with `simulate` runs it on a private simulated deployment.
 */
export async function runPlan(
  file: string,
  options: {
    json?: boolean;
    simulate?: boolean;
    set?: string[];
    'simulate-port'?: string;
    'allow-empty'?: boolean;
  },
): Promise<number> {
  const { id, spec } = loadCampaignSpec(file);
  // A simulated run has the GitHub stand-in; a plan for real needs a code host where it will be applied.
  // Either way the plan is of the spec as it would run there (the fix loop is on by default with one).
  const applied = options.simulate ? withCodeHostDefaults(spec) : specWhereApplied(spec, process.env, file);
  if (options.set?.length && !options.simulate) throw new UsageError('--set only applies with --simulate');
  if (options['simulate-port'] !== undefined && !options.simulate)
    throw new UsageError('--simulate-port only applies with --simulate');
  const sim = simKnobs(options.set);
  const port =
    options['simulate-port'] === undefined
      ? undefined
      : wholeNumber(options['simulate-port'], '--simulate-port', 1, 65535);
  const apiRatePerSecond = loadWorkerConfig().apiRatePerSecond;
  let targets: TargetPreview | undefined;
  if (spec.targets) {
    const wanted = spec.targets;
    await withReplicas(async (client) => {
      targets = await previewTargets(client, wanted);
      if (!targets.repositories.length && !options['allow-empty'])
        await requireMatchingRepositories(client, wanted.repositories, file);
    });
    if (!targets) return EXIT.failed;
  }
  const plan = planCampaign({ ...applied, name: spec.name ?? id }, { targets, apiRatePerSecond });
  if (!options.json) console.log(formatPlan(plan));
  let simulation: SimulationOutcome | undefined;
  if (options.simulate) {
    let stoppedBy: NodeJS.Signals | undefined;
    simulation = await untilInterrupted(
      (signal) =>
        simulateCampaign(spec, simulatedItems(spec, targets), {
          sim,
          port,
          signal,
          onStep: (step) => process.stderr.write(`simulating: ${step}…\n`),
        }).catch((error: unknown) => {
          if (!signal.aborted) throw error;
          stoppedBy = signal.reason as NodeJS.Signals;
          return undefined;
        }),
      ['SIGINT', 'SIGTERM'],
    );
    if (stoppedBy) {
      process.stderr.write(
        `simulating: stopped by ${stoppedBy}; its embedded server, workers and simulator are stopped and its folder removed\n`,
      );
      return exitCodeOfSignal(stoppedBy);
    }
    if (!options.json && simulation) console.log(`\n${formatSimulation(simulation)}`);
  }
  if (options.json) printJson({ ...plan, ...(simulation && { simulation }) });
  return EXIT.ok;
}

export const PLAN_OPTIONS = {
  json: { type: 'boolean' },
  simulate: { type: 'boolean' },
  set: { type: 'string', multiple: true },
  'simulate-port': { type: 'string' },
  'allow-empty': { type: 'boolean' },
} as const;

export const plan = command({
  name: 'plan',
  summary: 'what a spec would do and cost, starting nothing (--simulate runs it on a simulator)',
  help: `Usage: replica-fleet campaign plan FILE [--json] [--allow-empty] [--simulate [--set KNOB=VALUE]... [--simulate-port N]]

Validates the spec, resolves its targets (read-only, through REPLICAS_API_URL / REPLICAS_API_KEY:
each matched repository runs on its environment, would get one created from the template, or is
skipped with the reason; a glob that matches no repository exits 2 with a sample of the names
there are) and prints what would happen: items, concurrency and pacing, rollout waves,
an expected duration range, the projected and the maximum spend against the budget, and the
Replicas API calls it takes — with the assumptions behind each figure. Nothing is started and no
Temporal server is needed.

Options:
  --json            the plan as one JSON object (see the README for its fields)
  --allow-empty     plan a targets glob that matches no repository instead of refusing it
  --simulate        also run the campaign on a private embedded Temporal server, the Replicas
                    simulator and its GitHub stand-in (compressed time), and report counts, PRs (how
                    many merged, the fix turns sent), API calls and wall time
  --set KNOB=VALUE  a simulator knob for --simulate, repeatable (see 'replica-fleet sim --help'),
                    e.g. --set behaviour.errorRate=0.2, or for the fix loop
                    --set codeHost.checkFailureRate=0.3 (each head's checks fail with that chance)
  --simulate-port N the embedded server's gRPC port to try first (default: a free one); a port
                    found taken is replaced by another free one, up to ${PORT_ATTEMPTS} tries

A simulation keeps its server in a throw-away folder under the temp directory (TMPDIR), removed when
it ends however it ends; Ctrl-C or SIGTERM stops the server, the workers and the simulator first
(exit 130 or 143).

Example:
  replica-fleet campaign plan examples/campaign.yaml --simulate`,
  options: PLAN_OPTIONS,
  run: ({ values, positionals }) => runPlan(required(positionals, 0, 'FILE'), values),
});
