import type { SendMessageInput } from '../contracts';
import { ReplicasApiError, type ReplicasClient } from '../replicas';
import { toApplicationFailure } from './failures';

/** Allowed disagreement between this worker's clock and the platform's. */
const CLOCK_SKEW_MS = 5_000;

type Reader = Pick<ReplicasClient, 'getReplica' | 'getHistory' | 'getQueue'>;

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    : [];
}

/** An engine-proxy read of a workspace that sleeps, errs or vanished meanwhile tells us nothing. */
async function orNothing<T>(call: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ReplicasApiError && (error.kind === 'conflict' || error.kind === 'not_found'))
      return undefined;
    throw toApplicationFailure(call, error);
  }
}

/**
 * Whether this turn's message already reached the workspace, so a retried send does not deliver it
 * twice. The message carries the turn's marker as its sender id; the platform records senders in the
 * chat history (`senders[]`) and in queued messages (`senderUserId`). Where no sender is recorded, the
 * status's preview of the latest input message (`lastChatMessage`) decides, if it is this text and
 * not older than this turn's first send.
 */
export async function findSentMessage(
  client: Reader,
  input: Pick<SendMessageInput, 'replicaId' | 'message' | 'marker' | 'sinceMs'>,
): Promise<{ chatId?: string } | undefined> {
  const details = await orNothing('getReplica', () => client.getReplica(input.replicaId));
  if (!details) return undefined;
  const since = input.sinceMs - CLOCK_SKEW_MS;
  const chats = [...(details.replica.chats ?? [])]
    .filter((chat) => Date.parse(chat.updated_at) >= since)
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  for (const chat of chats) {
    const history = await orNothing('getHistory', () =>
      client.getHistory(input.replicaId, { chat_id: chat.id, limit: 20 }),
    );
    const senders = records((history as { senders?: unknown } | undefined)?.senders);
    if (senders.some((sender) => sender.senderUserId === input.marker)) return { chatId: chat.id };
    if (chat.processing) {
      const queue = await orNothing('getQueue', () => client.getQueue(input.replicaId, chat.id));
      const queued = records(queue?.queue);
      if (queued.some((item) => item.senderUserId === input.marker)) return { chatId: chat.id };
    }
  }
  const last = (details.replica as { lastChatMessage?: { text?: unknown; timestamp?: unknown } | null })
    .lastChatMessage;
  const preview = typeof last?.text === 'string' ? last.text : '';
  const at = typeof last?.timestamp === 'string' ? Date.parse(last.timestamp) : Number.NaN;
  if (preview.length > 0 && input.message.startsWith(preview) && at >= since) return {};
  return undefined;
}
