/** The case page: owner, where the process stands, both clocks, the timeline — as the reader may see it. */
import { maskName } from '../platform/pii';
import { NOW, instanceVariables, type ApiDeps } from './deps';
import { calendarWaitOf } from './calendar-waits';
import { caseNotFound, gridScope, reaches } from './case-access';
import { casePageRow } from '../domain/cases';
import { legalView } from './case-clocks';
import { procedureActions } from './procedures';
import type { SessionUser } from './auth';

/** A timestamp column as an ISO instant, or undefined. */
const iso = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString() : undefined);

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
export async function casePage(deps: ApiDeps, caseId: string, reader: Pick<SessionUser, 'id' | 'roles'>) {
  const now = deps.now();
  const c = await casePageRow(deps.db, caseId, now);
  if (!c || !reaches(c, reader, await gridScope(deps, reader))) throw caseNotFound();
  const { variables, active, processState, steps }: ProcessView = c.process_instance_key
    ? await processView(deps, c.process_instance_key)
    : { variables: {}, active: [], processState: null, steps: [] };
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
    // The deadlines as the case row records them (domain/cases/writes.ts), as every list reads them. A deadline that waits
    // for a calendar year says so, with the reason, instead of showing no date at all.
    clocks: {
      internal: {
        ...clockState(iso(c.sla_due_at), c.closed_at, now),
        waitsForCalendar: await calendarWaitOf(deps.db, c.id),
      },
      legal: clockState(iso(c.legal_due_at), c.closed_at, now),
    },
    /** A rating link is waiting for the petitioner (its first responder may hand it out). */
    ratingLinkOpen: c.rating_link_open,
    ratings: c.ratings,
    // The law's procedures: acceptance, handling, review and re-review clocks, the final link, the notices sent.
    ...(await legalView(deps, c, now)),
    // The procedures the reader may start now: withdrawal, return, extension (api/procedures.ts).
    procedureActions: await procedureActions(deps, c.id, reader.roles, {
      state: c.process_instance_key ? processState : null,
      activeElementIds: active.map((e) => e.elementId),
    }),
    timeline,
  };
}

/** What the engine says of a case's process: its variables, state, active elements, and the steps it went through. */
interface ProcessView {
  variables: Record<string, unknown>;
  active: Array<{ elementId: string; elementName: string; type: string }>;
  processState: string | null;
  /** Every step the process (and the processes it called) went through, as Operate lists them. */
  steps: Array<{ kind: string; detail: unknown; actor: string | null; at: Date }>;
}

async function processView(deps: ApiDeps, processInstanceKey: string): Promise<ProcessView> {
  const steps: ProcessView['steps'] = [];
  const engine = deps.engine();
  // The SDK brands keys; ours come from the database as plain strings.
  const key = processInstanceKey as never;
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
  const [vars, own] = await Promise.all([instanceVariables(deps, processInstanceKey), elementsOf(processInstanceKey)]);
  const calls = own.length >= ELEMENTS_PAGE || own.some((e) => e.type === 'CALL_ACTIVITY');
  const called = calls
    ? await engine
        .searchProcessInstances({ filter: { parentProcessInstanceKey: key }, page: { limit: 50 } }, NOW)
        .catch(() => ({ items: [] }))
    : { items: [] };
  const processElement = own.find((e) => e.type === 'PROCESS');
  const processState = String(
    processElement ? processElement.state : (await engine.getProcessInstance({ processInstanceKey: key }, NOW)).state,
  );
  const active = own
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
  return { variables: vars, active, processState, steps };
}

/**
 * A case's process (or one it called, `instanceKey`, which must descend from the case's own) on its diagram: the
 * model's XML, the active and completed elements, the flows taken, the instances its call activities called (to open
 * them) and the instance that called this one (to go back).
 */
export async function caseDiagram(deps: ApiDeps, rootKey: string, instanceKey = rootKey) {
  const engine = deps.engine();
  const instance = await engine.getProcessInstance({ processInstanceKey: instanceKey }, NOW).catch(() => {
    throw caseNotFound();
  });
  // A called process is the case's only when its chain of callers leads to the case's own process.
  let parent = instance.parentProcessInstanceKey ? String(instance.parentProcessInstanceKey) : null;
  for (let up = parent, depth = 0; instanceKey !== rootKey; depth++) {
    if (!up || depth > 8) throw caseNotFound();
    if (up === rootKey) break;
    const next = await engine.getProcessInstance({ processInstanceKey: up }, NOW);
    up = next.parentProcessInstanceKey ? String(next.parentProcessInstanceKey) : null;
  }
  if (instanceKey === rootKey) parent = null;
  const key = instanceKey as never;
  const [xml, elements, flows, children] = await Promise.all([
    engine.getProcessDefinitionXml({ processDefinitionKey: instance.processDefinitionKey }, NOW),
    engine.searchElementInstances({ filter: { processInstanceKey: key }, page: { limit: 1000 } }, NOW),
    engine.getProcessInstanceSequenceFlows({ processInstanceKey: key }, NOW),
    engine.searchProcessInstances({ filter: { parentProcessInstanceKey: key }, page: { limit: 100 } }, NOW),
  ]);
  const items = elements.items ?? [];
  const ids = (state: string) => [...new Set(items.filter((e) => e.state === state).map((e) => String(e.elementId)))];
  const elementOf = new Map(items.map((e) => [String(e.elementInstanceKey), String(e.elementId)]));
  return {
    xml: String(xml),
    state: String(instance.state),
    active: ids('ACTIVE'),
    completed: ids('COMPLETED'),
    flows: (flows.items ?? []).map((f) => String(f.sequenceFlowId)),
    calls: (children.items ?? []).map((child) => ({
      elementId: elementOf.get(String(child.parentElementInstanceKey)) ?? null,
      processInstanceKey: String(child.processInstanceKey),
      name: child.processDefinitionName ?? child.processDefinitionId,
      state: String(child.state),
    })),
    parent,
  };
}
