import { temporal } from '@temporalio/proto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const History = temporal.api.history.v1.History;
type IHistory = temporal.api.history.v1.IHistory;

/**
 * Histories as JSON files, through `@temporalio/proto`'s own codec: the SDK's `historyToJSON` fails
 * when npm installs a second copy of protobufjs beside `@temporalio/common` ("type must be a Type").
 */
export function writeHistory(file: string, history: IHistory): void {
  const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
}

export function readHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(readFileSync(file, 'utf8')) as object);
}

/** Every saved history of a folder, named by file, for `Worker.runReplayHistories`. */
export function readHistories(
  dir: string,
): { workflowId: string; history: temporal.api.history.v1.History }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ workflowId: name.replace(/\.json$/, ''), history: readHistory(path.join(dir, name)) }));
}
