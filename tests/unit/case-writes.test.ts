/**
 * Every statement on a case goes through one place, the case repository domain/cases/, and every write of one
 * through its named writes (domain/cases/writes.ts). This test reads every string literal of the app's code
 * (comments aside) and fails on a string naming `petition_case` (its columns, its sequence) outside domain/cases/, and
 * on SQL that inserts, updates or deletes `petition_case` outside writes.ts (migrations, tests and the benchmarks'
 * seeding are not the app).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { literals, ROOT, sourceFiles } from '../support/source-literals';

const APP = ['platform', 'domain', 'api', 'workers', 'server', 'web/src'];
const REPOSITORY = 'domain/cases/';
const MENTION = /\bpetition_case/i;
const WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+petition_case\b/i;

/** The app's files with a string literal that `pattern` matches. */
function filesWith(files: string[], pattern: RegExp): string[] {
  return files.filter((file) => literals(readFileSync(join(ROOT, file), 'utf8')).some((text) => pattern.test(text)));
}

describe("the case's SQL", () => {
  it('when the app has SQL naming petition_case, then it is in the case repository (domain/cases/)', () => {
    // given
    const files = sourceFiles(APP);
    expect(files).toEqual(expect.arrayContaining(['domain/cases/index.ts', 'domain/cases/reads.ts']));
    // when
    const outside = filesWith(files, MENTION).filter((file) => !file.startsWith(REPOSITORY));
    // then
    expect(outside).toEqual([]);
  });

  it('when the app writes petition_case, then it is in domain/cases/writes.ts', () => {
    // given
    const files = sourceFiles(APP);
    expect(files).toContain('domain/cases/writes.ts');
    // when
    const writers = filesWith(files, WRITE);
    // then
    expect(writers).toEqual(['domain/cases/writes.ts']);
  });
});
