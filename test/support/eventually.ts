/**
 * Re-checks a condition until it holds, bounded in time: for state that changes without an event a
 * test could await (e.g. a workflow query).
 */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  describe: () => unknown = () => '',
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms ${JSON.stringify(describe())}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
