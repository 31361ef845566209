import { temporal } from '@temporalio/proto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const History = temporal.api.history.v1.History;
type IHistory = temporal.api.history.v1.IHistory;

/**
 * Histories as JSON files, through `@temporalio/proto`'s own codec: the SDK's `historyToJSON` fails
 * when npm installs a second copy of protobufjs beside `@temporalio/common` ("type must be a Type").
 * Each file keeps the id the workflow ran under: workflows derive ids (shards, children) from it.
 */
export function writeHistory(file: string, workflowId: string, history: IHistory): void {
  const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  writeFileSync(file, `${JSON.stringify({ workflowId, history: json }, null, 1)}\n`);
}

export interface SavedHistory {
  name: string;
  workflowId: string;
  history: temporal.api.history.v1.History;
}

/** Every saved history of a folder, named by file, for `Worker.runReplayHistory`. */
export function readHistories(dir: string): SavedHistory[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const saved = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {
        workflowId: string;
        history: object;
      };
      return {
        name: name.replace(/\.json$/, ''),
        workflowId: saved.workflowId,
        history: History.fromObject(saved.history),
      };
    });
}
