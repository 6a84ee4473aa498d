/**
 * What the fault tests check once the system has settled: every case row has exactly one `petition-handling`
 * instance (found in the engine by its `caseId` variable, and the same one the row names), has reached the
 * first responder's first task (the acceptance decision), and got its registration receipt exactly once — in the `notification` table
 * and at the SMS gateway (one idempotency key per petitioner; a key may be repeated, the gateway drops the repeat).
 */
import { now, type Any } from './engine';
import type { SmsGatewayStandIn } from './sms-gateway';

export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface CaseAudit {
  cases: number;
  /** Case ids with no process instance in the engine. */
  withoutProcess: string[];
  /** Case ids with more than one instance carrying their id. */
  withSeveralProcesses: string[];
  /** Case ids whose row names another instance than the one the engine has (or none). */
  rowMismatch: string[];
  /** Case ids not (yet) at their first responder's first task (Task_AcceptanceDecision). */
  notAtClassification: string[];
  /** Case ids without their 'registered' timeline event (a half-done intake). */
  withoutRegisteredEvent: string[];
  /** (case, template) pairs with more than one notification row. */
  duplicateNotifications: Array<{ caseId: string; template: string; n: number }>;
  /** Case ids with no registration receipt (notification row). */
  withoutAcceptance: string[];
  /** Phones that were sent more than one distinct message (idempotency key) by the gateway. */
  duplicateSms: Array<{ phone: string; keys: string[] }>;
  /** Requests the gateway got beyond the first per key (retries the key made harmless). */
  repeatedSmsRequests: number;
}

export async function auditCases(query: Query, client: Any, gateway?: SmsGatewayStandIn): Promise<CaseAudit> {
  const rows = await query<{ id: string; key: string | null; registered: boolean }>(
    `SELECT c.id, c.process_instance_key::text AS key,
            EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.kind = 'registered') AS registered
     FROM petition_case c WHERE c.duplicate_of IS NULL`,
  );
  const instances = await client.searchProcessInstances(
    { filter: { processDefinitionId: 'petition-handling' }, page: { limit: 10000 } },
    now,
  );
  const petitionInstances = new Set((instances.items as Any[]).map((i) => String(i.processInstanceKey)));
  const variables = await client.searchVariables({ filter: { name: 'caseId' }, page: { limit: 10000 } }, now);
  const byCase = new Map<string, Set<string>>();
  for (const v of variables.items as Any[]) {
    const key = String(v.processInstanceKey);
    if (!petitionInstances.has(key)) continue; // a care or working-group instance also carries caseId
    const caseId = JSON.parse(String(v.value)) as string;
    byCase.set(caseId, (byCase.get(caseId) ?? new Set()).add(key));
  }
  const tasks = await client.searchUserTasks(
    { filter: { elementId: 'Task_AcceptanceDecision' }, page: { limit: 10000 } },
    now,
  );
  const atClassification = new Set((tasks.items as Any[]).map((t) => String(t.processInstanceKey)));

  const audit: CaseAudit = {
    cases: rows.length,
    withoutProcess: [],
    withSeveralProcesses: [],
    rowMismatch: [],
    notAtClassification: [],
    withoutRegisteredEvent: [],
    duplicateNotifications: [],
    withoutAcceptance: [],
    duplicateSms: [],
    repeatedSmsRequests: 0,
  };
  for (const row of rows) {
    const keys = [...(byCase.get(row.id) ?? [])];
    if (keys.length === 0) audit.withoutProcess.push(row.id);
    if (keys.length > 1) audit.withSeveralProcesses.push(row.id);
    if (keys.length === 1 && row.key !== keys[0]) audit.rowMismatch.push(row.id);
    if (keys.length === 1 && !atClassification.has(keys[0])) audit.notAtClassification.push(row.id);
    if (!row.registered) audit.withoutRegisteredEvent.push(row.id);
  }
  audit.duplicateNotifications = (
    await query<{ case_id: string; template: string; n: number }>(
      `SELECT case_id, template, count(*)::int AS n FROM notification WHERE case_id IS NOT NULL
       GROUP BY case_id, template, recipient_role, recipient_user_id HAVING count(*) > 1`,
    )
  ).map((r) => ({ caseId: r.case_id, template: r.template, n: r.n }));
  audit.withoutAcceptance = (
    await query<{ id: string }>(
      `SELECT c.id FROM petition_case c WHERE c.duplicate_of IS NULL
         AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.case_id = c.id AND n.template = 'registered')`,
    )
  ).map((r) => r.id);
  if (gateway) {
    const keysByPhone = new Map<string, Set<string>>();
    for (const r of gateway.requests) keysByPhone.set(r.to, (keysByPhone.get(r.to) ?? new Set()).add(r.idempotencyKey));
    // Each petitioner here gets one message (the registration receipt) before its first task.
    audit.duplicateSms = [...keysByPhone]
      .filter(([, keys]) => keys.size > 1)
      .map(([phone, keys]) => ({ phone, keys: [...keys] }));
    audit.repeatedSmsRequests = gateway.requests.length - new Set(gateway.requests.map((r) => r.idempotencyKey)).size;
  }
  return audit;
}

/** The audit's problems only (empty lists and counts left out), for an assertion that prints what went wrong. */
export function problemsOf(audit: CaseAudit): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(audit)) {
    if (Array.isArray(value) && value.length > 0) out[name] = value.slice(0, 10);
  }
  return out;
}
