/**
 * The law's procedures staff start on a case (信访工作条例): a withdrawal by the petitioner before closure, the
 * return of a wrongly assigned case by the unit handling it within 5 working days (Art 23), and an extension of the
 * legal limit, once, by at most 30 days, for the leader to approve (Art 34). Each is a message to the case's own
 * process (correlation key: the case id), which does and records the rest (record-procedure). A request the law or
 * the case's state does not allow is refused with a message saying why, and nothing changes.
 */
import { z } from 'zod';
import { MESSAGES } from '../bpmn/job-types';
import { endDay } from '../domain/calendar';
import { ENDED_STATUSES, procedureState, type CaseStatus, type ProcedureState } from '../domain/cases';
import { problems, type Localized } from '../platform/problem';
import { caseNotFound, reachableCase } from './case-access';
import type { ApiDeps } from './deps';
import { route, type Role, type RouteSpec } from './route';

const IdParam = z.object({ id: z.uuid() }).strict();
/** Staff who handle cases; each reaches only the cases the case routes let them reach. */
export const PROCEDURE_ROLES: Role[] = ['reception', 'cadre', 'secretary', 'street-office', 'leader', 'admin'];
const HANDLING = PROCEDURE_ROLES;
/** The steps a return ends: those with a `case-returned` message boundary event in petition-handling.bpmn. */
const RETURNABLE_STEPS = ['Task_CoordinateUnit', 'Call_WorkingGroup'];
/** The law's maximum extension (Art 34); the process applies decision deadline-policy's extensionMaxDays. */
const MAX_EXTENSION_DAYS = 30;

const ENDED: Record<string, Localized> = {
  closed: { zh: '该信访件已办结。', en: 'The case is closed.' },
  'not-accepted': { zh: '该信访件未予受理（或已转送），流程已结束。', en: 'The case was not accepted (or passed on).' },
  withdrawn: { zh: '该信访件已撤回。', en: 'The case was withdrawn.' },
};

const refuse = (zh: string, en: string) => problems.conflict({ zh, en });

/** The case as the procedure sees it, once the reader is known to reach it; refused when its process has ended. */
async function openCase(deps: ApiDeps, caseId: string, user: Parameters<typeof reachableCase>[2]) {
  await reachableCase(deps, caseId, user);
  const state = await procedureState(deps.db, caseId);
  if (!state) throw caseNotFound();
  if (ENDED_STATUSES.includes(state.status as CaseStatus)) {
    const why = ENDED[state.status];
    throw refuse(`${why.zh}不能再办理此项。`, `${why.en} This can no longer be done.`);
  }
  if (!state.process_instance_key) {
    throw refuse('该信访件的流程尚未启动，请稍后再试。', "The case's process has not started yet; try again shortly.");
  }
  return state;
}

/** The day a deadline ends on (24:00 local), as people read it. */
function day(end: Date, timeZone: string, locale: 'zh' | 'en'): string {
  const [y, m, d] = endDay(end, timeZone).split('-').map(Number);
  if (locale === 'zh') return `${y}年${m}月${d}日`;
  const month = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
  return `${d} ${month} ${y}`;
}

/**
 * Delivers the message to the case's process now (not buffered): the engine answers 404 when no step of it waits for
 * one, which is refused with `notWaiting`.
 */
async function correlate(
  deps: ApiDeps,
  name: string,
  caseId: string,
  variables: Record<string, unknown>,
  notWaiting: Localized,
): Promise<void> {
  try {
    await deps.engine().correlateMessage({ name, correlationKey: caseId, variables });
  } catch (error) {
    if ((error as { status?: number }).status === 404) throw problems.conflict(notWaiting);
    throw error;
  }
}

function checkReturn(deps: ApiDeps, state: ProcedureState): void {
  if (!state.return_due_at) {
    throw refuse(
      '该信访件当前没有交办给办理单位，不能退回。',
      'The case is not assigned to a unit at present, so it cannot be returned.',
    );
  }
  const due = new Date(state.return_due_at);
  if (deps.now() > due) {
    throw refuse(
      `已超过交办之日起5个工作日的异议期限（${day(due, deps.timeZone, 'zh')}24时止），不能退回（《信访工作条例》第23条）；请继续办理，或报分管负责人协调。`,
      `The 5 working days to object to the assignment ended on ${day(due, deps.timeZone, 'en')} at 24:00, so the case cannot be returned (Art 23); go on handling it, or ask the leader to coordinate.`,
    );
  }
}

function checkExtension(deps: ApiDeps, state: ProcedureState): void {
  if (state.acceptance_decision !== 'accepted' || !state.legal_due_at) {
    throw refuse(
      '该信访件尚未受理，没有可延长的办理期限。',
      'The case is not accepted yet: there is no limit to extend.',
    );
  }
  if (state.extension_days !== null) {
    throw refuse(
      `该信访件已延期一次（${state.extension_days}日），不能再次延期（《信访工作条例》第34条只允许延期一次）。`,
      `The case was extended once already (${state.extension_days} days); the law allows one extension (Art 34).`,
    );
  }
  if (state.extension_pending) {
    throw refuse(
      '该信访件的延期申请正在等待分管负责人审批。',
      "An extension request of the case awaits the leader's decision.",
    );
  }
  if (deps.now() > new Date(state.legal_due_at)) {
    throw refuse(
      '法定办理期限已届满，不能再申请延期。',
      'The legal limit has passed: an extension can no longer be asked for.',
    );
  }
}

