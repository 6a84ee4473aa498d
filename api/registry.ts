/**
 * The key-person registry: one file per person (their petitions, the service team, the visits, the plan), entry by
 * staff (e.g. after a visit to a higher level — the petition rule enters people by itself), exit (the care process
 * ends by the `key-person-exited` message), and the conversions their care recorded.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { maskName } from '../platform/pii';
import { conversionDetail, enterRegistry, exitRegistry, updateCarePlan } from '../domain/key-persons';
import {
  isResidentReachable,
  keyPersonFile,
  keyPersonFiles,
  residentPetitions,
  type KeyPersonFile,
} from '../domain/cases';
import { NOW, type ApiDeps } from './deps';
import { keyPersonDeps } from './intake';
import { findReachableCase, gridScope } from './case-access';
import { route, type Role, type RouteSpec } from './route';
import { MESSAGES } from '../bpmn/job-types';

const READ: Role[] = ['cadre', 'secretary', 'leader', 'admin', 'reception', 'grid-worker'];
const WRITE: Role[] = ['cadre', 'secretary', 'leader', 'admin'];
const IdParam = z.object({ id: z.uuid() }).strict();

const summary = (p: KeyPersonFile) => ({
  id: p.id,
  residentId: p.resident_id,
  name: p.name ? maskName(p.name) : null,
  compound: p.compound,
  status: p.status,
  reason: p.reason,
  enteredAt: p.entered_at,
  exitedAt: p.exited_at,
  exitReason: p.exit_reason,
  serviceTeam: { lead: p.team_lead, volunteer: p.team_volunteer, professional: p.team_professional },
  conversion: p.conversion_role ? { role: p.conversion_role, at: p.converted_at } : null,
  plan: p.plan,
  petitionsLastYear: p.petitions_365,
  repeatPetitions: p.repeats,
});

/** A key person's file as `readerId` may reach it: the file of someone whose petition accuses the reader does not exist for them. */
async function person(deps: ApiDeps, id: string, readerId: string): Promise<KeyPersonFile> {
  const row = await keyPersonFile(deps.db, id, readerId);
  if (!row) throw problems.notFound({ zh: '重点人员档案不存在。', en: 'No such key-person file.' });
  return row;
}

