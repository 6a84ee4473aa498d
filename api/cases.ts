/**
 * Petitions: intake (the signed-in staff member becomes the first responder), possible duplicates before filing,
 * and the case page (owner, where the process stands, both clocks, timeline).
 *
 * Intake never half-happens: the case is committed first, then its `petition-handling` instance is started. A start
 * is claimed on the case row (so the request and the background starter never both start it) and looks for an
 * instance already carrying the case id (so a start whose answer was lost is not repeated). While the engine is
 * unreachable the case waits, marked as not started, and the starter retries until it is.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { maskIdNumber, maskName, maskPhone } from '../platform/pii';
import { route, type Role, type RouteSpec } from './route';
import { NOW, instanceVariables, type ApiDeps } from './deps';
import { startProcessOnce } from '../platform/engine-client';
import { screenKeyPerson, startCare } from '../domain/key-persons';
import { localDay } from '../domain/calendar';
import { calendarWaitOf } from './calendar-waits';
import { caseNotFound, gridScope, reachableCase, reachableSql, reaches } from './case-access';
import type { SessionUser } from './auth';
import { PROCESS_IDS } from '../bpmn/job-types';
import {
  claimProcessStart,
  insertCase,
  processStartFailed,
  processStarted,
  transferOwner as changeOwner,
} from '../domain/cases';

/** What the key-person rule needs, over the API's engine client. */
export const keyPersonDeps = (deps: ApiDeps) => ({
  db: deps.db,
  log: deps.log,
  startProcessOnce: (processId: string, variables: Record<string, unknown>, once: { name: string; value: string }) =>
    startProcessOnce(deps.engine(), processId, variables, once),
});

export const CHANNELS = ['walk-in', 'phone', 'hotline-12345', 'wechat', 'grid-report'] as const;
const INTAKE_ROLES: Role[] = ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'];
/** Staff who work on cases; members of a 1+X group see their own tasks, not the case register. */
const READ_ROLES: Role[] = ['reception', 'cadre', 'secretary', 'street-office', 'leader', 'admin', 'grid-worker'];
/** A claim older than this is taken to belong to a process that died while starting. */
const CLAIM_SECONDS = 60;

export const Phone = z.string().regex(/^1\d{10}$/, { message: '手机号应为 11 位数字 / a phone number has 11 digits' });
/** A petitioner's name, which may be left out (an empty one is none): shown as 未留姓名. */
export const PetitionerName = z
  .string()
  .trim()
  .max(50)
  .optional()
  .transform((name) => name || undefined);
const IdNumber = z.string().regex(/^\d{17}[\dXx]$/, { message: '身份证号应为 18 位 / an ID number has 18 characters' });

export const Intake = z
  .object({
    channel: z.enum(CHANNELS),
    category: z.string().trim().min(1).max(50),
    description: z.string().trim().min(1).max(5000),
    compoundId: z.uuid().optional(),
    // A phone or ID number without a name is kept (the resident has no name, shown as 未留姓名): the petitioner still
    // gets the SMS replies the law asks for and the rating link, and the duplicate and repeat checks still see them.
    petitioner: z
      .object({
        name: PetitionerName,
        phone: Phone.optional(),
        idNumber: IdNumber.optional(),
        consentPublishName: z.boolean().default(false),
      })
      .strict()
      .refine((p) => p.name || p.phone || p.idNumber, {
        message:
          '请填写信访人的姓名、手机号或身份证号中的至少一项；匿名信访请不填信访人 / give the petitioner’s name, phone or ID number (leave the petitioner out for an anonymous petition)',
        path: ['name'],
      })
      .optional(),
    /** Filing a repeat with no new facts: the new petition is linked to this open case and follows its progress. */
    duplicateOf: z.uuid().optional(),
    /** The petition reports or accuses someone (Art 30): the material is never shown to them. */
    accusation: z.boolean().default(false),
    /** The staff member accused, when it is one of ours: they can neither see nor handle the case. */
    accusedUsername: z.string().min(1).max(64).optional(),
  })
  .strict();

/** In a POST body, not the query string: addresses end up in logs, proxies and browser history. */
const DuplicateLookup = z
  .object({ phone: Phone.optional(), idNumber: IdNumber.optional(), category: z.string().max(50).optional() })
  .strict();
