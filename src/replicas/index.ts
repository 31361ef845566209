export { API_VERSION, ReplicasClient, type CreateReplicaOptions } from './client';
export {
  RETRYABLE_KINDS,
  ReplicasApiError,
  ReplicasRequestValidationError,
  parseRetryAfter,
  type ReplicasErrorKind,
} from './errors';
export type {
  ChatMessageSender,
  CreateReplicaRequest,
  HistoryEvent,
  ReplicaDetails,
  ReplicaListItem,
  ReplicaStreamEvent,
  SendMessageRequest,
  SendMessageResponse,
} from './schemas/replica';
export { EngineEvent, ENGINE_EVENT_TYPES, type EngineEventType } from './schemas/engine-event';
export { ReplicaWebhookBody } from './schemas/webhook';
export { parseSse, reconnectingSse, type SseMessage } from './sse';
export type { CallOptions, TransportOptions } from './transport';
export { signBody, verifySignature } from './webhook-signature';
