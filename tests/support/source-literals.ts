/** Reading the app's source as code: its files by folder, and the string literals of a file (comments aside). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const ROOT = join(__dirname, '..', '..');

/**
 * The TypeScript and JavaScript files under the folders as the working tree holds them: those git tracks (less any
 * deleted) and new ones not yet added (ignored files aside), so that a check sees a change before it is committed.
 */
export function sourceFiles(folders: string[]): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...folders], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /\.(ts|cjs|mjs)$/.test(f) && existsSync(join(ROOT, f)))
    .sort();
}

/** The string literals of a source file (plain strings, and the text parts of template literals). */
export function literals(text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node))
      found.push(node.text);
    node.forEachChild(visit);
  };
  visit(ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true));
  return found;
}
