/**
 * Every write to a case goes through one place: the named operations of domain/cases.ts. This test reads every
 * string literal of the app's code (comments aside) and fails on SQL that inserts, updates or deletes
 * `petition_case` anywhere else (migrations, tests and the benchmarks' seeding are not the app).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { literals, ROOT, sourceFiles } from '../support/source-literals';

const WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+petition_case\b/i;

describe("the case's writes", () => {
  it('when the app writes petition_case, then it is in domain/cases.ts', () => {
    // given
    const files = sourceFiles(['platform', 'domain', 'api', 'workers', 'server', 'web/src']);
    expect(files).toContain('domain/cases.ts');
    // when
    const writers = files.filter((file) =>
      literals(readFileSync(join(ROOT, file), 'utf8')).some((text) => WRITE.test(text)),
    );
    // then
    expect(writers).toEqual(['domain/cases.ts']);
  });
});
