/**
 * Admins keep the grids (网格) and their compounds (小区): add, rename (a grid's worker too; a compound's households),
 * retire and reinstate. Nothing cases, patrols or alerts name is deleted: a retired one is kept for them and offered
 * for nothing new. Every change is recorded with who made it; everyone on staff reads the register.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { casesPerCompound } from '../domain/cases';
import {
  compoundNameTaken,
  compoundRow,
  compoundsInUse,
  gridChanges,
  gridNamed,
  gridRegister,
  gridRow,
  gridWorkerByUsername,
  insertCompound,
  insertGrid,
  logGridChange,
  setCompoundRetired,
  setGridRetired,
  updateCompound,
  updateGrid,
} from '../domain/grid-admin';
import type { ApiDeps } from './deps';
import { ROLES, route, type RouteSpec } from './route';

const IdParam = z.object({ id: z.uuid() }).strict();
const GridCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,10}$/, {
    message: '网格编号为 1–10 位字母、数字或横线，如 G08 / a grid code is 1–10 letters, digits or dashes, e.g. G08',
  });
const Name = (what: string, en: string) =>
  z
    .string()
    .trim()
    .min(1, { message: `请填写${what} / ${en} is required` })
    .max(50, { message: `${what}不能超过 50 个字 / ${en} has at most 50 characters` });
const Households = z
  .number()
  .int({ message: '户数应为整数 / households is a whole number' })
  .min(0, { message: '户数不能为负 / households cannot be negative' })
  .max(100_000, { message: '户数不能超过 100000 / at most 100000 households' });
const GridWorker = z.string().trim().min(1).max(64).nullable();

async function gridOrNotFound(deps: ApiDeps, id: string) {
  const grid = await gridRow(deps.db, id);
  if (!grid) throw problems.notFound({ zh: '网格不存在。', en: 'No such grid.' });
  return grid;
}

async function compoundOrNotFound(deps: ApiDeps, id: string) {
  const compound = await compoundRow(deps.db, id);
  if (!compound) throw problems.notFound({ zh: '小区不存在。', en: 'No such compound.' });
  return compound;
}

/** The user id of the grid worker named (null: none); refused when the username is not an active grid worker. */
async function gridWorkerId(deps: ApiDeps, username: string | null): Promise<string | null> {
  if (username === null) return null;
  const worker = await gridWorkerByUsername(deps.db, username);
  if (!worker)
    throw problems.badRequest(
      {
        zh: `${username} 不是在岗的网格员：请先在“设置”中为其添加“网格员”角色。`,
        en: `${username} is not an active grid worker: give them the grid-worker role in the settings first.`,
      },
      { field: 'gridWorker' },
    );
  return worker.id;
}

async function uniqueGrid(deps: ApiDeps, g: { code?: string; name?: string; except?: string }): Promise<void> {
  const other = await gridNamed(deps.db, g);
  if (!other) return;
  const sameCode = g.code !== undefined && other.code.toLowerCase() === g.code.toLowerCase();
  throw problems.conflict(
    sameCode
      ? { zh: `网格编号 ${g.code} 已被“${other.name}”使用。`, en: `The grid code ${g.code} is used by ${other.name}.` }
      : { zh: `已有名为“${g.name}”的网格（${other.code}）。`, en: `There is a grid named ${g.name} (${other.code}).` },
  );
}

async function uniqueCompound(deps: ApiDeps, gridId: string, name: string, except: string | null): Promise<void> {
  if (await compoundNameTaken(deps.db, gridId, name, except))
    throw problems.conflict({
      zh: `该网格已有名为“${name}”的小区（含已停用的）。`,
      en: `The grid already has a compound named ${name} (retired ones count).`,
    });
}

/** Who did it and when, for the change record. */
const stamp = (deps: ApiDeps, actorId: string) => ({ actorId, at: deps.now().toISOString() });

const gridRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/grid-register',
    tag: 'grids',
    summary: 'Every grid and compound, retired ones too (with how many cases name each), and the latest changes',
    access: [...ROLES],
    async handle({ deps }) {
      const cases = await casesPerCompound(deps.db);
      const items = (await gridRegister(deps.db)).map((g) => ({
        ...g,
        compounds: g.compounds.map((c) => ({ ...c, cases: cases.get(c.id) ?? 0 })),
      }));
      return { items, changes: await gridChanges(deps.db) };
    },
  }),
  route({
    method: 'post',
    path: '/grids',
    tag: 'grids',
    summary: 'Add a grid (code, name, grid worker by username)',
    access: ['admin'],
    body: z
      .object({ code: GridCode, name: Name('网格名称', 'the grid name'), gridWorker: GridWorker.default(null) })
      .strict(),
    status: 201,
    async handle({ deps, user, body }) {
      await uniqueGrid(deps, { code: body.code, name: body.name });
      const workerId = await gridWorkerId(deps, body.gridWorker);
      const id = await deps.db.transaction(async (tx) => {
        const id = await insertGrid(tx, { code: body.code, name: body.name, gridWorkerId: workerId });
        await logGridChange(tx, { ...stamp(deps, user.id), kind: 'grid', targetId: id, action: 'add', detail: body });
        return id;
      });
      return gridRow(deps.db, id);
    },
  }),
  route({
    method: 'put',
    path: '/grids/:id',
    tag: 'grids',
    summary: "Rename a grid or change its grid worker (null: none); its code and the cases' grid stay",
    access: ['admin'],
    params: IdParam,
    body: z
      .object({ name: Name('网格名称', 'the grid name').optional(), gridWorker: GridWorker.optional() })
      .strict()
      .refine((b) => b.name !== undefined || b.gridWorker !== undefined, {
        message: '请给出新的名称或网格员 / give a new name or grid worker',
      }),
    async handle({ deps, user, params, body }) {
      const before = await gridOrNotFound(deps, params.id);
      if (body.name !== undefined) await uniqueGrid(deps, { name: body.name, except: params.id });
      const workerId = body.gridWorker === undefined ? undefined : await gridWorkerId(deps, body.gridWorker);
      await deps.db.transaction(async (tx) => {
        await updateGrid(tx, params.id, { name: body.name, gridWorkerId: workerId });
        await logGridChange(tx, {
          ...stamp(deps, user.id),
          kind: 'grid',
          targetId: params.id,
          action: 'change',
          detail: { before: { name: before.name }, after: body },
        });
      });
      return gridRow(deps.db, params.id);
    },
  }),
  route({
    method: 'post',
    path: '/grids/:id/retire',
    tag: 'grids',
    summary: 'Retire a grid whose compounds are all retired: kept for what names it, offered for nothing new',
    access: ['admin'],
    params: IdParam,
    body: z.object({ retired: z.boolean().default(true) }).strict(),
    async handle({ deps, user, params, body }) {
      const grid = await gridOrNotFound(deps, params.id);
      if (body.retired && (await compoundsInUse(deps.db, params.id)) > 0)
        throw problems.conflict({
          zh: `网格“${grid.name}”还有在用的小区：请先停用这些小区，再停用网格。`,
          en: `The grid ${grid.name} still has compounds in use: retire them first.`,
        });
      await deps.db.transaction(async (tx) => {
        const s = stamp(deps, user.id);
        await setGridRetired(tx, params.id, body.retired, s.at);
        const action = body.retired ? 'retire' : 'reinstate';
        await logGridChange(tx, { ...s, kind: 'grid', targetId: params.id, action, detail: { name: grid.name } });
      });
      return gridRow(deps.db, params.id);
    },
  }),
];

const compoundRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/compounds',
    tag: 'grids',
    summary: 'Add a compound to a grid in use (name, households)',
    access: ['admin'],
    body: z
      .object({ gridId: z.uuid(), name: Name('小区名称', 'the compound name'), households: Households.default(0) })
      .strict(),
    status: 201,
    async handle({ deps, user, body }) {
      const grid = await gridRow(deps.db, body.gridId);
      if (!grid) throw problems.badRequest({ zh: '网格不存在。', en: 'No such grid.' }, { field: 'gridId' });
      if (grid.retired_at)
        throw problems.conflict({
          zh: `网格“${grid.name}”已停用，不能再添加小区。`,
          en: `The grid ${grid.name} is retired: no compound is added to it.`,
        });
      await uniqueCompound(deps, body.gridId, body.name, null);
      const id = await deps.db.transaction(async (tx) => {
        const id = await insertCompound(tx, body);
        await logGridChange(tx, {
          ...stamp(deps, user.id),
          kind: 'compound',
          targetId: id,
          action: 'add',
          detail: { ...body, grid: grid.name },
        });
        return id;
      });
      return compoundRow(deps.db, id);
    },
  }),
  route({
    method: 'put',
    path: '/compounds/:id',
    tag: 'grids',
    summary: 'Rename a compound or change its households (it stays in its grid)',
    access: ['admin'],
    params: IdParam,
    body: z
      .object({ name: Name('小区名称', 'the compound name').optional(), households: Households.optional() })
      .strict()
      .refine((b) => b.name !== undefined || b.households !== undefined, {
        message: '请给出新的名称或户数 / give a new name or households',
      }),
    async handle({ deps, user, params, body }) {
      const before = await compoundOrNotFound(deps, params.id);
      if (body.name !== undefined) await uniqueCompound(deps, before.grid_id, body.name, params.id);
      await deps.db.transaction(async (tx) => {
        await updateCompound(tx, params.id, body);
        await logGridChange(tx, {
          ...stamp(deps, user.id),
          kind: 'compound',
          targetId: params.id,
          action: 'change',
          detail: { before: { name: before.name, households: before.households }, after: body },
        });
      });
      return compoundRow(deps.db, params.id);
    },
  }),
  route({
    method: 'post',
    path: '/compounds/:id/retire',
    tag: 'grids',
    summary: 'Retire a compound (retired=false: back in use): kept for the cases that name it, offered for nothing new',
    access: ['admin'],
    params: IdParam,
    body: z.object({ retired: z.boolean().default(true) }).strict(),
    async handle({ deps, user, params, body }) {
      const compound = await compoundOrNotFound(deps, params.id);
      if (!body.retired && (await gridRow(deps.db, compound.grid_id))?.retired_at)
        throw problems.conflict({
          zh: '所在网格已停用：请先恢复网格，再恢复小区。',
          en: 'Its grid is retired: reinstate the grid first.',
        });
      await deps.db.transaction(async (tx) => {
        const s = stamp(deps, user.id);
        await setCompoundRetired(tx, params.id, body.retired, s.at);
        const action = body.retired ? 'retire' : 'reinstate';
        await logGridChange(tx, {
          ...s,
          kind: 'compound',
          targetId: params.id,
          action,
          detail: { name: compound.name },
        });
      });
      return compoundRow(deps.db, params.id);
    },
  }),
];

/** The admins' grid and compound routes, and the register everyone reads. */
export const gridAdminRoutes: RouteSpec[] = [...gridRoutes, ...compoundRoutes];
