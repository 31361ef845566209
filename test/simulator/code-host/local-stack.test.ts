import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import { useJobHarness } from '../../support/job-harness';

describe('the local stack runs the code host beside the Replicas simulator (real Temporal)', () => {
  const t = useJobHarness({ webhooks: true, sim: { behaviour: { prProbability: 1 } } });

  it('a job’s PR is on the code host at GITHUB_API_URL with GITHUB_TOKEN; its deliveries go to the ingress’s /github, signed with GITHUB_WEBHOOK_SECRET', async () => {
    const { GITHUB_API_URL, GITHUB_TOKEN, GITHUB_WEBHOOK_SECRET } = t.h.githubEnv;
    expect(GITHUB_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const result = await t.h.run(t.h.input());
    const url = result.prs[0]?.url as string;
    const number = Number(/\/pull\/(\d+)$/.exec(url)?.[1]);

    const res = await fetch(`${GITHUB_API_URL}/repos/acme/api/pulls/${number}`, {
      headers: { authorization: `token ${GITHUB_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ number, html_url: url, state: 'open' });

    const codeHost = t.h.sim.codeHost;
    await eventually(async () => codeHost.deliveries().some((d) => d.body.includes(`"number":${number}`)));
    expect(codeHost.stats().webhooks.sent).toBeGreaterThan(0);
    for (const delivery of codeHost.deliveries()) {
      const expected = `sha256=${createHmac('sha256', GITHUB_WEBHOOK_SECRET).update(delivery.body).digest('hex')}`;
      expect(delivery.headers['x-hub-signature-256']).toBe(expected);
    }
    expect(new Set(codeHost.deliveries().map((d) => d.url))).toEqual(new Set([`${t.h.ingress?.url}/github`]));
  });
});
