/**
 * Routes and job workers are thin: every SQL statement lives in a domain repository (domain/), none in api/ or
 * workers/. This test reads every string literal of those folders (comments aside) and fails on one that is SQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { literals, ROOT, sourceFiles } from '../support/source-literals';

/** SQL as the app writes it: its keywords in capitals (a sentence such as 'select a colleague from…' is not SQL). */
const SQL = /^\s*(SELECT\s[\s\S]*\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\()/;

describe('the data layer', () => {
  it('when a route or a worker needs the database, then it calls a repository of domain/: no SQL in api/ or workers/', () => {
    // given
    const files = sourceFiles(['api', 'workers']);
    expect(files.length).toBeGreaterThan(20);
    // when
    const withSql = files.filter((file) =>
      literals(readFileSync(join(ROOT, file), 'utf8')).some((text) => SQL.test(text)),
    );
    // then
    expect(withSql).toEqual([]);
  });

  it('when a literal is SQL, then the check sees it', () => {
    expect(literals("const q = 'SELECT id FROM app_user WHERE id = $1';").some((t) => SQL.test(t))).toBe(true);
    expect(literals('const q = `UPDATE app_user SET active = false`;').some((t) => SQL.test(t))).toBe(true);
    expect(literals("const note = 'select a colleague from the list';").some((t) => SQL.test(t))).toBe(false);
  });
});
