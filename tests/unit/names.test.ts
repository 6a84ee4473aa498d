/**
 * The names the models share with the code (job types, process ids, message names, error codes, decision ids) are
 * written once, in bpmn/job-types.ts; the code uses the constants. This test reads every string literal of the
 * app's code (comments do not count) and fails on one that spells such a name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { literals, ROOT, sourceFiles } from '../support/source-literals';
import { DECISIONS, ERROR_CODES, JOB_TYPES, MESSAGES, PROCESS_IDS } from '../../bpmn/job-types';

const NAMES = new Set<string>(
  [JOB_TYPES, PROCESS_IDS, MESSAGES, ERROR_CODES, DECISIONS].flatMap((group) => Object.values(group)),
);
const FOLDERS = ['platform', 'domain', 'api', 'workers', 'server', 'web/src', 'scripts'];

describe('names shared by the models and the code', () => {
  it('when the app code names a job type, process, message, error code or decision, then it uses the constant of bpmn/job-types.ts', () => {
    // given
    const files = sourceFiles(FOLDERS);
    expect(files.length).toBeGreaterThan(50);
    // when
    const spelled = files.flatMap((file) =>
      literals(readFileSync(join(ROOT, file), 'utf8'))
        .filter((value) => NAMES.has(value))
        .map((value) => `${file}: '${value}'`),
    );
    // then
    expect(spelled).toEqual([]);
  });

  it('when a literal spells a name, then the check sees it (and not the same name in a comment)', () => {
    expect(literals("// 'petition-handling'\nconst a = 'petition-handling'; const b = `x${a}close-case`;")).toEqual([
      'petition-handling',
      'x',
      'close-case',
    ]);
  });
});
