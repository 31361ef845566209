import { z } from 'zod';
import {
  CodingAgent,
  ImageInput,
  LifecyclePolicy,
  Pagination,
  PageQuery,
  ReplicaSize,
  ReplicaSource,
  ReplicaStatus,
  ThinkingLevel,
  Timestamp,
  Uuid,
  loose,
} from './common';
import { WorkspaceConfig } from './workspace-config';

export const Repository = loose({ id: Uuid, name: z.string(), url: z.string(), default_branch: z.string() });
export const RepositoriesResponse = loose({ repositories: z.array(Repository) });
export const RepositorySetsResponse = loose({
  repository_sets: z.array(
    loose({
      id: Uuid,
      name: z.string(),
      description: z.string().nullable(),
      repositories: z.array(Repository),
    }),
  ),
});

export const WebhookTarget = z.union([
  z.url({ error: 'must be an http(s) URL' }),
  z.object({ url: z.url({ error: 'must be an http(s) URL' }), secret: z.string().min(1).optional() }),
]);

export const CreateReplicaRequest = z
  .object({
    name: z
      .string()
      .min(1, 'is required')
      .regex(/^\S+$/, 'must not contain whitespace (e.g. fix-auth-bug, not "fix auth bug")'),
    message: z.string().min(1, 'is required: the initial message to the coding agent'),
    environment_id: Uuid.optional(),
    repository_set_id: Uuid.optional(),
    repository_ids: z.array(Uuid).optional(),
    coding_agent: CodingAgent.optional(),
    model: z.string().min(1).optional(),
    images: z.array(ImageInput).optional(),
    lifecycle_policy: LifecyclePolicy.optional(),
    config: WorkspaceConfig.optional(),
    plan_mode: z.boolean().optional(),
    goal_mode: z.boolean().optional(),
    fast_mode: z.boolean().optional(),
    thinking_level: ThinkingLevel.optional(),
    webhook_url: WebhookTarget.optional(),
    size: ReplicaSize.optional(),
  })
  .refine((body) => body.environment_id ?? body.repository_set_id ?? body.repository_ids?.length, {
    message: 'one of environment_id, repository_set_id or repository_ids is required',
    path: ['environment_id'],
  });
export type CreateReplicaRequest = z.input<typeof CreateReplicaRequest>;

export const PullRequestRef = loose({ repository: z.string(), number: z.number().int(), url: z.string() });

export const ReplicaListItem = loose({
  id: Uuid,
  name: z.string(),
  status: ReplicaStatus,
  source: ReplicaSource,
  created_at: Timestamp,
  last_activity_at: Timestamp.nullable(),
  repositories: z.array(loose({ id: Uuid, name: z.string(), url: z.string() })),
  pull_requests: z.array(PullRequestRef),
});
export type ReplicaListItem = z.infer<typeof ReplicaListItem>;

export const Chat = loose({
  id: z.string(),
  provider: z.string(),
  title: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
  processing: z.boolean(),
  /** Preview of the chat's most recent input message (the guide, "Check Status"). */
  lastMessageText: z.string().nullable().optional(),
});
export type Chat = z.infer<typeof Chat>;

export const RepositoryStatus = loose({
  repository: z.string(),
  branch: z.string().nullable(),
  default_branch: z.string().nullable().optional(),
  pr_urls: z.array(z.string()),
  start_hooks_completed: z.boolean().optional(),
  git_diff: z.unknown().optional(),
});

export const ReplicaDetails = ReplicaListItem.extend({
  coding_agent: z.string().nullable().optional(),
  repository_statuses: z.array(RepositoryStatus).optional(),
  waking: z.boolean().optional(),
  chats: z.array(Chat).optional(),
  environment: z.unknown().optional(),
  /** The most recent input message across the workspace's chats (the guide, "Check Status"). */
  lastChatMessage: loose({ text: z.string(), agent: z.string(), timestamp: Timestamp }).nullable().optional(),
});
export type ReplicaDetails = z.infer<typeof ReplicaDetails>;

export const ReplicaResponse = loose({ replica: ReplicaListItem });
export const ReplicaDetailsResponse = loose({ replica: ReplicaDetails });
export const ListReplicasQuery = PageQuery.extend({
  user_id: z.string().min(1).optional(),
  source: ReplicaSource.optional(),
  status: ReplicaStatus.optional(),
});
export type ListReplicasQuery = z.input<typeof ListReplicasQuery>;
export const ReplicaListResponse = loose({
  replicas: z.array(ReplicaListItem),
  ...Pagination,
  total_pages: z.number().int(),
});
export type ReplicaListResponse = z.infer<typeof ReplicaListResponse>;

