import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastAgentText } from '../../src/activities/agent-messages';
import { eventually } from '../support/eventually';
import { startSimWithClient } from '../support/simulator';

/**
 * The agent's last answer, read from a workspace's history as each coding agent writes it: a
 * follow-up we sent (the last event while its turn runs) is ours, not the agent's answer.
 */
describe("the agent's last answer in a chat history, on the simulator", () => {
  let s: Awaited<ReturnType<typeof startSimWithClient>>;
  beforeAll(async () => {
    s = await startSimWithClient();
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each(['claude', 'codex', 'cursor', 'opencode'] as const)(
    '%s: the answer to the first turn, not the follow-up sent after it',
    async (agent) => {
      const { replica } = await s.client.createReplica({
        name: `answer-${agent}`,
        message: 'Upgrade the linter in acme/api',
        environment_id: s.environmentFor('acme/api'),
        coding_agent: agent,
      });
      const turnDone = async () => {
        const { replica: now } = await s.client.getReplica(replica.id);
        return (
          now.status === 'active' && (now.chats ?? []).length > 0 && !now.chats?.some((c) => c.processing)
        );
      };
      await eventually(turnDone, 10_000);
      const answered = lastAgentText((await s.client.getHistory(replica.id)).events);
      expect(answered).toMatch(/^Done: Upgrade the linter in acme\/api\./);

      // The follow-up's turn outlasts the test: the history ends with our message.
      s.sim.configure({ timings: { turnMs: 600_000 } });
      try {
        await s.client.sendMessage(replica.id, { message: 'Why did the tests fail? (follow-up)' });
        const { events } = await s.client.getHistory(replica.id);
        expect(lastAgentText(events)).toBe(answered);
        expect(JSON.stringify(events)).toContain(agent === 'cursor' ? 'Done:' : 'Why did the tests fail?');
      } finally {
        s.sim.configure({ timings: { turnMs: 80 } });
      }
    },
  );
});
