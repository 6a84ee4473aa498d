/**
 * The category dictionary as staff pick from it and admins keep it: two levels, codes, names in Chinese and English,
 * synonyms. Each entry carries its pinyin (full and initials) so a picker finds 噪声扰民 by "zs" or "zaosheng".
 * Entries are retired (disabled), never deleted: cases, rules and hazard records keep their codes.
 */
import { z } from 'zod';
import { pinyin } from 'pinyin-pro';
import { problems } from '../platform/problem';
import type { Queryable } from '../platform/db';
import {
  categoryByCode,
  enabledChildren,
  insertCategory,
  listCategories,
  lockDictionary,
  resolveCategory,
  takenTerms,
  updateCategory,
  type Category,
  type CategoryInput,
} from '../domain/categories';
import { route, type RouteSpec } from './route';

const Term = z.string().trim().min(1).max(30);
const Fields = {
  nameZh: Term,
  nameEn: z.string().trim().min(1).max(60),
  synonyms: z.array(Term).max(30).default([]),
  sortOrder: z.number().int().min(0).max(100000).default(0),
  enabled: z.boolean().default(true),
};
const Code = z.string().regex(/^[a-z][a-z0-9-]{0,30}(\.[a-z][a-z0-9-]{0,30})?$/, {
  message:
    '类别代码由小写字母、数字和横线组成，小类写作“大类代码.小类代码”，如 property.leak / a code is lower-case letters, digits and dashes; an item is "class.item", e.g. property.leak',
});

/** An entry as the picker and the settings page show it. */
function shown(c: Category) {
  const names = [c.nameZh, ...c.synonyms].join(' ');
  return {
    ...c,
    level: c.parentCode ? 2 : 1,
    pinyin: pinyin(names, { toneType: 'none', separator: '', nonZh: 'consecutive' }).toLowerCase(),
    initials: [c.nameZh, ...c.synonyms]
      .map((n) => pinyin(n, { pattern: 'first', toneType: 'none', separator: '', nonZh: 'consecutive' }).toLowerCase())
      .join(' '),
  };
}

/**
 * The category a code, name or synonym stands for, for filing a case, a rule or a hazard; a clear 400 when it is not
 * in the dictionary or retired.
 */
export async function categoryFor(db: Queryable, given: string): Promise<Category> {
  const found = await resolveCategory(db, given);
  if (!found)
    throw problems.badRequest({
      zh: `事项类别“${given}”不在类别字典中。请从列表中选择；需要新类别时请管理员在“设置 → 事项类别”中添加。`,
      en: `The category "${given}" is not in the category dictionary. Pick one from the list, or ask an admin to add it under Settings → Categories.`,
    });
  if (!found.usable)
    throw problems.badRequest({
      zh: `事项类别“${found.nameZh}”已停用，请选择其他类别。`,
      en: `The category "${found.nameEn}" is retired: pick another.`,
    });
  return found;
}

/**
 * The dictionary code a filter names (a code, name or synonym; a retired entry too, since old cases carry it); a clear
 * 400 when it is not in the dictionary.
 */
export async function filterCategoryCode(db: Queryable, given: string): Promise<string> {
  const found = await resolveCategory(db, given);
  if (!found)
    throw problems.badRequest({
      zh: `事项类别“${given}”不在类别字典中。`,
      en: `The category "${given}" is not in the category dictionary.`,
    });
  return found.code;
}

/** Refuses names or synonyms another entry already has, naming that entry. */
async function checkTermsFree(tx: Queryable, code: string, input: CategoryInput): Promise<void> {
  const terms = [input.nameZh, ...input.synonyms];
  const taken = await takenTerms(tx, terms, code);
  if (taken.length === 0) return;
  const list = taken.map((t) => `“${t.term}”（${t.nameZh}）`).join('、');
  throw problems.conflict({
    zh: `${list}已是其他类别的名称或同义词。一个词只能对应一个类别。`,
    en: `${taken.map((t) => `"${t.term}" (${t.code})`).join(', ')} already name another category: a term means one category only.`,
  });
}

export const categoryRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/categories',
    tag: 'settings',
    summary: 'The category dictionary: main classes and their items, with synonyms and pinyin for searching',
    access: 'signed-in',
    query: z.object({ all: z.enum(['true', 'false']).default('false') }).strict(),
    async handle({ deps, query }) {
      const items = await listCategories(deps.db);
      const off = new Set(items.filter((c) => !c.enabled).map((c) => c.code));
      const usable = (c: Category) => c.enabled && !(c.parentCode && off.has(c.parentCode));
      return { items: items.filter((c) => query.all === 'true' || usable(c)).map(shown) };
    },
  }),
  route({
    method: 'post',
    path: '/categories',
    tag: 'settings',
    summary: 'Add a main class (code without a dot) or an item of one (code "class.item")',
    access: ['admin'],
    status: 201,
    body: z.object({ code: Code, ...Fields }).strict(),
    async handle({ deps, body, user }) {
      const parentCode = body.code.includes('.') ? body.code.slice(0, body.code.indexOf('.')) : null;
      await deps.db.transaction(async (tx) => {
        await lockDictionary(tx);
        if (await categoryByCode(tx, body.code))
          throw problems.conflict({
            zh: `类别代码 ${body.code} 已存在。`,
            en: `The code ${body.code} is taken.`,
          });
        if (parentCode && !(await categoryByCode(tx, parentCode)))
          throw problems.badRequest({
            zh: `大类 ${parentCode} 不存在，请先添加大类。`,
            en: `There is no main class ${parentCode}: add it first.`,
          });
        await checkTermsFree(tx, body.code, body);
        await insertCategory(tx, { ...body, parentCode }, user.username);
      });
      return shown((await categoryByCode(deps.db, body.code))!);
    },
  }),
  route({
    method: 'put',
    path: '/categories/:code',
    tag: 'settings',
    summary: "Change a category's names, synonyms, order, or retire it (enabled=false); its code stays",
    access: ['admin'],
    params: z.object({ code: Code }).strict(),
    body: z.object(Fields).strict(),
    async handle({ deps, params, body, user }) {
      await deps.db.transaction(async (tx) => {
        await lockDictionary(tx);
        const current = await categoryByCode(tx, params.code);
        if (!current) throw problems.notFound({ zh: '没有这个类别。', en: 'No such category.' });
        if (!current.parentCode && !body.enabled && (await enabledChildren(tx, params.code)) > 0)
          throw problems.conflict({
            zh: `请先停用“${current.nameZh}”下的各个小类，再停用这个大类。`,
            en: `Retire the items of "${current.nameEn}" before the main class.`,
          });
        await checkTermsFree(tx, params.code, body);
        await updateCategory(tx, params.code, body, user.username);
      });
      return shown((await categoryByCode(deps.db, params.code))!);
    },
  }),
];
