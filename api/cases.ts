/**
 * Petitions' routes: intake and its duplicate check (intake.ts), the case page (case-page.ts) and its
 * diagram, handing a case to another first responder.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { route, type Role, type RouteSpec } from './route';
import { NOW, type ApiDeps } from './deps';
import { caseNotFound, reachableCase } from './case-access';
import { caseBeforeTransfer, recordOwnerTransferred, transferOwner as changeOwner } from '../domain/cases';
import { logPersonalDataAccess, residentPersonalData } from '../domain/residents';
import { possibleOwner } from '../domain/users';
import { DuplicateLookup, Intake, fileCase, possibleDuplicates } from './intake';
import { casePage, caseDiagram } from './case-page';
import { CASE_READERS } from './case-search';

/** Staff who file petitions (the one who files becomes the first responder). */
const INTAKE_ROLES: Role[] = ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'];
/** Staff who work on cases; members of a 1+X group see their own tasks, not the case register. */
const READ_ROLES: Role[] = CASE_READERS;

const IdParam = z.object({ id: z.uuid() }).strict();

export const caseRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/cases/duplicates',
    tag: 'cases',
    summary:
      'Open cases of the same person (by phone or ID number, sent in the body), same category first — shown before filing; changes nothing',
    access: INTAKE_ROLES,
    body: DuplicateLookup,
    handle: async ({ deps, body, user }) => ({ items: await possibleDuplicates(deps, body, user.id) }),
  }),
  route({
    method: 'post',
    path: '/cases',
    tag: 'cases',
    summary: 'File a petition; the signed-in user becomes its first responder',
    access: INTAKE_ROLES,
    body: Intake,
    status: 201,
    async handle({ deps, user, body, res }) {
      const created = await fileCase(deps, user.id, user.username, body);
      res.location(`/api/cases/${created.id}`);
      return created;
    },
  }),
  route({
    method: 'get',
    path: '/cases/:id',
    tag: 'cases',
    summary: 'The case page: owner, where the process stands, both clocks, timeline',
    access: READ_ROLES,
    params: IdParam,
    handle: ({ deps, params, user }) => casePage(deps, params.id, user),
  }),
  route({
    method: 'get',
    path: '/cases/:id/petitioner',
    tag: 'cases',
    summary: "The petitioner's full name, phone and ID number; allowed to handling staff and logged",
    access: ['reception', 'cadre', 'secretary', 'leader', 'street-office'],
    params: IdParam,
    query: z.object({ purpose: z.string().trim().min(2).max(200) }).strict(),
    async handle({ deps, params, user, query }) {
      const petition = await reachableCase(deps, params.id, user);
      if (!petition.resident_id) return { anonymous: true };
      const row = (await residentPersonalData(deps.db, petition.resident_id))!;
      await logPersonalDataAccess(deps.db, {
        userId: user.id,
        residentId: row.resident_id,
        caseId: params.id,
        fields: ['name', 'phone', 'idNumber', 'address'],
        purpose: query.purpose,
      });
      return {
        anonymous: false,
        name: row.name,
        phone: row.phone_enc && row.phone_enc.length > 0 ? deps.pii.decrypt(row.phone_enc) : null,
        idNumber: row.id_number_enc && row.id_number_enc.length > 0 ? deps.pii.decrypt(row.id_number_enc) : null,
        address: row.address,
      };
    },
  }),
  route({
    method: 'get',
    path: '/cases/:id/diagram',
    tag: 'cases',
    summary:
      "Where the case is on its diagram (or a process it called: instance=<key>): the model's XML, its active and completed elements, taken flows, and the processes its call activities called",
    access: READ_ROLES,
    params: IdParam,
    query: z
      .object({
        instance: z
          .string()
          .regex(/^\d{1,20}$/)
          .optional(),
      })
      .strict(),
    async handle({ deps, params, query, user }) {
      const c = await reachableCase(deps, params.id, user);
      if (!c.process_instance_key) return { xml: null, active: [], completed: [], flows: [], calls: [], parent: null };
      return caseDiagram(deps, c.process_instance_key, query.instance);
    },
  }),
  route({
    method: 'post',
    path: '/cases/:id/owner',
    tag: 'cases',
    summary: 'Transfer the case to another first responder (leader); recorded on the timeline',
    access: ['leader'],
    params: IdParam,
    body: z.object({ username: z.string().min(1).max(64), reason: z.string().trim().min(1).max(500) }).strict(),
    async handle({ deps, user, params, body }) {
      // Before anything moves: a leader the case accuses cannot hand it on (Art 30), and learns nothing of it.
      await reachableCase(deps, params.id, user);
      await transferOwner(deps, params.id, body.username, body.reason, user.username);
      return casePage(deps, params.id, user);
    },
  }),
];

/** A leader hands the case to another staff member: the case row, the open tasks assigned to the old owner, and the timeline. */
async function transferOwner(
  deps: ApiDeps,
  caseId: string,
  username: string,
  reason: string,
  by: string,
): Promise<void> {
  const target = await possibleOwner(deps.db, username);
  if (!target) {
    throw problems.badRequest(
      {
        zh: `用户 ${username} 不存在或不能担任首问责任人。`,
        en: `User ${username} does not exist or cannot own cases.`,
      },
      { field: 'username' },
    );
  }
  const before = await caseBeforeTransfer(deps.db, caseId);
  if (!before) throw caseNotFound();
  if (before.accused_user_id === target.id) {
    throw problems.badRequest(
      { zh: '不能把信访件转交给被反映人。', en: 'A case cannot be handed to the person it accuses.' },
      { field: 'username' },
    );
  }
  if (before.status === 'closed')
    throw problems.conflict({ zh: '已办结的信访件不能转交。', en: 'A closed case cannot be transferred.' });
  await deps.db.transaction(async (tx) => {
    await changeOwner(tx, caseId, target.id);
    await recordOwnerTransferred(
      tx,
      caseId,
      { from: before.username, to: username, reason },
      by,
      deps.now().toISOString(),
    );
  });
  if (before.process_instance_key) {
    // The first responder's open tasks follow the case; tasks of groups stay in their queues.
    const engine = deps.engine();
    const { items } = await engine.searchUserTasks(
      { filter: { assignee: before.username, state: 'CREATED' }, page: { limit: 100 } },
      NOW,
    );
    for (const task of items ?? []) {
      const vars = await engine.searchVariables(
        { filter: { processInstanceKey: task.processInstanceKey, name: 'caseId' } },
        NOW,
      );
      if (vars.items?.[0]?.value === JSON.stringify(caseId)) {
        await engine.assignUserTask({ userTaskKey: task.userTaskKey, assignee: username, allowOverride: true });
      }
    }
    // Later tasks and notices of the process go to the new owner.
    await engine.createElementInstanceVariables({
      elementInstanceKey: before.process_instance_key,
      variables: { firstResponder: username },
    });
  }
}