/** What the case page offers a reader of the procedures above: each only when its route would take it now. */
export interface ProcedureActions {
  withdraw: boolean;
  /** The end of the 5 working days to return the case in (Art 23), while it is at a step that may be returned. */
  returnUntil: string | null;
  extension: boolean;
  /** Whether an extension was granted, or waits for the leader (none: neither). */
  extensionState: 'none' | 'pending' | 'granted';
  maxExtensionDays: number;
}

const passes = (check: () => void) => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

/**
 * The procedures a reader may start on a case now, by the same checks the routes make: the case open with its process
 * running, the reader's roles, a return only at a returnable step within its window, an extension only when none was
 * granted or waits.
 */
export async function procedureActions(
  deps: ApiDeps,
  caseId: string,
  roles: readonly string[],
  process: { state: string | null; activeElementIds: string[] },
): Promise<ProcedureActions> {
  const state = await procedureState(deps.db, caseId);
  const extensionState: ProcedureActions['extensionState'] =
    state?.extension_days !== null && state?.extension_days !== undefined
      ? 'granted'
      : state?.extension_pending
        ? 'pending'
        : 'none';
  const none: ProcedureActions = {
    withdraw: false,
    returnUntil: null,
    extension: false,
    extensionState,
    maxExtensionDays: MAX_EXTENSION_DAYS,
  };
  if (
    !state ||
    !state.process_instance_key ||
    process.state !== 'ACTIVE' ||
    ENDED_STATUSES.includes(state.status as CaseStatus) ||
    !roles.some((r) => HANDLING.includes(r as Role))
  )
    return none;
  const returnable =
    process.activeElementIds.some((id) => RETURNABLE_STEPS.includes(id)) && passes(() => checkReturn(deps, state));
  return {
    ...none,
    withdraw: true,
    returnUntil: returnable && state.return_due_at ? new Date(state.return_due_at).toISOString() : null,
    extension: passes(() => checkExtension(deps, state)),
  };
}

export const procedureRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/cases/:id/withdraw',
    tag: 'cases',
    summary:
      "The petitioner withdraws the petition before closure (entered by staff, with the reason): the case's open tasks, timers and called processes end",
    access: HANDLING,
    params: IdParam,
    body: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
    status: 202,
    async handle({ deps, user, params, body }) {
      await openCase(deps, params.id, user);
      await correlate(
        deps,
        MESSAGES.caseWithdrawn,
        params.id,
        { withdrawalReason: body.reason, withdrawnBy: user.username },
        {
          zh: '该信访件的流程当前不能撤回，请稍后再试。',
          en: "The case's process cannot take a withdrawal now; try again shortly.",
        },
      );
      return { caseId: params.id, procedure: 'withdrawal' };
    },
  }),
  route({
    method: 'post',
    path: '/cases/:id/return',
    tag: 'cases',
    summary:
      'The unit handling objects that the case was wrongly assigned, with reasons, within 5 working days of the assignment (Art 23): the case goes back to its first responder to route again',
    access: HANDLING,
    params: IdParam,
    body: z.object({ reasons: z.string().trim().min(1).max(1000) }).strict(),
    status: 202,
    async handle({ deps, user, params, body }) {
      const state = await openCase(deps, params.id, user);
      checkReturn(deps, state);
      await correlate(
        deps,
        MESSAGES.caseReturned,
        params.id,
        { returnReasons: body.reasons, returnedBy: user.username },
        {
          zh: '该信访件当前的办理环节不能退回（只有“协调责任单位办理”和“1+X工作组”可以提出异议退回）。',
          en: 'The step the case is at cannot be returned (only the coordination of the responsible unit and the 1+X working group can).',
        },
      );
      return { caseId: params.id, procedure: 'return' };
    },
  }),
  route({
    method: 'post',
    path: '/cases/:id/extension',
    tag: 'cases',
    summary:
      'Ask to extend the legal handling limit once, by at most 30 days, with reasons (Art 34): the leader approves it and the petitioner is told',
    access: HANDLING,
    params: IdParam,
    body: z
      .object({ days: z.number().int().min(1).max(MAX_EXTENSION_DAYS), reasons: z.string().trim().min(1).max(1000) })
      .strict(),
    status: 202,
    async handle({ deps, user, params, body }) {
      const state = await openCase(deps, params.id, user);
      checkExtension(deps, state);
      await correlate(
        deps,
        MESSAGES.extensionRequested,
        params.id,
        { extensionRequestedDays: body.days, extensionReasons: body.reasons, extensionRequestedBy: user.username },
        {
          zh: '该信访件的流程当前不能申请延期，请稍后再试。',
          en: "The case's process cannot take an extension request now.",
        },
      );
      return { caseId: params.id, procedure: 'extension' };
    },
  }),
];
