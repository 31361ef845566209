export { API_VERSION, ReplicasClient, type CreateReplicaOptions } from './client';
export {
  RETRYABLE_KINDS,
  ReplicasApiError,
  ReplicasRequestValidationError,
  parseRetryAfter,
  type ReplicasErrorKind,
} from './errors';
export type {
  ReplicaDetails,
  ReplicaListItem,
  SendMessageResponse,
  CreateReplicaRequest,
} from './schemas/replica';
export { parseSse, reconnectingSse, type SseMessage } from './sse';
export type { CallOptions, TransportOptions } from './transport';
export { signBody, verifySignature } from './webhook-signature';
