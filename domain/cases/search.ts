/**
 * The case centre's search (案件中心): the cases a reader reaches, found by one search term and narrowed by filters,
 * in one of four orders, a page at a time by keyset (the last row's sort value and case number: a page costs the same however
 * deep). The term is read as what it looks like — a case number, a mobile number, an ID number, else a name — and a
 * phone or ID number is matched through its keyed hash (resident.phone_hash / id_number_hash), never by decrypting.
 * Each filter adds its condition only when given, so that PostgreSQL plans each combination with the indexes it
 * needs (values are always parameters; the number of distinct texts is bounded by the filters' combinations).
 */
import { maskName, type PiiCipher } from '../../platform/pii';
import type { Queryable } from '../../platform/db';
import { codeOrItemsOf, listCategories } from '../categories';
import { reachableSql } from './access';

export type CaseSort = 'received' | 'received-asc' | 'due' | 'case-no';
export type RatingFilter = 'satisfied' | 'basically-satisfied' | 'dissatisfied' | 'unrated';

/** What a search term is taken to be. */
export type SearchTerm =
  | { kind: 'case-no'; value: string }
  | { kind: 'phone'; hash: Buffer }
  | { kind: 'id-number'; hash: Buffer }
  | { kind: 'name'; value: string };

export interface CaseFilters {
  term?: SearchTerm;
  category?: string;
  gridId?: string;
  caseClass?: string;
  status?: string;
  firstResponderId?: string;
  /** Received at or after this instant / before this instant. */
  receivedFrom?: Date;
  receivedBefore?: Date;
  /** Open cases past their internal deadline. */
  overdue?: boolean;
  /** Open cases not yet overdue whose internal deadline falls before this instant. */
  dueBefore?: Date;
  keyMatter?: boolean;
  rating?: RatingFilter;
}

/** Where the previous page ended: its last row's sort value (an ISO instant, or null) and case number. */
export type Cursor = [string | null, string];

export interface CaseSearch {
  filters: CaseFilters;
  sort: CaseSort;
  limit: number;
  after?: Cursor;
  /** The reader and their grids (null: the whole community), as case-access's reach rule takes them. */
  reader: { id: string; grids: string[] | null };
  now: Date;
}

export interface CaseListItem {
  id: string;
  caseNo: string;
  channel: string;
  category: string;
  status: string;
  caseClass: string | null;
  receivedAt: Date;
  slaDueAt: Date | null;
  overdue: boolean;
  keyMatter: boolean;
  processStarted: boolean;
  firstResponder: string;
  /** Masked (张*): lists never show a petitioner's full name. */
  petitioner: string | null;
  /** Masked (138****5678). */
  phone: string | null;
  grid: string | null;
  compound: string | null;
  rating: string | null;
}

const CASE_NO = /^[A-Za-z]{1,6}-?\d{4}-?\d{2,}(-\d+)?$/;
const MOBILE = /^1\d{10}$/;
const ID_NUMBER = /^\d{17}[\dXx]$/;

/** A search term read as a case number, a mobile number, an ID number or else a name (all exact matches). */
export function readSearchTerm(text: string, cipher: PiiCipher): SearchTerm {
  const term = text.trim();
  const compact = term.replace(/[\s-]/g, '');
  if (MOBILE.test(compact)) return { kind: 'phone', hash: cipher.lookupHash(compact) };
  if (ID_NUMBER.test(compact)) return { kind: 'id-number', hash: cipher.lookupHash(compact) };
  if (CASE_NO.test(term)) return { kind: 'case-no', value: term.toUpperCase() };
  return { kind: 'name', value: term };
}

const ORDER: Record<CaseSort, { column: string; direction: 'ASC' | 'DESC' }> = {
  received: { column: 'c.received_at', direction: 'DESC' },
  'received-asc': { column: 'c.received_at', direction: 'ASC' },
  due: { column: 'c.sla_due_at', direction: 'ASC' },
  'case-no': { column: 'c.case_no', direction: 'ASC' },
};

