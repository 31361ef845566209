import { z } from 'zod';
import { Timestamp, loose } from './common';

/**
 * The payloads of `GET /v1/replica/{id}/events` (OpenAPI `EngineEvent`), by `type`. Loose like every
 * response: the engine adds fields over time. Unknown event types still arrive as the envelope
 * (`ReplicaStreamEvent`); these schemas are for reading the documented ones.
 */
const running = { running: z.boolean(), completed: z.boolean() };

export const EngineChatSummary = loose({
  id: z.string(),
  provider: z.string(),
  title: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  processing: z.boolean(),
  awaitingInput: z.boolean().optional(),
  parentChatId: z.string().nullable(),
  lastMessageText: z.string().nullable().optional(),
});
export type EngineChatSummary = z.infer<typeof EngineChatSummary>;

export const EngineRepoState = loose({
  name: z.string(),
  path: z.string(),
  defaultBranch: z.string(),
  currentBranch: z.string(),
  /** Every PR the workspace opened in this repository. */
  prUrls: z.array(z.string()),
  gitDiff: loose({
    added: z.number().int(),
    removed: z.number().int(),
    fullDiff: z.string().optional(),
  }).nullable(),
  startHooksCompleted: z.boolean(),
  provider: z.enum(['github', 'gitlab']).optional(),
});
export type EngineRepoState = z.infer<typeof EngineRepoState>;

export const EngineStatusSnapshot = loose({
  uptimeSeconds: z.number(),
  hasActiveSSHSessions: z.boolean(),
  activeSseClients: z.number().int(),
  chatsTotal: z.number().int(),
  chatsProcessing: z.number().int(),
  reposTotal: z.number().int(),
  hooksRunning: z.boolean(),
  desktopReady: z.boolean().optional(),
});
export type EngineStatusSnapshot = z.infer<typeof EngineStatusSnapshot>;

/** The documented event types and their payloads. */
export const EngineEventPayloads = {
  'engine.ready': loose({ version: z.string() }),
  'engine.status.changed': loose({ status: EngineStatusSnapshot }),
  'repo.discovered': loose({ repos: z.array(EngineRepoState) }),
  'repo.status.changed': loose({ repos: z.array(EngineRepoState) }),
  'chat.created': loose({ chat: EngineChatSummary, clientRequestId: z.string().optional() }),
  'chat.updated': loose({ chat: EngineChatSummary }),
  'chat.deleted': loose({ chatId: z.string() }),
  'chat.turn.accepted': loose({
    chatId: z.string(),
    messageId: z.string(),
    queued: z.boolean(),
    /** 0 when the message is processed at once. */
    position: z.number().int(),
  }),
  'chat.turn.started': loose({ chatId: z.string(), messageId: z.string() }),
  /** `event` is the agent's own event, the same item the chat history keeps. */
  'chat.turn.delta': loose({
    chatId: z.string(),
    event: loose({ timestamp: Timestamp, type: z.string(), payload: z.unknown() }),
  }),
  /** `isComplete` is false when the turn was interrupted or errored. */
  'chat.turn.completed': loose({ chatId: z.string(), isComplete: z.boolean() }),
  'chat.interrupted': loose({ chatId: z.string(), interrupted: z.boolean(), queue: z.array(z.string()) }),
  'hooks.started': loose(running),
  'hooks.progress': loose(running),
  'hooks.completed': loose(running),
  'hooks.failed': loose(running),
  'hooks.status': loose(running),
  'preview.changed': loose({
    previews: z.array(loose({ port: z.number().int(), publicUrl: z.string(), createdAt: Timestamp })),
  }),
  error: loose({ code: z.string(), message: z.string(), details: z.string().optional() }),
} as const;

export type EngineEventType = keyof typeof EngineEventPayloads;
export type EngineEventPayload<T extends EngineEventType> = z.input<(typeof EngineEventPayloads)[T]>;
export const ENGINE_EVENT_TYPES = Object.keys(EngineEventPayloads) as EngineEventType[];

const envelope = <T extends EngineEventType>(type: T) =>
  loose({ id: z.string(), ts: Timestamp, type: z.literal(type), payload: EngineEventPayloads[type] });

/** One documented event of the stream, discriminated by `type`. */
export const EngineEvent = z.discriminatedUnion(
  'type',
  ENGINE_EVENT_TYPES.map(envelope) as unknown as [
    ReturnType<typeof envelope>,
    ...ReturnType<typeof envelope>[],
  ],
);
export type EngineEvent = {
  [T in EngineEventType]: {
    id: string;
    ts: string;
    type: T;
    payload: z.infer<(typeof EngineEventPayloads)[T]>;
  };
}[EngineEventType];
