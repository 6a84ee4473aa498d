/**
 * Choices of a task form that the system supplies rather than the form itself: a form-js field with a `valuesKey`
 * reads its options from the data it is given. So far one: the 1+X working group's member picker
 * (`form-working-group`, `valuesKey: memberCandidates`), whose options are the staff who may sit on a working group.
 * The tasklist is given the options with the task, and a completion is checked against the same options before
 * the engine sees it: a member nobody can be (an unknown, inactive or ineligible user, the person the case accuses)
 * would get an opinion task nobody can do, and the case would wait for it for good.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { activeUsersLessAccused } from '../domain/cases';
import { reachableCase } from './case-access';
import type { ApiDeps } from './deps';
import type { FormComponent, FormSchema } from './forms';
import { route, type Role, type RouteSpec } from './route';

/**
 * Who may be one of the X of a 1+X working group (DOMAIN.md): the working-group members (departments, lawyers,
 * resident representatives, police, judicial office), and the community's cadres and party secretary. Not admins
 * (they run the system, not cases), and never a resident (residents have no account).
 */
export const WORKING_GROUP_ROLES: readonly Role[] = ['member', 'cadre', 'secretary'];

export interface Candidate {
  username: string;
  displayName: string;
}

/** Active users of a working-group role, by display name; less the person the case accuses (Art 30), if any. */
export async function workingGroupCandidates(deps: Pick<ApiDeps, 'db'>, caseId: string | null): Promise<Candidate[]> {
  return activeUsersLessAccused(deps.db, WORKING_GROUP_ROLES, caseId);
}

interface Supplier {
  /** The options, as form-js takes them: `[{ label, value }]`. */
  options(deps: Pick<ApiDeps, 'db'>, caseId: string | null): Promise<Array<{ label: string; value: string }>>;
  /** Why the values given are refused. */
  refusal(label: string, bad: string[]): { zh: string; en: string };
}

/** The options the system supplies, by the `valuesKey` a form field names. */
const SUPPLIED: Record<string, Supplier> = {
  memberCandidates: {
    options: async (deps, caseId) =>
      (await workingGroupCandidates(deps, caseId)).map((c) => ({ label: c.displayName, value: c.username })),
    refusal: (label, bad) => ({
      zh: `“${label}”中以下人员不能担任1+X工作组成员：${bad.join('、')}。成员须为在岗的1+X成员、社区干部或社区书记，且不能是本案的被反映人；请从列表中选择。`,
      en: `"${label}": these cannot sit on a 1+X working group: ${bad.join(', ')}. Members are active working-group members, cadres or the party secretary, and not the person the case accuses; choose from the list.`,
    }),
  },
};

function suppliedFields(components: FormComponent[]): FormComponent[] {
  return components.flatMap((c) =>
    c.components ? suppliedFields(c.components) : c.key && c.valuesKey && SUPPLIED[c.valuesKey] ? [c] : [],
  );
}

/** The options the form's supplied fields read, by their `valuesKey`: given to the tasklist beside the variables. */
export async function suppliedOptions(
  deps: Pick<ApiDeps, 'db'>,
  form: FormSchema,
  caseId: string | null,
): Promise<Record<string, unknown>> {
  const keys = [...new Set(suppliedFields(form.components ?? []).map((f) => f.valuesKey!))];
  return Object.fromEntries(
    await Promise.all(keys.map(async (k) => [k, await SUPPLIED[k].options(deps, caseId)] as const)),
  );
}

/**
 * Refuses (400, naming them) the values of supplied fields that are not among their options; run after the form's own
 * checks and before the task is completed, so that a refused list completes nothing.
 */
export async function checkSuppliedChoices(
  deps: Pick<ApiDeps, 'db'>,
  form: FormSchema,
  data: Record<string, unknown>,
  caseId: string | null,
): Promise<void> {
  const errors: Array<{ field: string; zh: string; en: string }> = [];
  for (const f of suppliedFields(form.components ?? [])) {
    const value = data[f.key!];
    if (value === undefined || value === null) continue; // required or not: the form's own check said so
    const given = (Array.isArray(value) ? value : [value]).map(String);
    const allowed = new Set((await SUPPLIED[f.valuesKey!].options(deps, caseId)).map((o) => o.value));
    const bad = [...new Set(given.filter((v) => !allowed.has(v)))];
    if (bad.length > 0) errors.push({ field: f.key!, ...SUPPLIED[f.valuesKey!].refusal(f.label ?? f.key!, bad) });
  }
  if (errors.length > 0) {
    throw problems.badRequest(
      { zh: errors.map((e) => e.zh).join('；'), en: errors.map((e) => e.en).join('; ') },
      { errors: errors.map((e) => ({ field: e.field, message: e.zh, messageEn: e.en })) },
    );
  }
}

export const formOptionRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/working-group/candidates',
    tag: 'tasklist',
    summary:
      "Who may sit on a 1+X working group (the member picker's options): active members, cadres and the party secretary; for a case, less the person it accuses",
    access: ['cadre', 'secretary', 'leader', 'admin'],
    query: z.object({ caseId: z.uuid().optional() }).strict(),
    async handle({ deps, user, query }) {
      if (query.caseId) await reachableCase(deps, query.caseId, user);
      return { items: await workingGroupCandidates(deps, query.caseId ?? null) };
    },
  }),
];
