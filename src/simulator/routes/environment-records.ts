import { randomUUID } from 'node:crypto';
import { HttpError } from '../http';
import { now, resourcesOf, type Organisation } from '../model';

type Row = Record<string, unknown>;

/** The per-environment collections an environment's counts and copies cover. */
const COUNTED = {
  variables: 'variable_count',
  files: 'file_count',
  skills: 'skill_count',
  mcps: 'mcp_count',
};
const COPIED = [...Object.keys(COUNTED), 'skills-registries'];

const rowsOf = (org: Organisation, kind: string, environmentId: unknown) =>
  [...resourcesOf(org, kind).values()].filter((row) => row.environment_id === environmentId);

/** "Each record includes counts of attached variables, files, skills, and MCPs" (List Environments). */
export function environmentView(org: Organisation, environment: Row): Row {
  const counts = Object.fromEntries(
    Object.entries(COUNTED).map(([kind, field]) => [field, rowsOf(org, kind, environment.id).length]),
  );
  return { ...environment, ...counts };
}

/** `org` scope: team environments (no owner); `user` scope: the caller's personal ones. */
export function inScope(environment: Row, scope: 'org' | 'user' | 'all', userId: string): boolean {
  if (scope === 'all') return environment.user_id === null || environment.user_id === userId;
  return scope === 'org' ? environment.user_id === null : environment.user_id === userId;
}

/** The name "must be unique within the selected scope" (Create Environment): 409 otherwise. */
export function requireUniqueName(org: Organisation, name: unknown, userId: unknown, self?: Row): void {
  const clash = [...resourcesOf(org, 'environments').values()].some(
    (other) => other !== self && other.name === name && other.user_id === userId,
  );
  if (clash) {
    throw new HttpError(
      409,
      'Conflict',
      `an environment named "${String(name)}" already exists in this scope`,
    );
  }
}

/** A team environment created from a source copies its variables, files, skills, registries and MCPs. */
export function copyEnvironmentContents(org: Organisation, sourceId: string, targetId: string): void {
  for (const kind of COPIED) {
    const rows = resourcesOf(org, kind);
    for (const row of rowsOf(org, kind, sourceId)) {
      const stamp = now();
      const copy = {
        ...row,
        id: randomUUID(),
        environment_id: targetId,
        created_at: stamp,
        updated_at: stamp,
      };
      rows.set(copy.id, copy);
    }
  }
}
