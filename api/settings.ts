/**
 * Settings admins keep: the working-day calendar (next year's holidays are published each November: an admin adds
 * them here), users and their roles; and the grids and compounds everyone picks from. Targets, thresholds and notice
 * texts are in `configuration.ts`.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { hashPassword } from '../platform/password';
import { setAdminYear } from '../domain/calendar-data';
import { retryAfterCalendarChange } from './calendar-waits';
import { ROLES, route, type Role, type RouteSpec } from './route';
import { lockedUntilSql, unlockAccount } from './auth';

/** Every staff role. */
const STAFF: Role[] = [...ROLES];
const YearParam = z.object({ year: z.coerce.number().int().min(1990).max(2200) }).strict();
const IdParam = z.object({ id: z.uuid() }).strict();
const Password = z.string().min(10, { message: '密码至少 10 位 / a password has at least 10 characters' }).max(200);

const USER_SQL = `
  SELECT u.id, u.username, u.display_name AS "displayName", u.active, ${lockedUntilSql('u.id')} AS "lockedUntil",
         COALESCE(array_agg(r.role_id ORDER BY r.role_id) FILTER (WHERE r.role_id IS NOT NULL), '{}') AS roles
  FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id`;

/** The working-day calendar, staff accounts and the grids. */
export const settingsRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/calendar/years',
    tag: 'settings',
    summary: 'The years the working-day calendar holds, where each came from, and their holidays and adjusted workdays',
    access: STAFF,
    async handle({ deps }) {
      const items = await deps.db.query(
        `SELECT y.year, y.source, y.complete, y.updated_at AS "updatedAt",
                count(c.day) FILTER (WHERE NOT c.is_workday AND extract(isodow FROM c.day) < 6)::int AS holidays,
                count(c.day) FILTER (WHERE c.is_workday AND extract(isodow FROM c.day) >= 6)::int AS "adjustedWorkdays"
         FROM work_calendar_year y LEFT JOIN work_calendar c ON c.day BETWEEN make_date(y.year, 1, 1) AND make_date(y.year, 12, 31)
         GROUP BY y.year ORDER BY y.year`,
      );
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
      const [year] = await deps.db.query('SELECT year, source, complete FROM work_calendar_year WHERE year = $1', [
        params.year,
      ]);
      if (!year)
        throw problems.notFound({
          zh: `日历中没有 ${params.year} 年，请管理员添加。`,
          en: `The calendar has no ${params.year}: an admin must add it.`,
        });
      const days = await deps.db.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, is_workday AS "isWorkday", name FROM work_calendar
         WHERE day BETWEEN make_date($1, 1, 1) AND make_date($1, 12, 31)
           AND (is_workday = (extract(isodow FROM day) >= 6)) ORDER BY day`,
        [params.year],
      );
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
    handle: async ({ deps }) => ({ items: await deps.db.query(`${USER_SQL} GROUP BY u.id ORDER BY u.username`) }),
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
      const [taken] = await deps.db.query('SELECT 1 FROM app_user WHERE username = $1', [body.username]);
      if (taken)
        throw problems.conflict({
          zh: `用户名 ${body.username} 已存在。`,
          en: `The username ${body.username} is taken.`,
        });
      const hash = await hashPassword(body.password);
      const id = await deps.db.transaction(async (tx) => {
        const [row] = await tx.query<{ id: string }>(
          'INSERT INTO app_user (username, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id',
          [body.username, body.displayName, hash],
        );
        for (const role of new Set(body.roles))
          await tx.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [row.id, role]);
        return row.id;
      });
      const [user] = await deps.db.query(`${USER_SQL} WHERE u.id = $1 GROUP BY u.id`, [id]);
      return user;
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
      const [exists] = await deps.db.query('SELECT 1 FROM app_user WHERE id = $1', [params.id]);
      if (!exists) throw problems.notFound({ zh: '用户不存在。', en: 'No such user.' });
      if (params.id === me.id && (body.active === false || (body.roles && !body.roles.includes('admin')))) {
        throw problems.conflict({
          zh: '不能停用自己或去掉自己的管理员角色。',
          en: 'You cannot deactivate yourself or drop your own admin role.',
        });
      }
      const hash = body.password ? await hashPassword(body.password) : null;
      await deps.db.transaction(async (tx) => {
        await tx.query(
          `UPDATE app_user SET display_name = COALESCE($2, display_name), active = COALESCE($3, active),
             password_hash = COALESCE($4, password_hash),
             failed_logins = CASE WHEN $4::text IS NULL THEN failed_logins ELSE 0 END,
             locked_until = CASE WHEN $4::text IS NULL THEN locked_until END, updated_at = now()
           WHERE id = $1`,
          [params.id, body.displayName ?? null, body.active ?? null, hash],
        );
        if (body.roles) {
          await tx.query('DELETE FROM user_role WHERE user_id = $1', [params.id]);
          for (const role of new Set(body.roles))
            await tx.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [params.id, role]);
        }
        if (body.active === false || hash) await tx.query('DELETE FROM user_session WHERE user_id = $1', [params.id]);
        if (hash) await unlockAccount(tx, params.id);
      });
      const [user] = await deps.db.query(`${USER_SQL} WHERE u.id = $1 GROUP BY u.id`, [params.id]);
      return user;
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
      const [exists] = await deps.db.query('SELECT 1 FROM app_user WHERE id = $1', [params.id]);
      if (!exists) throw problems.notFound({ zh: '用户不存在。', en: 'No such user.' });
      await unlockAccount(deps.db, params.id);
      const [user] = await deps.db.query(`${USER_SQL} WHERE u.id = $1 GROUP BY u.id`, [params.id]);
      return user;
    },
  }),
  route({
    method: 'get',
    path: '/grids',
    tag: 'grids',
    summary: 'The grids with their compounds (households) and grid worker',
    access: STAFF,
    async handle({ deps }) {
      const items = await deps.db.query(
        `SELECT g.id, g.code, g.name, u.username AS "gridWorker",
                COALESCE(json_agg(json_build_object('id', c.id, 'name', c.name, 'households', c.households) ORDER BY c.name) FILTER (WHERE c.id IS NOT NULL), '[]') AS compounds
         FROM grid g LEFT JOIN app_user u ON u.id = g.grid_worker_id LEFT JOIN compound c ON c.grid_id = g.id
         GROUP BY g.id, u.username ORDER BY g.code`,
      );
      return { items };
    },
  }),
];
