import { round } from '../../process-usage';

/**
 * What one would write instead of following PRs by webhook: every few minutes, for every PR, GET the
 * pull (for its state and head), the head's check runs and combined status, and the reviews — four
 * REST requests a PR — with at most `concurrency` in flight. One full cycle, run for real.
 */
export async function naivePollCycle(
  apiUrl: string,
  token: string,
  prs: readonly { repository: string; number: number }[],
  concurrency: number,
) {
  let requests = 0;
  let failed = 0;
  const get = async (path: string) => {
    requests += 1;
    const answer = await fetch(`${apiUrl}${path}`, {
      headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json' },
    });
    if (!answer.ok) failed += 1;
    return (await answer.json()) as Record<string, unknown>;
  };
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, prs.length) }, async () => {
      for (let i = next++; i < prs.length; i = next++) {
        const { repository, number } = prs[i] as { repository: string; number: number };
        const pull = await get(`/repos/${repository}/pulls/${number}`);
        const sha = (pull.head as { sha?: string } | undefined)?.sha ?? '';
        await get(`/repos/${repository}/commits/${sha}/check-runs`);
        await get(`/repos/${repository}/commits/${sha}/status`);
        await get(`/repos/${repository}/pulls/${number}/reviews`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { prs: prs.length, concurrency, requests, failed, cycleSeconds: round(seconds) };
}
