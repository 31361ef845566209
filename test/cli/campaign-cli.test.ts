import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../src/cli/format/records';
import { jobWorkflowId } from '../../src/contracts';
import { jobStateQuery } from '../../src/workflows/replica-job/messages';
import { eventually } from '../support/eventually';
import { useJobHarness } from '../support/job-harness';
import { forceState } from '../support/simulator';
import { uniqueTaskQueue } from '../support/temporal';
import { renderPage } from './chromium';
import { writeSpec } from './spec-file';
import { harnessEnv, hasAnsi, jsonOf, runCli, startCli, type CliRun } from './cli-child';
import {
  ApplyShape,
  BurndownShape,
  CleanupShape,
  ItemShape,
  ListShape,
  PlanShape,
  ProgressShape,
  RepositoriesShape,
  ResultsShape,
  ScheduleDescriptionShape,
  ScheduleShape,
  WatchSampleShape,
} from './json-shapes';

describe('replica-fleet campaign in a child process, end to end (dev server, simulator, ingress)', () => {
  const t = useJobHarness({
    webhooks: true,
    sim: { behaviour: { prProbability: 1 }, timings: { turnMs: 300 } },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-e2e-'));
  const env = () => harnessEnv(t.h);
  const id = uniqueTaskQueue('lint');
  const specFile = path.join(dir, 'lint.yaml');

  it('apply, then watch off a terminal: a line per change and per item event, until it ends (exit 1: one failed)', async () => {
    writeSpec(specFile, t.h.items(5), 'name: Upgrade the linter\nconcurrency: 1\n');
    let replicaId: string | undefined;
    // The first item's turn would outlast the test: it runs until the test makes its workspace fail.
    const watching = await t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const applied = await runCli(['campaign', 'apply', specFile, '--id', id, '--json'], env());
      expect(applied.code, applied.stderr).toBe(0);
      expect(ApplyShape.parse(jsonOf(applied))).toMatchObject({
        campaignId: id,
        created: true,
        summary: { added: 5 },
      });
      const watch = startCli(['campaign', 'watch', id], env());
      const job = t.env.client.workflow.getHandle(jobWorkflowId(id, 'item-0000'));
      await eventually(async () => {
        replicaId = await job.query(jobStateQuery).then(
          (s) => s.replicaId,
          () => undefined,
        );
        return replicaId !== undefined;
      });
      // Its turn has begun (and took the long setting) once a chat processes.
      await eventually(async () =>
        Boolean((await t.h.client.getReplica(replicaId as string)).replica.chats?.some((c) => c.processing)),
      );
      return watch;
    });

    const running = await runCli(['campaign', 'item', id, 'item-0000', '--json'], env());
    const live = ItemShape.parse(jsonOf(running));
    expect(live.record.state).toBe('running');
    expect(live.job?.phase).toBe('waiting_turn');
    expect(live.replica).toMatchObject({ id: replicaId, status: 'active' });
    expect(live.replica?.lastChatMessage?.text).toBe('Upgrade the linter in acme/api');

    await forceState(t.h.sim.url, replicaId as string, 'error', 'sandbox exploded');
    const watched = await watching.done;
    expect(watched.code, watched.stderr).toBe(1);
    const lines = watched.stdout.trim().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d {2}started +item-0000$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/ failed +item-0000 +replica \S+ failed: sandbox exploded$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/ PR opened +item-0001 {2}https:\/\/github\.com\/acme\/api\/pull\/\d+$/),
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d ${id} finished: 5/5 done \\(100%\\) \\| succeeded 4, failed 1, running 0, pending 0 \\| PRs 4 \\|`,
      ),
    );
    expect(lines.filter((l) => l.includes(` ${id} `)).length).toBeGreaterThanOrEqual(3); // changes, not seconds
    expect(hasAnsi(watched.stdout + watched.stderr)).toBe(false);
  }, 120_000);

  it('item: the failure with its kept replica, a success with its PR, an unknown key named', async () => {
    const [failedText, failedJson, succeeded, unknown] = await Promise.all([
      runCli(['campaign', 'item', id, 'item-0000'], env()),
      runCli(['campaign', 'item', id, 'item-0000', '--json'], env()),
      runCli(['campaign', 'item', id, 'item-0001', '--json'], env()),
      runCli(['campaign', 'item', id, 'no-such-key'], env()),
    ]);
    expect(failedText.code).toBe(0);
    expect(failedText.stdout).toMatch(/^item item-0000 of campaign /);
    expect(failedText.stdout).toMatch(/state +failed \(run 1, wave 0\)/);
    expect(failedText.stdout).toMatch(/error +.*sandbox exploded/);
    expect(failedText.stdout).toMatch(
      /replica +\S+ \(error\) kept for inspection; 'replica-fleet campaign cleanup /,
    );
    const failed = ItemShape.parse(jsonOf(failedJson));
    expect(failed.record).toMatchObject({ state: 'failed', replicaKept: true, repository: 'acme/api' });
    expect(failed.replica?.status).toBe('error');
    const ok = ItemShape.parse(jsonOf(succeeded));
    expect(ok.record.state).toBe('succeeded');
    expect(ok.record.prs).toHaveLength(1);
    expect(ok.replicaNote).toMatch(/no longer exists/);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`campaign "${id}" has no item "no-such-key"`);
  }, 60_000);

  it('results in every format; the HTML report renders in headless Chromium with its chart and one row per item', async () => {
    const html = path.join(dir, 'report.html');
    const [table, json, failedOnly, csv, md, written, series, seriesCsv] = await Promise.all([
      runCli(['campaign', 'results', id], env()),
      runCli(['campaign', 'results', id, '--format', 'json'], env()),
      runCli(['campaign', 'results', id, '--state', 'failed', '--json'], env()),
      runCli(['campaign', 'results', id, '--format', 'csv'], env()),
      runCli(['campaign', 'results', id, '--format', 'md'], env()),
      runCli(['campaign', 'results', id, '--format', 'html', '--output', html], env()),
      runCli(['campaign', 'results', id, '--json', '--burndown'], env()),
      runCli(['campaign', 'results', id, '--format', 'csv', '--burndown'], env()),
    ]);
    for (const run of [table, json, failedOnly, csv, md, written, series, seriesCsv]) {
      expect(run.code, run.stderr).toBe(0);
      expect(hasAnsi(run.stdout + run.stderr)).toBe(false);
    }
    const tableLines = table.stdout.trimEnd().split('\n');
    expect(tableLines[0]).toMatch(
      /^ITEM +STATE +RUN +REPOSITORY +PULL REQUESTS +TIME +COST +ERROR \/ KEPT REPLICA$/,
    );
    expect(tableLines).toHaveLength(6);
    const records = ResultsShape.parse(jsonOf(json));
    expect(records).toHaveLength(5);
    for (const r of records.filter((r) => r.state === 'succeeded'))
      expect(r).toMatchObject({
        repository: 'acme/api',
        branch: expect.any(String),
        prs: [expect.stringMatching(/^https:/)],
      });
    expect(ResultsShape.parse(jsonOf(failedOnly)).map((r) => r.key)).toEqual(['item-0000']);
    const csvLines = csv.stdout.trimEnd().split('\r\n');
    expect(csvLines[0]).toBe(CSV_COLUMNS.join(','));
    expect(csvLines).toHaveLength(6);
    expect(md.stdout).toMatch(
      /^## Campaign \S+ — Upgrade the linter\n\nfinished: 5 items \(4 succeeded, 1 failed\); 4 PRs/,
    );
    expect(md.stdout.split('\n').filter((l) => /^\| item-/.test(l))).toHaveLength(5);
    expect(written.stderr).toContain(`wrote 5 item(s) as html to ${html}`);
    // This campaign does not follow its PRs on a code host: the burndown of what landed is empty.
    expect(BurndownShape.parse(jsonOf(series))).toEqual({ points: [], fixTurns: 0 });
    expect(seriesCsv.stdout).toBe('at_ms,opened,merged,closed,open_red,open_green,fix_turns\r\n');

    const screenshot = path.join(dir, 'report.png');
    const dom = await renderPage(html, screenshot);
    expect(dom.match(/<tr data-state="[a-z_]+"/g)).toHaveLength(5);
    expect(dom).toContain('<span id="shown">5 of 5 items shown</span>'); // written by the page's script
    const areas = [...dom.matchAll(/<path class="area" data-state="([a-z_]+)"[^>]* d="M[^"]+Z"/g)].map(
      (m) => m[1],
    );
    expect(areas).toEqual(expect.arrayContaining(['succeeded', 'failed']));
    expect(existsSync(screenshot) && statSync(screenshot).size).toBeGreaterThan(20_000);
  }, 120_000);

  it("status, watch and list as JSON; a retry runs on a new replica; cleanup deletes the failed run's replica once and the record stops naming it", async () => {
    const [status, watch, list] = await Promise.all([
      runCli(['campaign', 'status', id, '--json'], env()),
      runCli(['campaign', 'watch', id, '--json'], env()),
      runCli(['campaign', 'list', '--prefix', id, '--json'], env()),
    ]);
    expect(ProgressShape.parse(jsonOf(status))).toMatchObject({
      campaignId: id,
      name: 'Upgrade the linter',
      state: 'finished',
      counts: { succeeded: 4, failed: 1 },
    });
    expect(watch.code).toBe(1); // it ended with a failed item
    const samples = watch.stdout
      .trim()
      .split('\n')
      .map((l) => WatchSampleShape.parse(JSON.parse(l)));
    expect(samples).toHaveLength(1);
    expect(samples[0]?.progress.state).toBe('finished');
    expect(ListShape.parse(jsonOf(list))).toEqual([
      expect.objectContaining({
        campaignId: id,
        state: 'finished',
        workflowStatus: 'RUNNING',
        total: 5,
        prsOpened: 4,
        specFile,
        owner: expect.stringContaining('@'),
      }),
    ]);
    const [failed] = ResultsShape.parse(
      jsonOf(await runCli(['campaign', 'results', id, '--state', 'failed', '--format', 'json'], env())),
    );
    expect(failed).toMatchObject({ key: 'item-0000', replicaKept: true });
    // The retry runs on a new replica (and succeeds); the failed run's replica stays on record.
    const retried = await runCli(['campaign', 'retry-failed', id], env());
    expect(retried.code, retried.stderr).toBe(0);
    await t.h.settle(id, (p) => p.counts.succeeded === 5);
    const [rerun] = ResultsShape.parse(
      jsonOf(await runCli(['campaign', 'results', id, '--state', 'succeeded', '--format', 'json'], env())),
    ).filter((r) => r.key === 'item-0000');
    expect(rerun).toMatchObject({ attempt: 2, earlierReplicas: [failed?.replicaId] });
    expect(rerun?.replicaId).not.toBe(failed?.replicaId);

    const cleaned = await runCli(['campaign', 'cleanup', id, '--json'], env());
    expect(cleaned.code, cleaned.stderr).toBe(0);
    const report = CleanupShape.parse(jsonOf(cleaned));
    expect(report.deleted).toEqual([{ key: 'item-0000', replicaId: failed?.replicaId }]);
    expect(report.alreadyGone).toEqual([]);
    expect(report.recordsUpdated).toBe(1);
    await expect(t.h.client.getReplica(failed?.replicaId as string)).rejects.toMatchObject({ status: 404 });
    const [record] = ResultsShape.parse(
      jsonOf(await runCli(['campaign', 'results', id, '--state', 'succeeded', '--format', 'json'], env())),
    ).filter((r) => r.key === 'item-0000');
    expect(record?.earlierReplicas).toBeUndefined();
    const again = CleanupShape.parse(jsonOf(await runCli(['campaign', 'cleanup', id, '--json'], env())));
    expect(again).toMatchObject({ deleted: [], alreadyGone: [], recordsUpdated: 0 });
  }, 60_000);

  it('Ctrl-C stops watching and leaves the campaign running; cancel ends it, and watch then exits 0', async () => {
    const slow = uniqueTaskQueue('slow');
    const file = writeSpec(path.join(dir, 'slow.yaml'), t.h.items(2, 'acme/web'), 'concurrency: 2\n');
    // Turns that outlast the test: only the cancel ends these items.
    await t.h.withSim({ timings: { turnMs: 600_000 } }, async () => {
      const applied = await runCli(['campaign', 'apply', file, '--id', slow], env());
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toBe(
        `campaign ${slow} created: +2 new, 0 kept, 0 retried, 0 updated, 0 pruned\n`,
      );
      await t.h.settle(slow, (p) => p.counts.running === 2);
      const watching = startCli(['campaign', 'watch', slow], env());
      await eventually(async () => watching.output().stdout.includes(`${slow} running`), 30_000);
      watching.child.kill('SIGINT');
      const stopped = await watching.done;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain(`stopped watching; campaign ${slow} carries on`);
      expect((await t.h.progress(slow)).state).toBe('running');

      const cancelled = await runCli(['campaign', 'cancel', slow, '--json'], env());
      expect(ProgressShape.parse(jsonOf(cancelled)).state).toBe('cancelled');
      const ended = await runCli(['campaign', 'watch', slow], env());
      expect(ended.code).toBe(0);
      expect(ended.stdout.trim().split('\n').at(-1)).toMatch(/ cancelled: 2\/2 done .*cancelled 2/);
    });
  }, 120_000);

  it('apply --wait shows the live view on stderr and every item on stdout', async () => {
    const quick = uniqueTaskQueue('quick');
    const file = writeSpec(path.join(dir, 'quick.yaml'), t.h.items(2, 'acme/docs'));
    const run = await runCli(['campaign', 'apply', file, '--id', quick, '--wait'], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`${quick} finished: 2/2 done \\(100%\\) \\| succeeded 2`));
    expect(hasAnsi(run.stdout + run.stderr)).toBe(false);
    const out = run.stdout.trimEnd().split('\n');
    expect(out[0]).toBe(`campaign ${quick} created: +2 new, 0 kept, 0 retried, 0 updated, 0 pruned`);
    expect(out.slice(1).filter((l) => /^item-000\d +succeeded/.test(l))).toHaveLength(2);

    const json = await runCli(
      ['campaign', 'apply', file, '--id', `${quick}-json`, '--wait', '--json'],
      env(),
    );
    expect(json.code, json.stderr).toBe(0);
    expect(ApplyShape.parse(jsonOf(json))).toMatchObject({
      created: true,
      progress: { state: 'finished', counts: { succeeded: 2 } },
    });
  }, 60_000);

  it('an unknown campaign is named, and an unreachable Temporal names the address and the fix', async () => {
    const [unknown, unreachable] = await Promise.all([
      runCli(['campaign', 'status', 'no-such-campaign'], env()),
      runCli(['campaign', 'status', id], { ...env(), TEMPORAL_ADDRESS: '127.0.0.1:9' }),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `no campaign "no-such-campaign" in this namespace; 'replica-fleet campaign list' shows the campaigns`,
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /cannot reach Temporal at 127\.0\.0\.1:9 \(TEMPORAL_ADDRESS\): .+; start one with 'replica-fleet dev' or set TEMPORAL_ADDRESS/,
    );
  }, 60_000);

  it('schedules: create, list, describe, pause, unpause, trigger (its run listed by prefix), delete; unknown ids named', async () => {
    const schedule = uniqueTaskQueue('nightly');
    const file = writeSpec(
      path.join(dir, 'nightly.yaml'),
      t.h.items(1, 'acme/infra'),
      'name: Nightly lint\n',
    );
    const created = await runCli(
      ['campaign', 'schedule', 'create', file, '--id', schedule, '--cron', '0 2 * * *'],
      env(),
    );
    expect(created.code, created.stderr).toBe(0);
    const listed = ScheduleShape.array().parse(
      jsonOf(await runCli(['campaign', 'schedule', 'list', '--json'], env())),
    );
    expect(listed.find((s) => s.scheduleId === schedule)).toMatchObject({
      name: 'Nightly lint',
      paused: false,
      cron: ['0 2 * * *'],
      specFile: file,
      nextRuns: [expect.stringMatching(/T02:00:00\.000Z$/), ...Array(4).fill(expect.any(String))],
    });
    expect((await runCli(['campaign', 'schedule', 'pause', schedule], env())).stdout).toBe(
      `schedule ${schedule} paused\n`,
    );
    const described = ScheduleDescriptionShape.parse(
      jsonOf(await runCli(['campaign', 'schedule', 'describe', schedule, '--json'], env())),
    );
    expect(described).toMatchObject({
      paused: true,
      overlap: 'skip',
      catchupWindowMs: 3_600_000,
      runsTaken: 0,
    });
    expect((await runCli(['campaign', 'schedule', 'unpause', schedule], env())).code).toBe(0);
    expect((await runCli(['campaign', 'schedule', 'trigger', schedule], env())).code).toBe(0);
    // The harness's workers poll only its own (non-default) queues: the run finishes only if the
    // schedule carried the workflow and API queues the CLI was given.
    await eventually(async () => {
      const runs = ListShape.parse(
        jsonOf(await runCli(['campaign', 'list', '--prefix', `${schedule}-run`, '--json'], env())),
      );
      return runs.length === 1 && runs[0]?.state === 'finished';
    }, 60_000);
    const text = await runCli(['campaign', 'schedule', 'describe', schedule], env());
    expect(text.stdout).toMatch(
      new RegExp(`^schedule +${schedule} \\(Nightly lint\\)\nstate +active\nwhen +cron "0 2 \\* \\* \\*"`),
    );
    expect(text.stdout).toMatch(new RegExp(`recent +\\S+ \\S+ UTC +${schedule}-run-`));
    expect((await runCli(['campaign', 'schedule', 'delete', schedule], env())).code).toBe(0);
    const gone = await runCli(['campaign', 'schedule', 'describe', schedule], env());
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(
      `no schedule "${schedule}" in this namespace; 'replica-fleet campaign schedule list' shows the schedules`,
    );
  }, 120_000);

  it('replicas: list, get, send, follow events, wake, delete; an API refusal exits 1 with its words', async () => {
    const { replica } = await t.h.client.createReplica({
      name: uniqueTaskQueue('hands-on'),
      message: 'look around',
      environment_id: t.h.environmentFor('acme/web'),
    });
    await eventually(
      async () => (await t.h.client.getReplica(replica.id)).replica.chats?.[0]?.processing === false,
    );
    const [list, get, getText] = await Promise.all([
      runCli(['replicas', 'list', '--json'], env()),
      runCli(['replicas', 'get', replica.id, '--json'], env()),
      runCli(['replicas', 'get', replica.id], env()),
    ]);
    expect((jsonOf(list) as { id: string }[]).map((r) => r.id)).toContain(replica.id);
    expect(jsonOf(get)).toMatchObject({
      id: replica.id,
      status: 'active',
      lastChatMessage: { text: 'look around' },
    });
    expect(getText.stdout).toMatch(new RegExp(`^replica +${replica.id} \\(`));
    expect(getText.stdout).toMatch(/\nlast message +look around/);

    const following = startCli(['replicas', 'events', replica.id, '--count', '2', '--json'], env());
    await eventually(async () => following.output().stdout.includes('"type"'), 30_000); // the stream is open
    const sent = await runCli(['replicas', 'send', replica.id, 'what did you change?'], env());
    expect(sent.stdout).toMatch(/^sent \(chat \S+\)$/m);
    const events = await following.done;
    expect(events.code, events.stderr).toBe(0);
    const types = events.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toHaveLength(2);

    await forceState(t.h.sim.url, replica.id, 'sleeping');
    const asleep = await runCli(['replicas', 'events', replica.id], env());
    expect(asleep.code).toBe(1);
    expect(asleep.stderr).toMatch(/409 conflict.*asleep or in error.*'replica-fleet replicas wake /);
    expect((await runCli(['replicas', 'wake', replica.id], env())).stdout).toMatch(/^wake requested for /);
    expect((await runCli(['replicas', 'delete', replica.id], env())).stdout).toBe(`deleted ${replica.id}\n`);
    const gone = await runCli(['replicas', 'get', replica.id], env());
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/404 not_found/);
  }, 120_000);

  it('replicas repos: each repository with the environment bound to it, --match by the targets rule, a broken glob refused', async () => {
    const [text, json, matched, broken] = await Promise.all([
      runCli(['replicas', 'repos'], env()),
      runCli(['replicas', 'repos', '--json'], env()),
      runCli(['replicas', 'repos', '--match', 'acme/{api,legacy}'], env()),
      runCli(['replicas', 'repos', '--match', 'acme/{api'], env()),
    ]);
    for (const run of [text, json, matched]) expect(run.code, run.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY +DEFAULT BRANCH +ENVIRONMENTS$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual([
      'acme/api',
      'acme/web',
      'acme/infra',
      'acme/docs',
      'acme/legacy',
    ]);
    expect(lines[1]).toMatch(
      new RegExp(`^acme/api +main +acme/api \\(${t.h.environmentFor('acme/api')}\\)$`),
    );
    expect(lines[5]).toMatch(/^acme\/legacy +main +none bound$/);
    expect(text.stderr).toBe('5 repositories, 1 with no environment bound\n');
    const repositories = RepositoriesShape.parse(jsonOf(json));
    expect(repositories.find((r) => r.name === 'acme/web')?.environments).toEqual([
      { id: t.h.environmentFor('acme/web'), name: 'acme/web' },
    ]);
    expect(repositories.find((r) => r.name === 'acme/legacy')?.environments).toEqual([]);
    expect(
      matched.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/ +/)[0]),
    ).toEqual(['acme/api', 'acme/legacy']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /--match "acme\/\{api" has a "\{" at character 6 that is never closed; close it, e.g. "acme\/\{api\}"/,
    );
  }, 60_000);

  it('targets that cannot silently vanish: validate refuses a misread glob; plan and apply refuse one matching nothing, naming what there is, and start nothing; --allow-empty goes ahead', async () => {
    const spec = (name: string, glob: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, `message: fix {{repository}}\ntargets: { repositories: "${glob}" }\n`);
      return file;
    };
    const broken = spec('broken-glob.yaml', 'acme/{api,web');
    const none = spec('no-match.yaml', 'acme/*-svc');
    const refusedId = uniqueTaskQueue('refused');
    const emptyId = uniqueTaskQueue('empty');
    const [validated, planned, applied] = await Promise.all([
      runCli(['campaign', 'validate', broken], env()),
      runCli(['campaign', 'plan', none], env()),
      runCli(['campaign', 'apply', none, '--id', refusedId, '--wait'], env()),
    ]);
    expect(validated.code).toBe(2);
    expect(validated.stderr).toContain(
      'targets.repositories: "acme/{api,web" has a "{" at character 6 that is never closed; close it, e.g. "acme/{api,web}"',
    );
    for (const run of [planned, applied]) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(
        'targets.repositories: no repository matches "acme/*-svc"; names look like: acme/api, acme/web, acme/infra, acme/docs, acme/legacy (5 in all); fix the glob',
      );
      expect(run.stderr).toContain('pass --allow-empty');
      expect(run.stdout).toBe('');
    }
    await expect(t.env.client.workflow.getHandle(refusedId).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );

    const [plannedEmpty, appliedEmpty] = await Promise.all([
      runCli(['campaign', 'plan', none, '--allow-empty', '--json'], env()),
      runCli(['campaign', 'apply', none, '--id', emptyId, '--allow-empty', '--wait', '--json'], env()),
    ]);
    expect(plannedEmpty.code, plannedEmpty.stderr).toBe(0);
    const plan = PlanShape.parse(jsonOf(plannedEmpty));
    expect(plan.items.total).toBe(0);
    expect(plan.targets?.repositories).toEqual([]);
    expect(plan.durationMinutes.min).toBeLessThanOrEqual(plan.durationMinutes.max);
    expect(appliedEmpty.code, appliedEmpty.stderr).toBe(0);
    expect(ApplyShape.parse(jsonOf(appliedEmpty))).toMatchObject({
      campaignId: emptyId,
      created: true,
      progress: { state: 'finished', total: 0 },
    });
  }, 120_000);

  it('plan: items without Temporal, targets resolved read-only, and --simulate on an embedded stack', async () => {
    const noTemporal = { ...env(), TEMPORAL_ADDRESS: '127.0.0.1:9' };
    const items = writeSpec(
      path.join(dir, 'plan.yaml'),
      t.h.items(3, 'acme/web'),
      'name: Planned\nconcurrency: 2\nbudgetUsd: 1\nestimatedMinutesPerItem: 20\nsize: large\n',
    );
    const [text, dryRun] = await Promise.all([
      runCli(['campaign', 'plan', items], noTemporal),
      runCli(['campaign', 'apply', items, '--dry-run', '--json'], noTemporal),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^plan for Planned \(nothing was started\):\nitems +3 to run\n/);
    expect(text.stdout).toMatch(/\nspend +projected \$0\.960, likely \$0\.480 – \$1\.44; at most \$69\.12/);
    expect(text.stdout).toMatch(/\nbudget +\$1\.00: covers every item at the estimate/);
    const plan = PlanShape.parse(jsonOf(dryRun));
    expect(plan).toMatchObject({
      name: 'Planned',
      items: { run: 3 },
      concurrency: 2,
      durationMinutes: { min: 20, max: 60 },
    });

    const targets = path.join(dir, 'targets.yaml');
    const template = t.h.sim.organisations()[0]?.global_environment_id as string;
    writeFileSync(
      targets,
      `message: fix {{repository}}\ntargets: { repositories: "acme/*", templateEnvironment: ${template} }\n`,
    );
    let resolved: CliRun | undefined;
    const calls = await t.h.callsDuring(async () => {
      resolved = await runCli(['campaign', 'plan', targets, '--json'], noTemporal);
    });
    const preview = PlanShape.parse(jsonOf(resolved as CliRun));
    expect(preview.items).toEqual({ total: 5, run: 5, skipped: 0, environmentsToCreate: 1 });
    expect(preview.targets?.repositories.find((r) => r.repository === 'acme/legacy')).toMatchObject({
      action: 'create_environment',
    });
    expect(Object.keys(calls).every((endpoint) => endpoint.startsWith('GET '))).toBe(true);

    const simulated = await runCli(['campaign', 'plan', items, '--simulate', '--json'], env());
    expect(simulated.code, simulated.stderr).toBe(0);
    const outcome = PlanShape.parse(jsonOf(simulated)).simulation;
    expect(outcome?.progress).toMatchObject({ counts: { succeeded: 3 } });
    // The simulated run follows its PRs on the stack's GitHub stand-in: tracking while any is open.
    expect(outcome?.progress.pullRequests).toBeDefined();
    expect(['tracking', 'finished']).toContain(outcome?.progress.state);
    expect(outcome?.apiCalls.byEndpoint['POST /v1/replica']).toBe(3);
  }, 180_000);
});
