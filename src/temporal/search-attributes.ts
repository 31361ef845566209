import type { OperatorService } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
// The SDK's own type → proto enum mapping; `@temporalio/proto` is not a runtime dependency of ours.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { searchAttributeKeys } from '../contracts';

interface AnyKey {
  name: string;
  type: SearchAttributeType;
}
type Operator = Pick<OperatorService, 'listSearchAttributes' | 'addSearchAttributes'>;

/** How the Temporal and tcld CLIs spell each type (`--type Keyword`, `Name=Keyword`). */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export interface SearchAttributeStatus {
  name: string;
  type: string;
  state: 'present' | 'added' | 'missing' | 'wrong type';
  /** For `wrong type`: the type the namespace has. */
  registeredAs?: string;
}

/** gRPC codes with which a server says "not you / not here" rather than "not now". */
const REFUSED_CODES = new Set([7 /* PERMISSION_DENIED */, 12 /* UNIMPLEMENTED */, 16 /* UNAUTHENTICATED */]);
const ALREADY_EXISTS = 6;

/** The operator API is closed to this caller (Temporal Cloud, a restricted role): use tcld or the UI. */
export class SearchAttributesRefused extends Error {
  override name = 'SearchAttributesRefused';
  constructor(
    /** What still needs registering: every attribute when even listing was refused. */
    readonly missing: readonly Pick<SearchAttributeStatus, 'name' | 'type'>[],
    cause: unknown,
  ) {
    super(`the server refused the operator API: ${grpcMessage(cause)}`, { cause });
  }
}

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function grpcMessage(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}

function typeName(indexedValueType: unknown): string {
  const found = Object.values(SearchAttributeType).find(
    (type) => encodeSearchAttributeIndexedValueType(type) === indexedValueType,
  );
  return found ? CLI_TYPE[found] : `type #${String(indexedValueType)}`;
}

/**
 * Compares the namespace's custom search attributes with the ones the workflows upsert and, unless
 * `register` is false, adds the missing ones. Idempotent: present ones are left alone, and one added
 * concurrently by another caller counts as present. Throws `SearchAttributesRefused` when the
 * server closes the operator API to this caller.
 */
export async function ensureSearchAttributes(
  operator: Operator,
  namespace: string,
  options: { register: boolean; keys?: readonly AnyKey[] },
): Promise<SearchAttributeStatus[]> {
  const keys = options.keys ?? searchAttributeKeys;
  let existing: Record<string, unknown>;
  try {
    existing = (await operator.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (error) {
    throw refusedOr(
      error,
      keys.map((key) => ({ name: key.name, type: CLI_TYPE[key.type] })),
    );
  }
  const statuses: SearchAttributeStatus[] = [];
  for (const key of keys) {
    const type = CLI_TYPE[key.type];
    if (key.name in existing) {
      const registeredAs = typeName(existing[key.name]);
      statuses.push(
        registeredAs === type
          ? { name: key.name, type, state: 'present' }
          : { name: key.name, type, state: 'wrong type', registeredAs },
      );
    } else statuses.push({ name: key.name, type, state: options.register ? 'added' : 'missing' });
  }
  // One call per attribute, so that one added meanwhile by another caller counts as present.
  const toAdd = statuses.filter((s) => s.state === 'added');
  for (const [i, status] of toAdd.entries()) {
    const key = keys.find((k) => k.name === status.name) as AnyKey;
    try {
      await operator.addSearchAttributes({
        namespace,
        searchAttributes: { [key.name]: encodeSearchAttributeIndexedValueType(key.type) ?? 0 },
      });
    } catch (error) {
      if (grpcCode(error) !== ALREADY_EXISTS) throw refusedOr(error, toAdd.slice(i));
      status.state = 'present';
    }
  }
  return statuses;
}

function refusedOr(
  error: unknown,
  missing: readonly Pick<SearchAttributeStatus, 'name' | 'type'>[],
): unknown {
  return REFUSED_CODES.has(grpcCode(error) ?? -1) ? new SearchAttributesRefused(missing, error) : error;
}

/** The Temporal Cloud command that registers `attributes` (its operator API cannot). */
export function tcldCommand(
  namespace: string,
  attributes: readonly Pick<SearchAttributeStatus, 'name' | 'type'>[],
): string {
  const flags = attributes.map(({ name, type }) => `--search-attribute "${name}=${type}"`);
  return [`tcld namespace search-attributes add --namespace ${namespace}`, ...flags].join(' \\\n    ');
}

/** What a worker found at start: ready (perhaps after registering), or what an operator must do. */
export type StartupCheck =
  | { kind: 'ready'; added: string[] }
  | { kind: 'refused'; missing: string[]; command: string }
  | { kind: 'wrong type'; attributes: string[] }
  | { kind: 'unknown'; error: unknown };

/**
 * At worker start: registers missing attributes where the server lets this caller (a self-hosted or
 * dev server), else names the command that does (Temporal Cloud). Workflows whose upserts name an
 * unregistered attribute fail their tasks, so this is said before the first one runs.
 */
export async function searchAttributesAtStart(operator: Operator, namespace: string): Promise<StartupCheck> {
  try {
    const statuses = await ensureSearchAttributes(operator, namespace, { register: true });
    const wrong = statuses.filter((s) => s.state === 'wrong type');
    if (wrong.length)
      return { kind: 'wrong type', attributes: wrong.map((s) => `${s.name} (${s.registeredAs})`) };
    return { kind: 'ready', added: statuses.filter((s) => s.state === 'added').map((s) => s.name) };
  } catch (error) {
    if (error instanceof SearchAttributesRefused)
      return {
        kind: 'refused',
        missing: error.missing.map((m) => m.name),
        command: tcldCommand(namespace, error.missing),
      };
    return { kind: 'unknown', error };
  }
}
