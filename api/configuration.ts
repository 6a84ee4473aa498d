/**
 * Configuration admins keep: the targets and thresholds in force (the plan's unless an admin changed them), and the
 * notice texts (通知模板) an admin may replace, each shown with a sample.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { ROLES, route, type Role, type RouteSpec } from './route';
import { TARGETS } from './dashboard';
import { KEY_PERSON_THRESHOLD, KEY_PERSON_WINDOW_DAYS } from '../domain/key-persons';
import {
  PLACEHOLDERS,
  REQUIRED_PLACEHOLDERS,
  TEMPLATES,
  renderNotification,
  renderOverride,
  type NotificationParams,
  type NotificationTemplate,
} from '../domain/notification-templates';
import { dropTemplateOverride, saveTemplateOverride, templateOverrides } from '../domain/notifications';
import { saveSetting, storedSettings } from '../domain/settings';

/** Every staff role. */
const STAFF: Role[] = [...ROLES];

/** The settings an admin may change, each with its schema and the plan's value. */
const SETTINGS = {
  targets: {
    schema: z
      .object({
        avgHandlingWorkingDays: z.number().min(1).max(60),
        satisfactionPercent: z.number().min(1).max(100),
        repeatReduction: z.number().min(1).max(100),
        volunteerConversionPercent: z.number().min(1).max(100),
        campaignCoveragePercent: z.number().min(1).max(100),
      })
      .strict(),
    plan: TARGETS,
  },
  'key-person-rule': {
    schema: z
      .object({ windowDays: z.number().int().min(30).max(730), threshold: z.number().int().min(2).max(20) })
      .strict(),
    plan: { windowDays: KEY_PERSON_WINDOW_DAYS, threshold: KEY_PERSON_THRESHOLD },
  },
} as const;
type SettingKey = keyof typeof SETTINGS;

const TemplateParam = z
  .object({ template: z.enum(Object.keys(TEMPLATES) as [NotificationTemplate, ...NotificationTemplate[]]) })
  .strict();
const SAMPLE: NotificationParams = {
  caseNo: 'XF-2026-000123',
  caseCount: 3,
  category: '电梯故障',
  compound: '幸福里小区',
  owner: '李娜',
  legalReplyDueAt: '2026-10-13T15:59:59.999Z',
  legalDueAt: '2026-11-27T15:59:59.999Z',
  slaDueAt: '2026-10-10T16:00:00.000Z',
  slaRedAt: '2026-10-14T16:00:00.000Z',
  ratingUrl: 'https://xf.example.cn/rate/示例',
  ratingLinkExpiresAt: '2026-10-16T08:00:00.000Z',
};

/** Targets, the key-person rule and the notice texts. */
export const configurationRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/settings',
    tag: 'settings',
    summary: 'Targets and thresholds in force (the plan’s unless an admin changed them)',
    access: STAFF,
    async handle({ deps }) {
      const rows = await storedSettings(deps.db);
      return Object.fromEntries(
        (Object.keys(SETTINGS) as SettingKey[]).map((key) => {
          const row = rows.find((r) => r.key === key);
          return [
            key,
            {
              value: { ...SETTINGS[key].plan, ...((row?.value as object) ?? {}) },
              plan: SETTINGS[key].plan,
              updatedBy: row?.updated_by ?? null,
              updatedAt: row?.updated_at ?? null,
            },
          ];
        }),
      );
    },
  }),
  route({
    method: 'put',
    path: '/settings/:key',
    tag: 'settings',
    summary: 'Change targets or the key-person rule',
    access: ['admin'],
    params: z.object({ key: z.enum(Object.keys(SETTINGS) as [SettingKey, ...SettingKey[]]) }).strict(),
    body: z.record(z.string(), z.unknown()),
    async handle({ deps, user, params, body }) {
      const value = SETTINGS[params.key].schema.parse(body);
      await saveSetting(deps.db, params.key, JSON.stringify(value), user.username);
      return { key: params.key, value };
    },
  }),
  route({
    method: 'get',
    path: '/notification-templates',
    tag: 'settings',
    summary: 'The notice texts: built-in, the admin’s replacement if any, a sample of each, and the placeholders',
    access: ['admin'],
    async handle({ deps }) {
      const overrides = await templateOverrides(deps.db);
      return {
        placeholders: PLACEHOLDERS,
        items: (Object.keys(TEMPLATES) as NotificationTemplate[]).map((template) => {
          const o = overrides.find((x) => x.template === template);
          return {
            template,
            audience: TEMPLATES[template].audience,
            builtIn: renderNotification(template, SAMPLE, 'zh', deps.timeZone),
            override: o?.zh ?? null,
            sample: o
              ? renderOverride(o.zh, SAMPLE, deps.timeZone)
              : renderNotification(template, SAMPLE, 'zh', deps.timeZone),
            updatedBy: o?.updated_by ?? null,
            updatedAt: o?.updated_at ?? null,
          };
        }),
      };
    },
  }),
  route({
    method: 'put',
    path: '/notification-templates/:template',
    tag: 'settings',
    summary: 'Replace a notice text; placeholders such as {caseNo} are filled in when it is sent',
    access: ['admin'],
    params: TemplateParam,
    body: z.object({ zh: z.string().trim().min(5).max(300) }).strict(),
    async handle({ deps, user, params, body }) {
      const unknown = [...body.zh.matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1])
        .filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n));
      if (unknown.length > 0) {
        throw problems.badRequest({
          zh: `未知的占位符：${unknown.join('、')}（可用：${PLACEHOLDERS.join('、')}）`,
          en: `Unknown placeholders: ${unknown.join(', ')} (known: ${PLACEHOLDERS.join(', ')})`,
        });
      }
      if (!body.zh.includes('{caseNo}'))
        throw problems.badRequest({
          zh: '通知必须包含案件编号 {caseNo}。',
          en: 'A notice must carry the case number {caseNo}.',
        });
      const dropped = (REQUIRED_PLACEHOLDERS[params.template] ?? []).filter((name) => !body.zh.includes(`{${name}}`));
      if (dropped.length > 0) {
        const names = dropped.map((name) => `{${name}}`).join('、');
        throw problems.badRequest({
          zh: `此通知必须包含 ${names}（评价链接）。`,
          en: `This notice must carry ${names} (the rating link).`,
        });
      }
      if (/1\d{10}|\d{17}[\dXx]/.test(body.zh))
        throw problems.badRequest({
          zh: '通知文本不能包含手机号或身份证号。',
          en: 'A notice text must not contain a phone or ID number.',
        });
      await saveTemplateOverride(deps.db, params.template, body.zh, user.username);
      return { template: params.template, zh: body.zh, sample: renderOverride(body.zh, SAMPLE, deps.timeZone) };
    },
  }),
  route({
    method: 'delete',
    path: '/notification-templates/:template',
    tag: 'settings',
    summary: 'Go back to the built-in notice text',
    access: ['admin'],
    params: TemplateParam,
    async handle({ deps, params }) {
      await dropTemplateOverride(deps.db, params.template);
      return undefined;
    },
  }),
];
