/**
 * Settings admins keep: the working-day calendar (next year's holidays are published each November: an admin adds
 * them here), users and their roles; and the grids and compounds everyone picks from. Targets, thresholds and notice
 * texts are in `configuration.ts`.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { hashPassword } from '../platform/password';
import { calendarYear, calendarYears, setAdminYear, specialDays } from '../domain/calendar-data';
import { gridsWithCompounds } from '../domain/grids';
import { unlockAccount } from '../domain/sign-in-locks';
import {
  endSessions,
  insertUser,
  listUsers,
  replaceRoles,
  updateUser,
  userById,
  userExists,
  usernameTaken,
} from '../domain/users';
import { retryAfterCalendarChange } from './calendar-waits';
import { ROLES, route, type Role, type RouteSpec } from './route';

/** Every staff role. */
const STAFF: Role[] = [...ROLES];
const YearParam = z.object({ year: z.coerce.number().int().min(1990).max(2200) }).strict();
const IdParam = z.object({ id: z.uuid() }).strict();
const Password = z.string().min(10, { message: '密码至少 10 位 / a password has at least 10 characters' }).max(200);

/** The working-day calendar, staff accounts and the grids. */
export const settingsRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/calendar/years',
    tag: 'settings',
    summary: 'The years the working-day calendar holds, where each came from, and their holidays and adjusted workdays',
    access: STAFF,
    async handle({ deps }) {
      const items = await calendarYears(deps.db);
      return { items };
    },
  }),
  route({
    method: 'get',
    path: '/calendar/:year',
    tag: 'settings',
    summary: 'The special days of a year: holidays and adjusted workdays',
    access: STAFF,
    params: YearParam,
    async handle({ deps, params }) {
      const year = await calendarYear(deps.db, params.year);
      if (!year)
        throw problems.notFound({
          zh: `日历中没有 ${params.year} 年，请管理员添加。`,
          en: `The calendar has no ${params.year}: an admin must add it.`,
        });
      const days = await specialDays(deps.db, params.year);
      return { ...year, days };
    },
  }),
  route({
    method: 'put',
    path: '/calendar/:year',
    tag: 'settings',
    summary:
      "Set a year's holidays and adjusted workdays (every other day follows the week); complete=false keeps a draft",
    access: ['admin'],
    params: YearParam,
    body: z
      .object({
        days: z
          .array(
            z
              .object({
                day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
                isWorkday: z.boolean(),
                name: z.string().trim().min(1).max(50),
              })
              .strict(),
          )
          .max(366),
        complete: z.boolean().default(true),
      })
      .strict(),
    async handle({ deps, params, body }) {
      try {
        await setAdminYear(deps.db, params.year, body.days, { complete: body.complete });
      } catch (error) {
        throw problems.badRequest({
          zh: `日历数据有误：${(error as Error).message}`,
          en: `The calendar is not valid: ${(error as Error).message}`,
        });
      }
      // Deadlines that waited for this year are computed now (a draft year is not used yet).
      const waiting = body.complete ? await retryAfterCalendarChange(deps, params.year) : null;
      return {
        year: params.year,
        complete: body.complete,
        days: body.days.length,
        waitingRetried: waiting?.retried ?? 0,
      };
    },
  }),
  route({
    method: 'get',
    path: '/users',
    tag: 'settings',
    summary: 'Staff accounts and their roles',
    access: ['admin'],
    handle: async ({ deps }) => ({ items: await listUsers(deps.db) }),
  }),
  route({
    method: 'post',
    path: '/users',
    tag: 'settings',
    summary: 'Add a staff account',
    access: ['admin'],
    body: z
      .object({
        username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, {
          message: '用户名为小写字母、数字、点、横线 / lower-case letters, digits, dots, dashes',
        }),
        displayName: z.string().trim().min(1).max(50),
        password: Password,
        roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
      })
      .strict(),
    status: 201,
    async handle({ deps, body }) {
      if (await usernameTaken(deps.db, body.username))
        throw problems.conflict({
          zh: `用户名 ${body.username} 已存在。`,
          en: `The username ${body.username} is taken.`,
        });
      const hash = await hashPassword(body.password);
      const id = await deps.db.transaction((tx) =>
        insertUser(tx, {
          username: body.username,
          displayName: body.displayName,
          passwordHash: hash,
          roles: body.roles,
        }),
      );
      return userById(deps.db, id);
    },
  }),
  route({
    method: 'put',
    path: '/users/:id',
    tag: 'settings',
    summary: 'Change a staff account: name, roles, active, a new password (which also unlocks it)',
    access: ['admin'],
    params: IdParam,
    body: z
      .object({
        displayName: z.string().trim().min(1).max(50).optional(),
        roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length).optional(),
        active: z.boolean().optional(),
        password: Password.optional(),
      })
      .strict(),
    async handle({ deps, user: me, params, body }) {
      if (!(await userExists(deps.db, params.id))) throw problems.notFound({ zh: '用户不存在。', en: 'No such user.' });
      if (params.id === me.id && (body.active === false || (body.roles && !body.roles.includes('admin')))) {
        throw problems.conflict({
          zh: '不能停用自己或去掉自己的管理员角色。',
          en: 'You cannot deactivate yourself or drop your own admin role.',
        });
      }
      const hash = body.password ? await hashPassword(body.password) : null;
      await deps.db.transaction(async (tx) => {
        await updateUser(tx, params.id, {
          displayName: body.displayName ?? null,
          active: body.active ?? null,
          passwordHash: hash,
        });
        if (body.roles) await replaceRoles(tx, params.id, body.roles);
        if (body.active === false || hash) await endSessions(tx, params.id);
        if (hash) await unlockAccount(tx, params.id);
      });
      return userById(deps.db, params.id);
    },
  }),
  route({
    method: 'post',
    path: '/users/:id/unlock',
    tag: 'settings',
    summary:
      'Unlock a staff account locked by wrong passwords: from every address, and for addresses it has not signed in from',
    access: ['admin'],
    params: IdParam,
    async handle({ deps, params }) {
      if (!(await userExists(deps.db, params.id))) throw problems.notFound({ zh: '用户不存在。', en: 'No such user.' });
      await unlockAccount(deps.db, params.id);
      return userById(deps.db, params.id);
    },
  }),
  route({
    method: 'get',
    path: '/grids',
    tag: 'grids',
    summary: 'The grids with their compounds (households) and grid worker',
    access: STAFF,
    async handle({ deps }) {
      const items = await gridsWithCompounds(deps.db);
      return { items };
    },
  }),
];
