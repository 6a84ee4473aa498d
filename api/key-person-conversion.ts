/**
 * A key person's conversion (转化) recorded from their file: they joined the residents' council or the mediation
 * committee, or became a volunteer — on a day, with their consent and a note. The care process (key-person-care)
 * records a conversion the same way: a care visit proposes it, the service-team cadre confirms role and consent
 * (Task_ConfirmConversion, form confirm-conversion) and record-conversion keeps it; the person stays in the registry
 * and the visits go on. So when that confirmation task is open, recording it here completes it with the same role and
 * consent (its record-conversion then keeps the day and note given here); otherwise the conversion is kept directly.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { keyPersonFile } from '../domain/cases';
import { recordConversionByStaff } from '../domain/key-persons';
import { recordTaskEvent } from '../domain/task-history';
import { NOW, type ApiDeps } from './deps';
import { route, type Role, type RouteSpec } from './route';

const WRITE: Role[] = ['cadre', 'secretary', 'leader', 'admin'];
/** The roles the confirm-conversion form offers (and record-conversion accepts). */
export const CONVERSION_ROLES = ['volunteer', 'residents-council', 'mediation-committee'] as const;
const CONFIRM_TASK = 'Task_ConfirmConversion';

const Conversion = z
  .object({
    role: z.enum(CONVERSION_ROLES, {
      message:
        '转化身份应为志愿者、居民议事会成员或人民调解委员会成员 / the role is volunteer, residents-council or mediation-committee',
    }),
    convertedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '转化日期格式为 YYYY-MM-DD / a date YYYY-MM-DD' }),
    consent: z.literal(true, { message: '须经本人同意方可登记转化 / a conversion needs the person’s consent' }),
    note: z.string().trim().max(1000, { message: '说明不能超过 1000 字 / at most 1000 characters' }).optional(),
  })
  .strict();

/** The day `at` falls on in the time zone, YYYY-MM-DD. */
const dayIn = (at: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);

/** The open confirmation task of the person's care, if the process is waiting there. */
async function openConfirmation(deps: ApiDeps, processInstanceKey: string | null) {
  if (!processInstanceKey) return undefined;
  const { items } = await deps.engine().searchUserTasks(
    {
      filter: { processInstanceKey: processInstanceKey as never, elementId: CONFIRM_TASK as never, state: 'CREATED' },
      page: { limit: 1 },
    },
    NOW,
  );
  return (items ?? [])[0];
}

export const conversionRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/key-persons/:id/conversion',
    tag: 'key persons',
    summary:
      "Record a key person's conversion (role, day, consent, note); completes their care's open confirmation task with the same role and consent",
    access: WRITE,
    params: z.object({ id: z.uuid() }).strict(),
    body: Conversion,
    status: 201,
    async handle({ deps, user, params, body }) {
      const person = await keyPersonFile(deps.db, params.id, user.id);
      if (!person) throw problems.notFound({ zh: '重点人员档案不存在。', en: 'No such key-person file.' });
      if (person.status !== 'active')
        throw problems.conflict({ zh: '该人员已退出台账，不能再登记转化。', en: 'This person has left the registry.' });
      if (person.conversion_role)
        throw problems.conflict({ zh: '该人员已登记过转化。', en: "This person's conversion is recorded already." });
      const today = dayIn(deps.now(), deps.timeZone);
      const entered = dayIn(new Date(person.entered_at), deps.timeZone);
      // (entry is stamped by the database's clock, the day by the business clock: a bound only while they agree)
      const from = entered <= today ? entered : null;
      if (body.convertedOn > today || (from && body.convertedOn < from))
        throw problems.badRequest(
          {
            zh: `转化日期不能晚于今天（${today}）${from ? `，也不能早于纳入台账之日（${from}）` : ''}。`,
            en: `The day of conversion cannot be after today (${today})${from ? ` or before entry (${from})` : ''}.`,
          },
          { field: 'convertedOn' },
        );
      const task = await openConfirmation(deps, person.process_instance_key);
      const recorded = await recordConversionByStaff(deps.db, {
        personId: params.id,
        role: body.role,
        on: body.convertedOn,
        timeZone: deps.timeZone,
        note: body.note || null,
        byUserId: user.id,
      });
      if (!recorded)
        throw problems.conflict({ zh: '该人员已登记过转化。', en: "This person's conversion is recorded already." });
      if (task) {
        const userTaskKey = String(task.userTaskKey);
        await deps.engine().completeUserTask({
          userTaskKey,
          variables: { conversionRole: body.role, conversionConsent: true },
        });
        const at = deps.now().toISOString();
        await recordTaskEvent(deps.db, { userTaskKey, action: 'completed', actor: user.username, at });
      }
      return { role: body.role, convertedOn: body.convertedOn, note: body.note || null, confirmedTask: !!task };
    },
  }),
];
