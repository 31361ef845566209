import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as patches from '../../src/workflows/patches';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const architecture = read('ARCHITECTURE.md');

/** The rows of the "where does X happen" table: `| what | file | function |`. */
function whereRows(markdown: string): { what: string; file: string; names: string[] }[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*what\s*\|\s*file\s*\|\s*function\s*\|\s*$/.test(line));
  if (header < 0) return [];
  const rows = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [what = '', file = '', names = ''] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    rows.push({
      what,
      file: file.replace(/`/g, ''),
      names: names
        .split(',')
        .map((name) => name.replace(/`/g, '').trim())
        .filter(Boolean),
    });
  }
  return rows;
}

/** A declaration's own name: functions, methods, accessors, variables, class fields, object-literal functions. */
function declaredName(node: ts.Node): string | undefined {
  const named =
    ts.isFunctionDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isVariableDeclaration(node) ||
    ts.isPropertyDeclaration(node) ||
    (ts.isPropertyAssignment(node) &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer)));
  return named && node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
}

function declarations(scope: ts.Node, name: string): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (node: ts.Node) => {
    if (declaredName(node) === name) found.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

/** Whether `file` declares `name`; `Owner.member` asks for `member` declared inside `Owner`. */
function declares(file: string, name: string): boolean {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const [owner, member] = name.includes('.') ? name.split('.', 2) : [undefined, name];
  const scopes = owner === undefined ? [source] : declarations(source, owner);
  return scopes.some((scope) => declarations(scope, member as string).length > 0);
}

/** Relative link targets of a markdown file (web addresses and in-page anchors left out). */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => (m[1] as string).split('#')[0] as string)
    .filter((target) => target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
}

describe('ARCHITECTURE.md', () => {
  const rows = whereRows(architecture);

  it('has a "where does X happen" table of many entries', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) expect(row.names, row.what).not.toEqual([]);
  });

  it('names, in every entry, a file that exists and functions that file declares', () => {
    const wrong = rows.flatMap((row) =>
      !existsSync(path.join(root, row.file))
        ? [`${row.what}: no file ${row.file}`]
        : row.names
            .filter((name) => !declares(row.file, name))
            .map((name) => `${row.what}: ${row.file} declares no ${name}`),
    );
    expect(wrong).toEqual([]);
  });

  it('draws the data flow as a Mermaid sequence diagram whose messages join declared participants', () => {
    const sequence = mermaidBlocks(architecture).find((block) => block.startsWith('sequenceDiagram\n'));
    expect(sequence).toBeDefined();
    const lines = (sequence as string).split('\n').map((line) => line.trim());
    const participants = lines.flatMap((line) => /^participant (\w+)(?: as [\w ]+)?$/.exec(line)?.[1] ?? []);
    expect(participants.length).toBeGreaterThanOrEqual(6);
    const messages = lines.filter((line) => /^\w+\s*--?>>/.test(line));
    expect(messages.length).toBeGreaterThan(10);
    for (const message of messages) {
      const parts = /^(\w+)\s*--?>>[+-]?\s*(\w+):\s*\S/.exec(message);
      expect(parts, message).not.toBeNull();
      const [, from, to] = parts as RegExpExecArray;
      expect(participants, message).toContain(from);
      expect(participants, message).toContain(to);
    }
    const opened = lines.filter((line) => /^(loop|opt|alt|par|critical|break|rect|box)\b/.test(line));
    expect(lines.filter((line) => line === 'end')).toHaveLength(opened.length);
    // Mermaid's lexer cuts any text at ';' (a statement break) and at '#' (a comment).
    expect(sequence).not.toMatch(/[;#]/);
  });

  it('lists every live patch id of src/workflows/patches.ts', () => {
    for (const id of Object.values(patches)) expect(architecture).toContain(id);
  });
});

describe.each(['ARCHITECTURE.md', 'README.md', 'bench/README.md'])('relative links of %s', (file) => {
  it('point at files that exist', () => {
    const links = relativeLinks(read(file));
    expect(links.length).toBeGreaterThan(0);
    const missing = links.filter((link) => !existsSync(path.join(root, path.dirname(file), link)));
    expect(missing).toEqual([]);
  });
});
