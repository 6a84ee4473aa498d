/**
 * `npm run check:public-text -- [database-url] [--log app.log]…`: checks that nothing the system produced for the
 * public holds an 11-digit mobile number or an 18-character ID number, read after the same normalisation as the
 * screening (domain/public-text.ts: full-width digits, spaces, dashes and other separators, +86):
 * - the notice board, every row as stored (outcome, category, compound, name);
 * - the rating page of every case with a rating link, as GET /api/public/ratings/:token answers it (the outcome
 *   from the embedded engine's process variables, screened by the API's own function);
 * - every notification text (SMS to petitioners, the notes staff pass on, staff notices);
 * - every line of each log file given with --log (the app's JSON log).
 * The database is the URL given, else DATABASE_URL. Exits 0 when nothing is found, 1 listing each finding (its
 * source, the row or line, and the number masked, so that this report does not spread it), 2 on a usage error.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { openDatabase } from '../platform/data-source';
import { maskIdNumber, maskPhone } from '../platform/pii';
import type { Queryable } from '../platform/db';
import { casePeopleNames, findPersonalData, screenPublicText } from '../domain/public-text';
import { ratingOutcome } from '../api/public';

export interface Finding {
  source: string;
  where: string;
  kind: 'mobile' | 'id-number';
  masked: string;
}

/** Mobile and ID numbers in a text, each masked as the lists mask them. */
function numbersIn(text: string | null | undefined): Array<Pick<Finding, 'kind' | 'masked'>> {
  if (!text) return [];
  return findPersonalData(text).flatMap((f) => {
    if (f.kind !== 'mobile' && f.kind !== 'id-number') return [];
    const compact = f.text
      .normalize('NFKC')
      .replace(/[^\dXx]/g, '')
      .toUpperCase();
    return [{ kind: f.kind, masked: f.kind === 'mobile' ? maskPhone(compact.slice(-11)) : maskIdNumber(compact) }];
  });
}

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run check:public-text -- [database-url] [--log file]…  (the database defaults to DATABASE_URL)`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): { databaseUrl: string; logs: string[] } {
  const logs: string[] = [];
  let databaseUrl: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--log') {
      const file = argv[++i];
      if (!file) usage('--log needs a file');
      if (!existsSync(file)) usage(`no such log file: ${file}`);
      logs.push(file);
    } else if (/^postgres(ql)?:\/\//.test(argv[i]) && !databaseUrl) {
      databaseUrl = argv[i];
    } else {
      usage(`unknown argument: ${argv[i]}`);
    }
  }
  databaseUrl ??= process.env.DATABASE_URL;
  if (!databaseUrl) usage('no database: give its URL or set DATABASE_URL');
  return { databaseUrl, logs };
}

/** What the system produced for the public, read from `db` and the log files: every mobile and ID number in it. */
export async function checkPublicText(
  db: Queryable,
  logs: readonly string[] = [],
): Promise<{ findings: Finding[]; counts: Record<string, number>; notes: string[] }> {
  const findings: Finding[] = [];
  const add = (source: string, where: string, text: string | null | undefined) => {
    for (const n of numbersIn(text)) findings.push({ source, where, ...n });
  };
  const counts: Record<string, number> = {};
  const notes: string[] = [];

  const notices = await db.query<{
    case_no: string;
    round: number;
    category: string;
    compound_name: string | null;
    outcome: string;
    petitioner_masked: string | null;
  }>(
    'SELECT case_no, round, category, compound_name, outcome, petitioner_masked FROM notice_board ORDER BY published_at, case_no',
  );
  for (const n of notices) {
    for (const text of [n.category, n.compound_name, n.outcome, n.petitioner_masked])
      add('notice board', `${n.case_no} round ${n.round}`, text);
  }
  counts['notice board entries'] = notices.length;

  const [engine] = await db.query<{ present: boolean }>("SELECT to_regclass('engine_instance') IS NOT NULL AS present");
  const rated = await db.query<{
    id: string;
    case_no: string;
    category: string;
    variables: Record<string, unknown> | null;
  }>(
    engine.present
      ? `SELECT c.id, c.case_no, c.category, i.variables
         FROM petition_case c LEFT JOIN engine_instance i ON i.key::text = c.process_instance_key
         WHERE c.id IN (SELECT case_id FROM rating_link) ORDER BY c.case_no`
      : `SELECT c.id, c.case_no, c.category, NULL::jsonb AS variables FROM petition_case c WHERE c.id IN (SELECT case_id FROM rating_link) ORDER BY c.case_no`,
  );
  const people = await casePeopleNames(
    db,
    rated.map((r) => r.id),
  );
  for (const r of rated) {
    const names = people.get(r.id) ?? [];
    add('rating page', r.case_no, r.variables ? ratingOutcome(r.variables, names) : null);
    add('rating page', r.case_no, screenPublicText(r.category, names));
  }
  counts['rating pages'] = rated.length;
  if (!engine.present && rated.length > 0) {
    notes.push(
      'rating pages: the outcomes live in the Camunda cluster (no embedded engine tables here); only their categories were checked',
    );
  }

  const notifications = await db.query<{ id: string; template: string; recipient_role: string; text: string }>(
    'SELECT id, template, recipient_role, text FROM notification ORDER BY created_at, id',
  );
  for (const n of notifications) add('notification', `${n.template} to ${n.recipient_role} (${n.id})`, n.text);
  counts.notifications = notifications.length;

  for (const file of logs) {
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
      line++;
      add('log', `${file}:${line}`, text);
    }
    counts[`lines of ${file}`] = line;
  }
  return { findings, counts, notes };
}

async function main(): Promise<void> {
  const { databaseUrl, logs } = parseArgs(process.argv.slice(2));
  // Read as it is: no migration of a database someone else owns.
  const database = await openDatabase({ databaseUrl, dataDir: '.data', migrate: false });
  let result: Awaited<ReturnType<typeof checkPublicText>>;
  try {
    result = await checkPublicText(database.db, logs);
  } finally {
    await database.close();
  }
  const { findings, counts, notes } = result;
  for (const note of notes) console.warn(note);
  console.log(
    `checked: ${Object.entries(counts)
      .map(([what, n]) => `${n} ${what}`)
      .join(', ')}`,
  );
  if (findings.length === 0) {
    console.log('no mobile number and no ID number found');
    return;
  }
  for (const f of findings)
    console.log(`${f.source} · ${f.where}: ${f.kind === 'mobile' ? 'mobile number' : 'ID number'} ${f.masked}`);
  console.log(`${findings.length} mobile or ID number(s) found in public text`);
  process.exitCode = 1;
}

// Run as a command (not when a test imports checkPublicText).
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
