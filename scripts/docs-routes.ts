/**
 * `npm run docs:routes [-- --write]`: the domain API's routes as a Markdown section, from the one table the app
 * mounts them from (`ROUTES` in api/index.ts): one table per tag, each route with its method, path, who may call it
 * and its summary. Without `--write` the section is printed; with it, the part of README.md between
 * `<!-- routes:start -->` and `<!-- routes:end -->` is replaced by it (tests/unit/readme-routes.test.ts checks that
 * the two agree).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES } from '../api';
import { ROLES, type Access, type RouteSpec } from '../api/route';

export const START_MARKER = '<!-- routes:start -->';
export const END_MARKER = '<!-- routes:end -->';
export const README = join(__dirname, '..', 'README.md');

/** Who may call a route, in words: `public`, any signed-in user, or the role ids (every role when all of them). */
export function describeAccess(access: Access): string {
  if (access === 'public') return 'public (no sign-in)';
  if (access === 'signed-in') return 'any signed-in user';
  const roles = ROLES.filter((role) => access.includes(role));
  if (roles.length === ROLES.length) return 'every role';
  return roles.map((role) => `\`${role}\``).join(', ');
}

/** Text for one table cell: no line break, and a `|` that does not end the cell. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/** The Markdown section: routes grouped by tag (tags in the order they first appear), each in the order matched. */
export function routesMarkdown(routes: readonly RouteSpec[] = ROUTES): string {
  const byTag = new Map<string, RouteSpec[]>();
  for (const spec of routes) {
    const group = byTag.get(spec.tag);
    if (group) group.push(spec);
    else byTag.set(spec.tag, [spec]);
  }
  const lines = [
    `<!-- Generated from ROUTES (api/index.ts) by \`npm run docs:routes -- --write\`; do not edit by hand. -->`,
    '',
    `${routes.length} routes in ${byTag.size} groups. Paths are Express-style (\`:id\` is \`{id}\` in the OpenAPI document).`,
  ];
  for (const [tag, specs] of byTag) {
    lines.push(
      '',
      `### ${tag.charAt(0).toUpperCase()}${tag.slice(1)}`,
      '',
      '| method | path | who | what |',
      '|---|---|---|---|',
    );
    for (const spec of specs) {
      lines.push(
        `| ${spec.method.toUpperCase()} | \`/api${spec.path}\` | ${describeAccess(spec.access)} | ${cell(spec.summary)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The text between the markers (without them), or undefined when README.md has not both in order. */
export function markedSection(readme: string): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER, start + START_MARKER.length);
  if (start < 0 || end < 0) return undefined;
  return readme.slice(start + START_MARKER.length, end).replace(/^\r?\n/, '');
}

/** README.md with the text between the markers replaced by `section`. */
export function replaceSection(readme: string, section: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER, start + START_MARKER.length);
  if (start < 0 || end < 0)
    throw new Error(`README.md needs the markers ${START_MARKER} and ${END_MARKER}, in that order`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${section}${readme.slice(end)}`;
}

function main(argv: string[]): void {
  const unknown = argv.filter((arg) => arg !== '--write');
  if (unknown.length)
    throw new Error(`unknown argument(s): ${unknown.join(' ')} (usage: npm run docs:routes [-- --write])`);
  const section = routesMarkdown();
  if (!argv.includes('--write')) {
    process.stdout.write(section);
    return;
  }
  const readme = readFileSync(README, 'utf8');
  const updated = replaceSection(readme, section);
  if (updated === readme) {
    console.log('README.md: the routes section is up to date');
  } else {
    writeFileSync(README, updated);
    console.log(`README.md: the routes section rewritten (${ROUTES.length} routes)`);
  }
}

// Run as a command (not when a test imports routesMarkdown).
if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}
