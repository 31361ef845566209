import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { CampaignSpecError, type SpecProblem } from './spec-problems';

/** A spec or items file, parsed, that still knows where each field is written. */
export interface SpecDocument {
  source: string;
  data: unknown;
  /**
   * The line a field is written on; for a field the file lacks, the line of the nearest field above it
   * that it has (none at the top level: the document as a whole lacks it).
   */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Reads YAML or JSON (JSON is YAML); every syntax error is named with its line. */
export function readSpecDocument(path: string, what: string): SpecDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CampaignSpecError(path, [{ field: '', message: errorText(error) }], what);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  if (document.errors.length) {
    const problems = document.errors.map((error): SpecProblem => ({
      field: '',
      // The parser's own position and excerpt follow " at line"; the line number says it.
      message: error.message.split(' at line ')[0] as string,
      ...(error.linePos && { line: error.linePos[0].line }),
    }));
    throw new CampaignSpecError(path, problems, what);
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    throw new CampaignSpecError(path, [{ field: '', message: errorText(error) }], what);
  }
  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  return {
    source: path,
    data,
    lineOf(fieldPath) {
      let node: unknown = document.contents;
      let line: number | undefined;
      for (const part of fieldPath) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
          if (!pair) break;
          line = lineAt(pair.key as Node);
          node = pair.value;
        } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
          node = node.items[part];
          line = lineAt(node as Node);
        } else break;
      }
      return line;
    },
  };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
