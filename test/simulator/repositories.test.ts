import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIM_API_KEY } from '../../src/simulator';
import { killCli, runCli, startCli, type RunningCli } from '../cli/cli-child';
import { RepositoriesShape } from '../cli/json-shapes';
import { makeAjv } from '../replicas/openapi-copy';
import { eventually } from '../support/eventually';
import { startSimWithClient } from '../support/simulator';

const FIRST_FIVE = ['acme/api', 'acme/web', 'acme/infra', 'acme/docs', 'acme/legacy'];

/** The 200 answer of List Repositories, as the OpenAPI copy documents it: every repository, no pages. */
const listRepositoriesAnswer = makeAjv().compile({
  $ref: 'openapi#/paths/~1v1~1replica~1repositories/get/responses/200/content/application~1json/schema',
});

async function listRepositories(url: string) {
  const res = await fetch(`${url}/v1/replica/repositories`, {
    headers: { authorization: `Bearer ${DEFAULT_SIM_API_KEY}` },
  });
  return { status: res.status, body: (await res.json()) as { repositories: { name: string }[] } };
}

describe("the simulator's repositories: how many is a knob, so a glob over hundreds can be rehearsed", () => {
  const running: RunningCli[] = [];
  afterAll(async () => {
    for (const sim of running) await killCli(sim);
  });

  it('`sim --set repositories.count=300` serves 300 repositories in the documented answer, every fifth unbound; `replicas repos` shows them', async () => {
    const sim = startCli(['sim', '--port', '0', '--set', 'repositories.count=300']);
    running.push(sim);
    await eventually(
      async () => /listening on http:\/\/\S+/.test(sim.output().stdout) || sim.child.exitCode !== null,
      60_000,
    );
    expect(sim.output().stderr).toBe('');
    const url = /listening on (http:\/\/\S+)/.exec(sim.output().stdout)?.[1] as string;

    const answer = await listRepositories(url);
    expect(answer.status).toBe(200);
    expect(listRepositoriesAnswer(answer.body), JSON.stringify(listRepositoriesAnswer.errors)).toBe(true);
    const names = answer.body.repositories.map((r) => r.name);
    expect(names).toHaveLength(300);
    expect(new Set(names).size).toBe(300);
    expect(names.slice(0, 6)).toEqual([...FIRST_FIVE, 'acme/service-001']);
    expect(names.at(-1)).toBe('acme/service-295');

    const env = { REPLICAS_API_URL: url, REPLICAS_API_KEY: DEFAULT_SIM_API_KEY };
    const [json, matched] = await Promise.all([
      runCli(['replicas', 'repos', '--json'], env),
      runCli(['replicas', 'repos', '--match', 'acme/service-00[1-6]'], env),
    ]);
    expect(json.code, json.stderr).toBe(0);
    const listed = RepositoriesShape.parse(JSON.parse(json.stdout));
    expect(listed.map((r) => r.name)).toEqual(names);
    const unbound = listed.filter((r) => r.environments.length === 0).map((r) => r.name);
    expect(unbound).toEqual(names.filter((_, i) => i % 5 === 4));
    expect(unbound).toHaveLength(60);
    expect(json.stderr).toBe('300 repositories, 60 with no environment bound\n');
    for (const r of listed.filter((r) => r.environments.length))
      expect(r.environments).toEqual([{ id: expect.any(String), name: r.name }]);

    expect(matched.code, matched.stderr).toBe(0);
    const lines = matched.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY +DEFAULT BRANCH +ENVIRONMENTS$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(
      ['001', '002', '003', '004', '005', '006'].map((n) => `acme/service-${n}`),
    );
    expect(lines[5]).toMatch(/^acme\/service-005 +main +none bound$/); // the tenth repository
    expect(lines[6]).toMatch(/^acme\/service-006 +main +acme\/service-006 \([0-9a-f-]{36}\)$/);
  }, 120_000);

  it('a count out of range or a misspelt knob stops `sim` at start, naming it (exit 2)', async () => {
    // Started in the background: a simulator that took the flags would serve until killed.
    const starts = [
      startCli(['sim', '--port', '0', '--set', 'repositories.count=100000']),
      startCli(['sim', '--port', '0', '--set', 'timings.turnMS=5']),
    ] as const;
    running.push(...starts);
    await eventually(
      async () => starts.every((s) => s.child.exitCode !== null),
      30_000,
      () => starts.map((s) => s.output()),
    );
    const [tooMany, misspelt] = await Promise.all([starts[0].done, starts[1].done]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/repositories\.count: must be at most 5000/);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/timings: Unrecognized key: "turnMS"/);
  }, 60_000);

  it('`sim --help` documents the knob; by default the same five as always; a running simulator takes a new count at POST /__sim/reset', async () => {
    const help = await runCli(['sim', '--help']);
    expect(help.stdout).toMatch(
      /\n {2}repositories\.count {2}repositories of each organisation .* \(default 5\)\n/,
    );
    const h = await startSimWithClient();
    try {
      const { repositories } = await h.client.listRepositories();
      expect(repositories.map((r) => r.name)).toEqual(FIRST_FIVE);
      const { environments } = await h.client.environments.list();
      const bound = repositories.filter((r) => environments.some((e) => e.repository_id === r.id));
      expect(bound.map((r) => r.name)).toEqual(FIRST_FIVE.slice(0, 4));

      const post = (path: string, body?: unknown) =>
        fetch(`${h.sim.url}${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) });
      expect((await post('/__sim/config', { repositories: { count: 1200 } })).status).toBe(200);
      expect((await listRepositories(h.sim.url)).body.repositories).toHaveLength(5); // until the reset
      await post('/__sim/reset');
      const names = (await listRepositories(h.sim.url)).body.repositories.map((r) => r.name);
      expect(names).toHaveLength(1200);
      expect(names.slice(5, 7)).toEqual(['acme/service-0001', 'acme/service-0002']); // wider past 999
      expect((await post('/__sim/config', { repositories: { count: -1 } })).status).toBe(400);
    } finally {
      await h.close();
    }
  }, 60_000);
});