/** Collects conditions and their parameters, numbering the parameters as they come. */
class Conditions {
  readonly where: string[] = [];
  readonly params: unknown[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  add(condition: (p: (value: unknown) => string) => string): void {
    this.where.push(condition((value) => this.param(value)));
  }
}

function termCondition(term: SearchTerm, c: Conditions): void {
  if (term.kind === 'case-no') c.add((p) => `c.case_no = ${p(term.value)}`);
  else if (term.kind === 'phone') c.add((p) => `r.phone_hash = ${p(term.hash)}`);
  else if (term.kind === 'id-number') c.add((p) => `r.id_number_hash = ${p(term.hash)}`);
  else c.add((p) => `r.name = ${p(term.value)}`);
}

function filterConditions(f: CaseFilters, now: Date, c: Conditions): void {
  if (f.term) termCondition(f.term, c);
  if (f.category !== undefined) c.add((p) => codeOrItemsOf('c.category_code', p(f.category)));
  if (f.gridId !== undefined) c.add((p) => `co.grid_id = ${p(f.gridId)}`);
  if (f.caseClass !== undefined) c.add((p) => `c.case_class = ${p(f.caseClass)}`);
  if (f.status !== undefined) c.add((p) => `c.status = ${p(f.status)}`);
  if (f.firstResponderId !== undefined) c.add((p) => `c.first_responder_id = ${p(f.firstResponderId)}`);
  if (f.receivedFrom) c.add((p) => `c.received_at >= ${p(f.receivedFrom)}`);
  if (f.receivedBefore) c.add((p) => `c.received_at < ${p(f.receivedBefore)}`);
  if (f.overdue) c.add((p) => `c.status NOT IN ('closed', 'not-accepted', 'withdrawn') AND c.sla_due_at < ${p(now)}`);
  if (f.dueBefore)
    c.add(
      (p) =>
        `c.status NOT IN ('closed', 'not-accepted', 'withdrawn') AND c.sla_due_at >= ${p(now)} AND c.sla_due_at < ${p(f.dueBefore)}`,
    );
  if (f.keyMatter !== undefined) c.add((p) => `c.is_key_matter = ${p(f.keyMatter)}`);
  if (f.rating === 'unrated') c.add(() => 'lr.rating IS NULL');
  else if (f.rating) c.add((p) => `lr.rating = ${p(f.rating)}`);
}

/**
 * The rows after the cursor in the sort's order: by the sort's column, ties by case number (unique; the later number
 * first when newest comes first), NULL deadlines last as the index keeps them.
 */
function afterCondition(sort: CaseSort, after: Cursor, c: Conditions): void {
  const { column, direction } = ORDER[sort];
  const [value, caseNo] = after;
  const op = direction === 'DESC' ? '<' : '>';
  if (sort === 'case-no') {
    c.add((p) => `c.case_no > ${p(caseNo)}`);
    return;
  }
  if (sort === 'due' && value === null) {
    c.add((p) => `(c.sla_due_at IS NULL AND c.case_no > ${p(caseNo)})`);
    return;
  }
  const tail = sort === 'due' ? ' OR c.sla_due_at IS NULL' : '';
  c.add((p) => `((${column}, c.case_no) ${op} (${p(value)}::timestamptz, ${p(caseNo)})${tail})`);
}

/** The one reach rule (Art 30, grid scope: access.ts), on the reader's parameters. */
function reachCondition(reader: CaseSearch['reader'], c: Conditions): void {
  c.add((p) => reachableSql(`${p(reader.id)}::uuid`, p(reader.grids)));
}

/** A row as the statement answers it: the petitioner's name still whole (masked before it leaves), no overdue flag. */
type Row = Omit<CaseListItem, 'petitioner' | 'overdue'> & { name: string | null };

/** One page of the cases the reader reaches, and the cursor of the next page (null: this is the last). */
export async function searchCases(
  db: Queryable,
  s: CaseSearch,
): Promise<{ items: CaseListItem[]; next: Cursor | null }> {
  const c = new Conditions();
  reachCondition(s.reader, c);
  filterConditions(s.filters, s.now, c);
  if (s.after) afterCondition(s.sort, s.after, c);
  const { column, direction } = ORDER[s.sort];
  const limit = c.param(s.limit + 1);
  const rows = await db.query<Row>(
    `SELECT c.id, c.case_no AS "caseNo", c.channel, c.category, c.status, c.case_class AS "caseClass",
            c.received_at AS "receivedAt", c.sla_due_at AS "slaDueAt", c.is_key_matter AS "keyMatter",
            c.process_instance_key IS NOT NULL AS "processStarted", u.display_name AS "firstResponder",
            r.name, r.phone_masked AS phone, g.name AS grid, co.name AS compound, lr.rating
     FROM petition_case c
     JOIN app_user u ON u.id = c.first_responder_id
     LEFT JOIN resident r ON r.id = c.resident_id
     LEFT JOIN compound co ON co.id = c.compound_id
     LEFT JOIN grid g ON g.id = co.grid_id
     LEFT JOIN LATERAL (SELECT cr.rating FROM case_rating cr WHERE cr.case_id = c.id ORDER BY cr.round DESC LIMIT 1) lr ON true
     WHERE ${c.where.join('\n       AND ')}
     ORDER BY ${column} ${direction}${s.sort === 'case-no' ? '' : `, c.case_no ${direction}`}
     LIMIT ${limit}`,
    c.params,
  );
  const page = rows.slice(0, s.limit);
  const last = page[page.length - 1];
  const next: Cursor | null = rows.length > s.limit && last ? [sortValue(s.sort, last), last.caseNo] : null;
  return { items: page.map((row) => item(row, s.now)), next };
}

function sortValue(sort: CaseSort, row: Row): string | null {
  if (sort === 'case-no') return null;
  const at = sort === 'due' ? row.slaDueAt : row.receivedAt;
  return at ? new Date(at).toISOString() : null;
}

function item(row: Row, now: Date): CaseListItem {
  const { name, ...rest } = row;
  return {
    ...rest,
    petitioner: name ? maskName(name) : null,
    overdue:
      !['closed', 'not-accepted', 'withdrawn'].includes(row.status) &&
      row.slaDueAt !== null &&
      new Date(row.slaDueAt) < now,
  };
}

/**
 * The choices the case centre's filters offer: the category dictionary (main classes before their items; a retired
 * entry only while cases use it), grids, and the staff who own cases.
 */
export async function caseFacets(db: Queryable): Promise<{
  categories: Array<{ code: string; parentCode: string | null; nameZh: string; nameEn: string }>;
  grids: Array<{ id: string; name: string }>;
  firstResponders: Array<{ id: string; displayName: string }>;
}> {
  const [categories, grids, firstResponders] = await Promise.all([
    listCategories(db).then((all) =>
      all
        .filter((c) => c.enabled)
        .map(({ code, parentCode, nameZh, nameEn }) => ({ code, parentCode, nameZh, nameEn })),
    ),
    db.query<{ id: string; name: string }>('SELECT id, name FROM grid ORDER BY code'),
    db.query<{ id: string; displayName: string }>(
      `SELECT u.id, u.display_name AS "displayName" FROM app_user u
       WHERE EXISTS (SELECT 1 FROM petition_case c WHERE c.first_responder_id = u.id) ORDER BY u.display_name`,
    ),
  ]);
  return { categories, grids, firstResponders };
}