export const registryRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/key-persons',
    tag: 'key persons',
    summary: 'The registry (active by default), with petitions in the last year and repeats since entry',
    access: READ,
    query: z.object({ status: z.enum(['active', 'exited', 'all']).default('active') }).strict(),
    async handle({ deps, query, user }) {
      const rows = await keyPersonFiles(deps.db, query.status, user.id);
      return { items: rows.map(summary) };
    },
  }),
  route({
    method: 'get',
    path: '/key-persons/:id',
    tag: 'key persons',
    summary: "A key person's file: their petitions, service team, visits and plan",
    access: READ,
    params: IdParam,
    async handle({ deps, params, user }) {
      const p = await person(deps, params.id, user.id);
      // (only the petitions the reader reaches: none accusing them, Art 30; a grid worker's of their own grids)
      const petitions = await residentPetitions(deps.db, p.resident_id, user.id, await gridScope(deps, user));
      let visits: Array<{ at: unknown; state: string }> = [];
      if (p.process_instance_key) {
        const { items } = await deps.engine().searchElementInstances(
          {
            filter: { processInstanceKey: p.process_instance_key as never, elementId: 'Task_CareVisit' as never },
            page: { limit: 200 },
          },
          NOW,
        );
        visits = (items ?? []).map((e) => ({ at: e.endDate ?? e.startDate, state: String(e.state) }));
      }
      // A conversion shows its note and who recorded it from this page (none: the care process did).
      const conversion = p.conversion_role
        ? { role: p.conversion_role, at: p.converted_at, ...(await conversionDetail(deps.db, p.id)) }
        : null;
      return { ...summary(p), conversion, petitions, visits };
    },
  }),
  route({
    method: 'post',
    path: '/key-persons',
    tag: 'key persons',
    summary:
      'Enter a resident in the registry by hand (e.g. after a visit to a higher level), named by id or by the case number of one of their petitions; their care starts',
    access: WRITE,
    body: z
      .object({
        residentId: z.uuid().optional(),
        caseNo: z
          .string()
          .trim()
          .regex(/^XF-\d{4}-\d{6}$/, {
            message: '案件编号形如 XF-2026-000123 / a case number looks like XF-2026-000123',
          })
          .optional(),
        reason: z.enum(['higher-level-visit', 'repeat-petitions']).default('higher-level-visit'),
      })
      .strict()
      .refine((b) => (b.residentId ? 1 : 0) + (b.caseNo ? 1 : 0) === 1, {
        message: '请给出居民 residentId 或其信访件编号 caseNo（二者之一） / give residentId or caseNo (one of them)',
      }),
    status: 201,
    async handle({ deps, user, body }) {
      let residentId = body.residentId;
      if (body.caseNo) {
        // The petitioner of a case the staff member reaches (a case accusing them does not exist for them, Art 30).
        const c = await findReachableCase(deps, { caseNo: body.caseNo }, user);
        if (!c)
          throw problems.badRequest(
            { zh: `信访件 ${body.caseNo} 不存在。`, en: `No case ${body.caseNo}.` },
            { field: 'caseNo' },
          );
        if (!c.resident_id)
          throw problems.badRequest(
            {
              zh: '该信访件为匿名信访，没有可登记的居民。',
              en: 'That case is anonymous: there is no resident to enter.',
            },
            { field: 'caseNo' },
          );
        residentId = c.resident_id;
      }
      // A resident whose petition accuses the staff member is not theirs to enter (answered as one that does not exist).
      if (!(await isResidentReachable(deps.db, residentId, user.id)))
        throw problems.badRequest({ zh: '居民不存在。', en: 'The resident does not exist.' }, { field: 'residentId' });
      const { keyPersonId } = await enterRegistry(keyPersonDeps(deps), residentId!, body.reason);
      return summary(await person(deps, keyPersonId, user.id));
    },
  }),
  route({
    method: 'put',
    path: '/key-persons/:id',
    tag: 'key persons',
    summary: "Update a key person's plan (一人一策) and service team members",
    access: WRITE,
    params: IdParam,
    body: z
      .object({
        plan: z.string().trim().max(5000).optional(),
        teamVolunteer: z.string().trim().max(100).optional(),
        teamProfessional: z.string().trim().max(100).optional(),
      })
      .strict(),
    async handle({ deps, params, body, user }) {
      await person(deps, params.id, user.id);
      await updateCarePlan(deps.db, params.id, {
        plan: body.plan ?? null,
        teamVolunteer: body.teamVolunteer ?? null,
        teamProfessional: body.teamProfessional ?? null,
      });
      return summary(await person(deps, params.id, user.id));
    },
  }),
  route({
    method: 'post',
    path: '/key-persons/:id/exit',
    tag: 'key persons',
    summary: 'A person leaves the registry; their care process ends',
    access: WRITE,
    params: IdParam,
    body: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
    async handle({ deps, params, body, user }) {
      const p = await person(deps, params.id, user.id);
      if (p.status !== 'active')
        throw problems.conflict({ zh: '该人员已退出台账。', en: 'This person has already left the registry.' });
      // The message first (idempotent by its id): if the engine is away nothing changes and the user can retry.
      try {
        await deps.engine().publishMessage({
          name: MESSAGES.keyPersonExited,
          correlationKey: params.id,
          messageId: `key-person-exited-${params.id}`,
          timeToLive: 24 * 3600 * 1000,
        });
      } catch (error) {
        if ((error as { status?: number }).status !== 409) {
          deps.log.warn({ err: error, keyPersonId: params.id }, 'exit not delivered to the engine');
          throw problems.unavailable({
            zh: '流程引擎暂不可用，请稍后再试。',
            en: 'The process engine is unavailable: try again shortly.',
          });
        }
      }
      await exitRegistry(deps.db, params.id, body.reason);
      return summary(await person(deps, params.id, user.id));
    },
  }),
];
