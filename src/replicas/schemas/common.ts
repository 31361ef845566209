import { z } from 'zod';

/** The dated API version: create returns at once with a `preparing` workspace instead of blocking. */
export const API_VERSION = '2026-05-17';

/** The header that carries it (on `POST /v1/replica`). */
export const API_VERSION_HEADER = 'x-replicas-api-version';

/** Values the published pages list; where the OpenAPI copy differs, the pages win (see the differences fixture). */
export const CodingAgent = z.enum(['claude', 'codex', 'cursor', 'opencode']);
export const ThinkingLevel = z.enum(['low', 'medium', 'high', 'max']);
export const LifecyclePolicy = z.enum(['default', 'delete_when_done', 'delete_after_inactivity']);
export const ReplicaSize = z.enum(['small', 'large']);
export const ReplicaStatus = z.enum(['active', 'sleeping', 'archived', 'preparing', 'error']);
export const ReplicaSource = z.enum([
  'api',
  'dashboard',
  'slack',
  'linear',
  'github',
  'gitlab',
  'automation',
]);
export const Scope = z.enum(['org', 'user']);

/** Responses tolerate unknown fields (the platform adds them over time) but reject wrong types. */
export const loose = z.looseObject;

// Request bodies are plain `z.object`s: the API documents no rejection of unknown fields and the
// OpenAPI schemas allow extra properties, so unknown fields are dropped (the API ignores them) while
// known fields keep their types, enums and ranges.

export const Uuid = z.uuid();
export const Timestamp = z.string().min(1);

export const SuccessResponse = loose({ success: z.boolean() });

export const ImageInput = z.object({
  type: z.string(),
  source: z.union([
    z.object({
      type: z.string(),
      media_type: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
      data: z.string(),
    }),
    z.object({ type: z.string(), url: z.url() }),
  ]),
});

export const Pagination = {
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
};

export const PageQuery = z.object({
  page: z.number().int().min(1).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});