export const SendMessageRequest = z.object({
  message: z.string().min(1, 'is required'),
  coding_agent: CodingAgent.optional(),
  chat_id: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  images: z.array(ImageInput).optional(),
  plan_mode: z.boolean().optional(),
  goal_mode: z.boolean().optional(),
  fast_mode: z.boolean().optional(),
  thinking_level: ThinkingLevel.optional(),
  /** Kept as sent with API-key auth (dashboard auth overrides them): who the message is from. */
  senderUserId: z.string().optional(),
  senderEmail: z.string().optional(),
});
export type SendMessageRequest = z.input<typeof SendMessageRequest>;
export const SendMessageResponse = loose({
  status: z.enum(['sent', 'queued', 'waking']),
  message_id: z.string().nullable(),
  position: z.number().int().nullable(),
  chat_id: z.string().nullable(),
});
export type SendMessageResponse = z.infer<typeof SendMessageResponse>;

export const WakeResponse = loose({ success: z.boolean().optional(), status: z.string().optional() });

export const ChatsResponse = loose({ chats: z.array(Chat), waking: z.boolean().optional() });
export const CreateChatRequest = z.object({
  provider: CodingAgent,
  /** Optional client-generated chat id and creation time. */
  id: Uuid.optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  title: z.string().optional(),
  parentChatId: Uuid.optional(),
  /** Echoed in the `chat.created` stream event, so a client recognises its own create. */
  clientRequestId: z.string().optional(),
});

const QueueItem = loose({
  id: z.string(),
  message: z.string(),
  queuedAt: Timestamp,
  senderUserId: z.string().optional(),
  senderEmail: z.string().optional(),
  senderDisplayName: z.string().optional(),
});
export const QueueResponse = loose({
  chatId: z.string(),
  processing: z.boolean(),
  queue: z.array(QueueItem),
});
export const QueueMutationResponse = loose({ success: z.boolean(), queue: z.array(QueueItem) });
export const ReorderQueueRequest = z.object({
  messageId: z.string().min(1),
  position: z.number().int().min(0),
});

export const HistoryQuery = z.object({
  chat_id: z.string().min(1).optional(),
  limit: z.number().int().min(1).optional(),
  offset: z.number().int().min(0).optional(),
});
/**
 * One history item: the agent's own event (`claude-user`, `claude-assistant`, `claude-result`,
 * `event_msg`, `response_item`, `cursor-*`, `opencode-*`), its `payload` the provider's message.
 */
export const HistoryEvent = loose({ timestamp: Timestamp, type: z.string(), payload: z.unknown() });
export type HistoryEvent = z.infer<typeof HistoryEvent>;

/** Who sent a user message of a chat, recorded at send time (`ChatMessageSender`). */
export const ChatMessageSender = loose({
  senderUserId: z.string(),
  senderEmail: z.string(),
  recordedAt: Timestamp,
});
export type ChatMessageSender = z.infer<typeof ChatMessageSender>;

export const HistoryResponse = loose({
  thread_id: z.string().nullable(),
  events: z.array(HistoryEvent),
  total: z.number().int(),
  has_more: z.boolean(),
  coding_agent: z.string().nullable().optional(),
  waking: z.boolean().nullable().optional(),
  /** One record per user message of the chat that named its sender. */
  senders: z.array(ChatMessageSender).optional(),
});

const HookLog = loose({
  hookName: z.string(),
  output: z.string(),
  exitCode: z.number().int(),
  timedOut: z.boolean(),
});
export const HooksResponse = loose({
  warm_hooks: loose({ logs: z.array(HookLog) }),
  start_hooks: loose({ logs: z.array(HookLog) }),
});

const CanvasKind = z.enum(['markdown', 'html', 'image', 'video', 'audio', 'other']);
export const CanvasListResponse = loose({
  items: z.array(loose({ filename: z.string(), kind: CanvasKind, sizeBytes: z.number().int() })),
});
export const CanvasItemResponse = loose({
  filename: z.string(),
  kind: CanvasKind,
  sizeBytes: z.number().int(),
  mimeType: z.string(),
  content: z.string().optional(),
  base64: z.string().optional(),
  tooLarge: z.boolean().optional(),
});

/** One SSE message of `GET /v1/replica/{id}/events`. */
export const ReplicaStreamEvent = loose({
  id: z.string(),
  ts: Timestamp,
  type: z.string(),
  payload: z.unknown(),
});
export type ReplicaStreamEvent = z.infer<typeof ReplicaStreamEvent>;
