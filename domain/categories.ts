/**
 * The category dictionary (事项类别字典): two levels, a main class (`property`) and its items (`property.leak`), each
 * with a Chinese and an English name and synonyms. Every name and synonym is a term of exactly one category
 * (`case_category_term`, lower case), so a term typed at intake, in a rule or in a filter resolves to one code.
 */
import type { Queryable } from '../platform/db';

export interface Category {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
  synonyms: string[];
  sortOrder: number;
  enabled: boolean;
  updatedAt: Date;
  updatedBy: string | null;
}

/** The columns of a category, read through the table alias `a`. */
const columns = (a: string) => `${a}.code, ${a}.parent_code AS "parentCode", ${a}.name_zh AS "nameZh",
  ${a}.name_en AS "nameEn", ${a}.synonyms, ${a}.sort_order AS "sortOrder", ${a}.enabled, ${a}.updated_at AS "updatedAt",
  ${a}.updated_by AS "updatedBy"`;

/** The whole dictionary, main classes each followed by their items, in the admins' order. */
export async function listCategories(db: Queryable): Promise<Category[]> {
  return db.query<Category>(
    `SELECT ${columns('c')} FROM case_category c
     ORDER BY (SELECT p.sort_order FROM case_category p WHERE p.code = COALESCE(c.parent_code, c.code)),
              COALESCE(c.parent_code, c.code), c.parent_code IS NOT NULL, c.sort_order, c.code`,
  );
}

/** One category by its code. */
export async function categoryByCode(db: Queryable, code: string): Promise<Category | undefined> {
  const [row] = await db.query<Category>(`SELECT ${columns('c')} FROM case_category c WHERE c.code = $1`, [code]);
  return row;
}

/**
 * The category a code, name or synonym (any case, trimmed) stands for, with whether it can be chosen now: it is
 * enabled and so is its main class.
 */
export async function resolveCategory(
  db: Queryable,
  codeOrTerm: string,
): Promise<(Category & { usable: boolean }) | undefined> {
  const key = codeOrTerm.trim();
  const [row] = await db.query<Category & { usable: boolean }>(
    `SELECT ${columns('c')}, c.enabled AND COALESCE(p.enabled, true) AS usable
     FROM case_category c LEFT JOIN case_category p ON p.code = c.parent_code
     WHERE c.code = $1 OR c.code = (SELECT t.code FROM case_category_term t WHERE t.term = lower($1))
     ORDER BY c.code = $1 DESC LIMIT 1`,
    [key],
  );
  return row;
}

/** The terms (names and synonyms, lower case) already taken by another category than `code`, with their owner. */
export async function takenTerms(
  db: Queryable,
  terms: string[],
  code: string,
): Promise<Array<{ term: string; code: string; nameZh: string }>> {
  return db.query(
    `SELECT t.term, t.code, c.name_zh AS "nameZh" FROM case_category_term t JOIN case_category c ON c.code = t.code
     WHERE t.term = ANY($1::text[]) AND t.code <> $2 ORDER BY t.term`,
    [terms.map((t) => t.toLowerCase()), code],
  );
}

export interface CategoryInput {
  nameZh: string;
  nameEn: string;
  synonyms: string[];
  sortOrder: number;
  enabled: boolean;
}

/** Adds a category and its terms (the caller has checked the terms are free, in the same transaction). */
export async function insertCategory(
  tx: Queryable,
  c: CategoryInput & { code: string; parentCode: string | null },
  actor: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO case_category (code, parent_code, name_zh, name_en, synonyms, sort_order, enabled, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [c.code, c.parentCode, c.nameZh, c.nameEn, c.synonyms, c.sortOrder, c.enabled, actor],
  );
  await writeTerms(tx, c.code, [c.nameZh, ...c.synonyms]);
}

/** Changes a category's names, synonyms, order or state, and its terms with them. */
export async function updateCategory(tx: Queryable, code: string, c: CategoryInput, actor: string): Promise<void> {
  await tx.query(
    `UPDATE case_category SET name_zh = $2, name_en = $3, synonyms = $4, sort_order = $5, enabled = $6,
       updated_at = now(), updated_by = $7 WHERE code = $1`,
    [code, c.nameZh, c.nameEn, c.synonyms, c.sortOrder, c.enabled, actor],
  );
  await tx.query('DELETE FROM case_category_term WHERE code = $1', [code]);
  await writeTerms(tx, code, [c.nameZh, ...c.synonyms]);
}

async function writeTerms(tx: Queryable, code: string, terms: string[]): Promise<void> {
  const unique = [...new Set(terms.map((t) => t.trim().toLowerCase()))];
  await tx.query('INSERT INTO case_category_term (term, code) SELECT unnest($1::text[]), $2', [unique, code]);
}

/** Serialises dictionary edits, so that two admins cannot give one term to two categories at once. */
export async function lockDictionary(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE case_category_term IN SHARE ROW EXCLUSIVE MODE');
}

/** How many enabled items the main class has. */
export async function enabledChildren(db: Queryable, code: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM case_category WHERE parent_code = $1 AND enabled',
    [code],
  );
  return row.n;
}

/**
 * A condition on a code column: the category itself or, for a main class, any of its items. `$n` is the code's
 * parameter. Codes hold only `[a-z0-9-.]`, so LIKE needs no escaping.
 */
export function codeOrItemsOf(column: string, parameter: string): string {
  return `(${column} = ${parameter} OR ${column} LIKE ${parameter} || '.%')`;
}