const IdParam = z.object({ id: z.uuid() }).strict();

const ListQuery = z
  .object({
    mine: z.enum(['true', 'false']).optional(),
    status: z
      .enum(['registered', 'handling', 'feedback', 'rating', 'second-handling', 'escalated', 'closed'])
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

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
    path: '/cases',
    tag: 'cases',
    summary: 'Cases, newest first (mine=true: those I own)',
    access: READ_ROLES,
    query: ListQuery,
    async handle({ deps, user, query }) {
      // Only the cases the reader reaches: none accusing them (Art 30), a grid worker's of their own grids.
      const items = await deps.db.query(
        `SELECT c.id, c.case_no AS "caseNo", c.channel, c.category, c.status, c.case_class AS "caseClass", c.received_at AS "receivedAt",
                c.process_instance_key IS NOT NULL AS "processStarted", u.display_name AS "firstResponder"
         FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id
         WHERE ($1::uuid IS NULL OR c.first_responder_id = $1) AND ($2::text IS NULL OR c.status = $2)
           AND ${reachableSql('$5', '$6')}
         ORDER BY c.received_at DESC LIMIT $3 OFFSET $4`,
        [
          query.mine === 'true' ? user.id : null,
          query.status ?? null,
          query.limit,
          query.offset,
          user.id,
          await gridScope(deps, user),
        ],
      );
      return { items };
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
      const [row] = await deps.db.query<{
        resident_id: string;
        name: string | null;
        phone_enc: Buffer | null;
        id_number_enc: Buffer | null;
        address: string | null;
      }>('SELECT id AS resident_id, name, phone_enc, id_number_enc, address FROM resident WHERE id = $1', [
        petition.resident_id,
      ]);
      await deps.db.query(
        `INSERT INTO pii_access_log (user_id, resident_id, case_id, fields, purpose) VALUES ($1, $2, $3, $4, $5)`,
        [user.id, row.resident_id, params.id, ['name', 'phone', 'idNumber', 'address'], query.purpose],
      );
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
      "Where the case is on its diagram: the running model's XML with its active and completed elements and taken flows",
    access: READ_ROLES,
    params: IdParam,
    async handle({ deps, params, user }) {
      const c = await reachableCase(deps, params.id, user);
      if (!c.process_instance_key) return { xml: null, active: [], completed: [], flows: [] };
      const engine = deps.engine();
      const key = c.process_instance_key as never;
      const instance = await engine.getProcessInstance({ processInstanceKey: key }, NOW);
      const [xml, elements, flows] = await Promise.all([
        engine.getProcessDefinitionXml({ processDefinitionKey: instance.processDefinitionKey }, NOW),
        engine.searchElementInstances({ filter: { processInstanceKey: key }, page: { limit: 1000 } }, NOW),
        engine.getProcessInstanceSequenceFlows({ processInstanceKey: key }, NOW),
      ]);
      const ids = (state: string) => [
        ...new Set((elements.items ?? []).filter((e) => e.state === state).map((e) => String(e.elementId))),
      ];
      return {
        xml: String(xml),
        state: String(instance.state),
        active: ids('ACTIVE'),
        completed: ids('COMPLETED'),
        flows: (flows.items ?? []).map((f) => String(f.sequenceFlowId)),
      };
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

async function possibleDuplicates(deps: ApiDeps, lookup: z.infer<typeof DuplicateLookup>, readerId: string) {
  if (!lookup.phone && !lookup.idNumber) {
    throw problems.badRequest({
      zh: '请提供手机号或身份证号以查找重复信访。',
      en: 'Give a phone or ID number to look for duplicates.',
    });
  }
  return deps.db.query(
    `SELECT c.id, c.case_no AS "caseNo", c.category, c.status, c.received_at AS "receivedAt", c.category = $3 AS "sameCategory"
     FROM petition_case c JOIN resident r ON r.id = c.resident_id
     WHERE c.status <> 'closed' AND c.duplicate_of IS NULL
       AND ((r.phone_hash = $1 AND $1 IS NOT NULL) OR (r.id_number_hash = $2 AND $2 IS NOT NULL))
       AND c.accused_user_id IS DISTINCT FROM $4
     ORDER BY (c.category = $3) DESC, c.received_at DESC LIMIT 20`,
    [
      lookup.phone ? deps.pii.lookupHash(lookup.phone) : null,
      lookup.idNumber ? deps.pii.lookupHash(lookup.idNumber.toUpperCase()) : null,
      lookup.category ?? '',
      readerId,
    ],
  );
}

export async function fileCase(deps: ApiDeps, userId: string, username: string, input: z.infer<typeof Intake>) {
  const saved = await deps.db.transaction(async (tx) => {
    if (input.compoundId) {
      const [compound] = await tx.query('SELECT 1 FROM compound WHERE id = $1', [input.compoundId]);
      if (!compound)
        throw problems.badRequest({ zh: '小区不存在。', en: 'The compound does not exist.' }, { field: 'compoundId' });
    }
    let accusedId: string | null = null;
    if (input.accusedUsername) {
      const [accused] = await tx.query<{ id: string }>('SELECT id FROM app_user WHERE username = $1', [
        input.accusedUsername,
      ]);
      if (!accused)
        throw problems.badRequest(
          { zh: '被反映人不是本系统用户。', en: 'The accused is not a user of this system.' },
          { field: 'accusedUsername' },
        );
      if (accused.id === userId) {
        throw problems.badRequest(
          {
            zh: '被反映人不能受理反映自己的信访件，请由其他工作人员登记。',
            en: 'A petition accusing you must be filed by someone else.',
          },
          { field: 'accusedUsername' },
        );
      }
      accusedId = accused.id;
    }
    if (input.duplicateOf) {
      const [open] = await tx.query(
        "SELECT 1 FROM petition_case WHERE id = $1 AND status <> 'closed' AND duplicate_of IS NULL",
        [input.duplicateOf],
      );
      if (!open)
        throw problems.badRequest(
          { zh: '要关联的信访件不存在或已办结。', en: 'The case to link to does not exist or is closed.' },
          { field: 'duplicateOf' },
        );
    }
    let residentId: string | null = null;
    const p = input.petitioner;
    if (p) {
      const phoneHash = p.phone ? deps.pii.lookupHash(p.phone) : null;
      const idHash = p.idNumber ? deps.pii.lookupHash(p.idNumber.toUpperCase()) : null;
      const [known] = await tx.query<{ id: string }>(
        `SELECT id FROM resident WHERE (id_number_hash = $1 AND $1 IS NOT NULL) OR (phone_hash = $2 AND $2 IS NOT NULL)
         ORDER BY (id_number_hash = $1) DESC NULLS LAST LIMIT 1`,
        [idHash, phoneHash],
      );
      if (known) {
        residentId = known.id;
        // A resident first known only by a number gets the name they give later.
        if (p.name)
          await tx.query('UPDATE resident SET name = $2, updated_at = now() WHERE id = $1 AND name IS NULL', [
            known.id,
            p.name,
          ]);
      } else {
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO resident (name, compound_id, phone_enc, phone_hash, phone_masked, id_number_enc, id_number_hash, id_number_masked, consent_publish_name)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [
            p.name ?? null,
            input.compoundId ?? null,
            p.phone ? deps.pii.encrypt(p.phone) : null,
            phoneHash,
            p.phone ? maskPhone(p.phone) : null,
            p.idNumber ? deps.pii.encrypt(p.idNumber.toUpperCase()) : null,
            idHash,
            p.idNumber ? maskIdNumber(p.idNumber) : null,
            p.consentPublishName,
          ],
        );
        residentId = row.id;
      }
    }
    const year = localDay(deps.now(), deps.timeZone).slice(0, 4);
    const [{ n }] = await tx.query<{ n: string }>("SELECT nextval('petition_case_no_seq')::text AS n");
    const caseNo = `XF-${year}-${n.padStart(6, '0')}`;
    const row = await insertCase(tx, {
      caseNo,
      channel: input.channel,
      category: input.category,
      description: input.description,
      residentId,
      compoundId: input.compoundId ?? null,
      firstResponderId: userId,
      duplicateOf: input.duplicateOf ?? null,
      receivedAt: deps.now().toISOString(),
      accusation: input.accusation || accusedId !== null,
      accusedUserId: accusedId,
    });
    await tx.query(`INSERT INTO case_event (case_id, kind, detail, actor) VALUES ($1, 'registered', $2, $3)`, [
      row.id,
      JSON.stringify({ channel: input.channel, duplicateOf: input.duplicateOf ?? null }),
      username,
    ]);
    return { id: row.id, caseNo, receivedAt: row.received_at };
  });
  if (input.duplicateOf) {
    // A linked repeat follows the open case's process and has none of its own; it still counts for the key-person
    // rule, and the petitioner is told where the open case stands.
    await screenKeyPerson(keyPersonDeps(deps), saved.id).catch((error: unknown) =>
      deps.log.warn({ caseId: saved.id, err: error }, 'key-person screening of a linked repeat waits for the engine'),
    );
    const [open] = await deps.db.query<{ case_no: string; status: string; first_responder: string }>(
      `SELECT c.case_no, c.status, u.display_name AS first_responder FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id WHERE c.id = $1`,
      [input.duplicateOf],
    );
    return {
      ...saved,
      processInstanceKey: null,
      processStarted: true,
      linkedTo: {
        id: input.duplicateOf,
        caseNo: open.case_no,
        status: open.status,
        firstResponder: open.first_responder,
      },
    };
  }
  const processInstanceKey = await startCaseProcess(deps, saved.id).catch((error: unknown) => {
    deps.log.warn({ caseId: saved.id, err: error }, 'the case is saved; its process starts when the engine answers');
    return null;
  });
  return { ...saved, processInstanceKey, processStarted: processInstanceKey !== null };
}

/**
 * Starts the case's `petition-handling` instance unless it runs already. Returns its key, or null when another
 * caller holds the start right now. Throws when the engine cannot be reached (the case stays marked not started).
 */
export async function startCaseProcess(deps: ApiDeps, caseId: string): Promise<string | null> {
  // The claim also marks the start attempted; `retry` says whether an earlier attempt was made (whose instance may
  // exist although its key was never recorded).
  const claimed = await claimProcessStart(deps.db, caseId, CLAIM_SECONDS);
  if (!claimed) return null;
  try {
    const key = await startProcessOnce(
      deps.engine(),
      PROCESS_IDS.petitionHandling,
      // receivedAt: the legal clocks (Art 22–23, 34) run from receipt, not from when the process could start (the
      // engine may have been away; compute-deadlines reads it for the acceptance phase).
      {
        caseNo: claimed.case_no,
        channel: claimed.channel,
        category: claimed.category,
        firstResponder: claimed.username,
        receivedAt: new Date(claimed.received_at).toISOString(),
      },
      { name: 'caseId', value: caseId },
      !claimed.retry,
    );
    await processStarted(deps.db, caseId, key);
    return key;
  } catch (error) {
    await processStartFailed(deps.db, caseId);
    throw error;
  }
}

/** Retries the starts intake could not make (engine away, app killed between saving and starting). */
export function startCaseStarter(deps: ApiDeps, intervalMs = 5000): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const waiting = await deps.db.query<{ id: string }>(
        `SELECT id FROM petition_case WHERE process_instance_key IS NULL AND duplicate_of IS NULL
           AND created_at < now() - interval '2 seconds' ORDER BY created_at LIMIT 50`,
      );
      for (const { id } of waiting) {
        const key = await startCaseProcess(deps, id);
        if (key) deps.log.info({ caseId: id, processInstanceKey: key }, 'case process started by the starter');
      }
      // Key persons entered while the engine was away (a linked repeat, a manual entry) get their care now.
      const uncared = await deps.db.query<{ id: string }>(
        "SELECT id FROM key_person WHERE status = 'active' AND process_instance_key IS NULL AND entered_at < now() - interval '1 minute' LIMIT 50",
      );
      for (const { id } of uncared) await startCare(keyPersonDeps(deps), id);
    } catch (error) {
      deps.log.warn({ err: error }, 'cases wait for their process: the engine or the database does not answer');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

type Clock = { dueAt: string | null; state: 'none' | 'running' | 'due-soon' | 'overdue' | 'met' | 'missed' };

function clockState(dueAt: unknown, closedAt: Date | null, now: Date): Clock {
  if (typeof dueAt !== 'string') return { dueAt: null, state: 'none' };
  const due = new Date(dueAt);
  if (closedAt) return { dueAt, state: new Date(closedAt) <= due ? 'met' : 'missed' };
  if (now > due) return { dueAt, state: 'overdue' };
  return { dueAt, state: due.getTime() - now.getTime() < 24 * 3600 * 1000 ? 'due-soon' : 'running' };
}

/** How many of an instance's element instances the case page lists. */
const ELEMENTS_PAGE = 500;

/** The case as a reader may see it: one out of their reach (accusing them, Art 30; another grid's) does not exist for them. */
async function casePage(deps: ApiDeps, caseId: string, reader: Pick<SessionUser, 'id' | 'roles'>) {
  const now = deps.now();
  const [c] = await deps.db.query<{
    id: string;
    case_no: string;
    channel: string;
    category: string;
    description: string;
    status: string;
    case_class: string | null;
    handling_round: number;
    received_at: Date;
    closed_at: Date | null;
    process_instance_key: string | null;
    duplicate_of: string | null;
    first_responder: string;
    first_responder_name: string;
    compound: string | null;
    petitioner_id: string | null;
    petitioner_name: string | null;
    phone_masked: string | null;
    accusation: boolean;
    accused_user_id: string | null;
    first_responder_id: string;
    grid_id: string | null;
    rating_link_open: boolean;
    recorded: Array<{ kind: string; detail: unknown; actor: string | null; at: string }>;
  }>(
    // One statement: the case, whether a rating link waits for the petitioner, and its recorded timeline (events and
    // notifications) — each a round trip to the database of its own before.
    `SELECT c.id, c.case_no, c.channel, c.category, c.description, c.status, c.case_class, c.handling_round, c.received_at, c.closed_at,
            c.process_instance_key, c.duplicate_of, u.username AS first_responder, u.display_name AS first_responder_name,
            comp.name AS compound, r.id AS petitioner_id, r.name AS petitioner_name, r.phone_masked, c.accusation, c.accused_user_id,
            c.first_responder_id, comp.grid_id,
            EXISTS (SELECT 1 FROM rating_link l WHERE l.case_id = c.id AND l.used_at IS NULL AND l.expires_at > $2) AS rating_link_open,
            (SELECT COALESCE(json_agg(json_build_object('kind', t.kind, 'detail', t.detail, 'actor', t.actor, 'at', t.at) ORDER BY t.at), '[]')
             FROM (SELECT kind, detail, actor, created_at AS at FROM case_event WHERE case_id = c.id
                   UNION ALL
                   SELECT 'notification:' || template, jsonb_build_object('channel', channel, 'status', status), 'system', created_at
                   FROM notification WHERE case_id = c.id) t) AS recorded
     FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id
     LEFT JOIN compound comp ON comp.id = c.compound_id LEFT JOIN resident r ON r.id = c.resident_id
     WHERE c.id = $1`,
    [caseId, now.toISOString()],
  );
  if (!c || !reaches(c, reader, await gridScope(deps, reader))) throw caseNotFound();
  let variables: Record<string, unknown> = {};
  let active: Array<{ elementId: string; elementName: string; type: string }> = [];
  let processState: string | null = null;
  // The engine's side: every step the process (and the processes it called) went through, as Operate lists them.
  const steps: Array<{ kind: string; detail: unknown; actor: string | null; at: Date }> = [];
  const engineSide = async () => {
    if (!c.process_instance_key) return;
    const engine = deps.engine();
    // The SDK brands keys; ours come from the database as plain strings.
    const key = c.process_instance_key as never;
    const elementsOf = (instanceKey: string) =>
      engine
        .searchElementInstances(
          { filter: { processInstanceKey: instanceKey as never }, page: { limit: ELEMENTS_PAGE } },
          NOW,
        )
        .then((r) => r.items ?? []);
    // Asked at once: the variables and the instance's elements (the process itself and the active ones among them).
    // The process's own element carries the instance's state; only without it is the instance asked for. The
    // processes it called are looked for only when it has a call activity (most cases never call one).
    const [vars, own] = await Promise.all([
      instanceVariables(deps, c.process_instance_key),
      elementsOf(c.process_instance_key),
    ]);
    const calls = own.length >= ELEMENTS_PAGE || own.some((e) => e.type === 'CALL_ACTIVITY');
    const called = calls
      ? await engine
          .searchProcessInstances({ filter: { parentProcessInstanceKey: key }, page: { limit: 50 } }, NOW)
          .catch(() => ({ items: [] }))
      : { items: [] };
    variables = vars;
    const processElement = own.find((e) => e.type === 'PROCESS');
    processState = String(
      processElement ? processElement.state : (await engine.getProcessInstance({ processInstanceKey: key }, NOW)).state,
    );
    active = own
      .filter((e) => e.state === 'ACTIVE' && e.type !== 'PROCESS')
      .map((e) => ({
        elementId: String(e.elementId),
        elementName: String(e.elementName ?? e.elementId),
        type: String(e.type),
      }));
    const theirs = await Promise.all((called.items ?? []).map((i) => elementsOf(String(i.processInstanceKey))));
    for (const e of [own, ...theirs].flat()) {
      if (
        ['PROCESS', 'SEQUENCE_FLOW', 'EXCLUSIVE_GATEWAY', 'PARALLEL_GATEWAY', 'EVENT_BASED_GATEWAY'].includes(
          String(e.type),
        )
      )
        continue;
      steps.push({
        kind: 'step',
        detail: {
          elementId: String(e.elementId),
          name: String(e.elementName ?? e.elementId),
          type: String(e.type),
          state: String(e.state),
          endedAt: e.endDate ?? null,
        },
        actor: null,
        at: new Date(String(e.startDate)),
      });
    }
  };
  await engineSide();
  const recorded = c.recorded.map((e) => ({ ...e, at: new Date(e.at) }));
  const timeline = [...recorded, ...steps].sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    id: c.id,
    caseNo: c.case_no,
    channel: c.channel,
    category: c.category,
    description: c.description,
    status: c.status,
    caseClass: c.case_class ?? variables.caseClass ?? null,
    handlingRound: c.handling_round,
    receivedAt: c.received_at,
    closedAt: c.closed_at,
    duplicateOf: c.duplicate_of,
    accusation: c.accusation,
    compound: c.compound,
    // name null: the petitioner left a number but no name (未留姓名); petitioner null: an anonymous petition.
    petitioner: c.petitioner_id
      ? { name: c.petitioner_name ? maskName(c.petitioner_name) : null, phone: c.phone_masked }
      : null,
    owner: { username: c.first_responder, displayName: c.first_responder_name },
    process: {
      instanceKey: c.process_instance_key,
      state: processState ?? (c.duplicate_of ? 'linked' : 'not-started'),
      activeElements: active,
    },
    // A deadline that waits for a calendar year says so, with the reason, instead of showing no date at all.
    clocks: {
      internal: {
        ...clockState(variables.slaDueAt, c.closed_at, now),
        waitsForCalendar: await calendarWaitOf(deps.db, c.id),
      },
      legal: clockState(variables.legalDueAt, c.closed_at, now),
    },
    /** A rating link is waiting for the petitioner (its first responder may hand it out). */
    ratingLinkOpen: c.rating_link_open,
    timeline,
  };
}

/** A leader hands the case to another staff member: the case row, the open tasks assigned to the old owner, and the timeline. */
async function transferOwner(
  deps: ApiDeps,
  caseId: string,
  username: string,
  reason: string,
  by: string,
): Promise<void> {
  const [target] = await deps.db.query<{ id: string }>(
    `SELECT u.id FROM app_user u WHERE u.username = $1 AND u.active
       AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role_id IN ('reception', 'cadre', 'secretary', 'grid-worker'))`,
    [username],
  );
  if (!target) {
    throw problems.badRequest(
      {
        zh: `用户 ${username} 不存在或不能担任首问责任人。`,
        en: `User ${username} does not exist or cannot own cases.`,
      },
      { field: 'username' },
    );
  }
  const [before] = await deps.db.query<{
    username: string;
    process_instance_key: string | null;
    status: string;
    accused_user_id: string | null;
  }>(
    `SELECT u.username, c.process_instance_key, c.status, c.accused_user_id FROM petition_case c JOIN app_user u ON u.id = c.first_responder_id WHERE c.id = $1`,
    [caseId],
  );
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
    await tx.query(`INSERT INTO case_event (case_id, kind, detail, actor) VALUES ($1, 'owner-transferred', $2, $3)`, [
      caseId,
      JSON.stringify({ from: before.username, to: username, reason }),
      by,
    ]);
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
