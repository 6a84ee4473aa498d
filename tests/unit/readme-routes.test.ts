/**
 * README.md lists the domain API's routes between `<!-- routes:start -->` and `<!-- routes:end -->`, generated from
 * `ROUTES` (api/index.ts) by scripts/docs-routes.ts: the list stays what the app mounts. No database: the route
 * table is only read.
 */
import { readFileSync } from 'node:fs';
import { ROUTES } from '../../api';
import { describeAccess, markedSection, README, routesMarkdown } from '../../scripts/docs-routes';

describe('the routes in README.md', () => {
  it('when README.md is read, then its routes section is the one generated from ROUTES', () => {
    // given
    const readme = readFileSync(README, 'utf8');
    // when
    const section = markedSection(readme);
    const generated = routesMarkdown();
    // then
    if (section !== generated) {
      throw new Error(
        section === undefined
          ? 'README.md has no <!-- routes:start --> … <!-- routes:end --> section: add the two markers, then run `npm run docs:routes -- --write`'
          : `README.md lists other routes than ROUTES (api/index.ts): run \`npm run docs:routes -- --write\`\n${firstDifference(section, generated)}`,
      );
    }
    expect(section).toBe(generated);
  });

  it('when the routes are generated, then every route is listed once under its tag', () => {
    // given // when
    const generated = routesMarkdown();
    // then
    for (const spec of ROUTES) {
      const row = `| ${spec.method.toUpperCase()} | \`/api${spec.path}\` |`;
      expect(generated.split(row).length - 1).toBe(1);
    }
    expect(new Set(ROUTES.map((spec) => spec.tag)).size).toBe(generated.match(/^### /gm)?.length);
  });

  it('when access is described, then it reads as public, any signed-in user, every role or the role ids', () => {
    // given // when // then
    expect(describeAccess('public')).toBe('public (no sign-in)');
    expect(describeAccess('signed-in')).toBe('any signed-in user');
    expect(describeAccess(['leader', 'admin'])).toBe('`admin`, `leader`');
    expect(
      describeAccess(['admin', 'reception', 'cadre', 'secretary', 'grid-worker', 'street-office', 'member', 'leader']),
    ).toBe('every role');
  });
});

/** Where two texts first part, line by line, for the failure message. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((text, i) => text !== e[i]);
  const at = line < 0 ? a.length : line;
  return `first difference at line ${at + 1} of the section:\n  README.md: ${a[at] ?? '(end)'}\n  generated: ${e[at] ?? '(end)'}`;
}
