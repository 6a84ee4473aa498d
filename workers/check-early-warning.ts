/**
 * check-early-warning: screens a new case against the early-warning rules kept in the database (category or any,
 * counted per compound or per grid, a window in days, a threshold). When the case makes the count reach the
 * threshold, an alert is raised and `early-warning-joint-handling` starts — once per rule, place, category and
 * window: complaints arriving while an alert's window is open join that alert instead of starting another process.
 * Rules are read with a row lock, so two cases filed at once cannot both raise the same alert; the process is
 * started after the alert is stored, at most once per alert (see WorkerDeps.startProcessOnce), so a retry after a
 * crash neither loses nor doubles it.
 */
import type { Queryable } from '../platform/db';
import { required, type JobWorker } from './job';
import { JOB_TYPES, PROCESS_IDS } from '../bpmn/job-types';
import { caseForScreening, casesInWarningWindow, casesOfAlert, openAlertAt, raiseAlert } from '../domain/cases';
import {
  addCaseToAlert,
  alertIdsOfCase,
  alertsToStart,
  alertStartAttempted,
  alertStarted,
  rulesForScreening,
} from '../domain/warnings';

export const checkEarlyWarning: JobWorker = {
  type: JOB_TYPES.checkEarlyWarning,
  async handle({ variables }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    await deps.db.transaction((tx) => screenCase(tx, caseId));
    // Start what this case raised and is not started yet — including after a crash between raising and starting.
    // Only the raising case's job starts an alert: the other cases it holds are screened by jobs running at the same
    // time, and two of them starting it would race past startProcessOnce's lookup.
    const pending = await alertsToStart(deps.db, caseId);
    for (const alert of pending) {
      const caseIds = await casesOfAlert(deps.db, alert.id);
      // Recorded before the start: a crash after it leaves the retry to look for the instance the start made.
      if (!alert.process_start_attempted) await alertStartAttempted(deps.db, alert.id);
      const key = await deps.startProcessOnce(
        PROCESS_IDS.earlyWarningJointHandling,
        {
          ruleId: alert.rule_id,
          category: alert.category,
          categoryCode: alert.category_code,
          ...(alert.place_kind === 'compound' ? { compoundId: alert.place_id } : { gridId: alert.place_id }),
          caseIds,
        },
        { name: 'alertId', value: alert.id },
        !alert.process_start_attempted,
      );
      await alertStarted(deps.db, alert.id, key);
      deps.log.info({ alertId: alert.id, caseId, processInstanceKey: key }, 'early warning raised');
    }
    return { earlyWarningAlertIds: await alertIdsOfCase(deps.db, caseId) };
  },
};

/** Links the case to the alerts it belongs to, raising new ones where it makes a count reach a threshold. */
export async function screenCase(tx: Queryable, caseId: string): Promise<void> {
  const petition = await caseForScreening(tx, caseId);
  if (!petition)
    throw new Error(`Case ${caseId} does not exist: the process refers to a case that is not in the database`);
  if (!petition.compound_id) return; // a complaint without a place counts towards no place's rule
  const rules = await rulesForScreening(tx, petition.category_code, petition.compound_id);
  for (const rule of rules) {
    const placeId = rule.scope === 'compound' ? petition.compound_id : petition.grid_id;
    if (!placeId) continue;
    // What the alert clusters: the rule's category (a main class takes in its items) or, for a rule on any category,
    // the case's own — by dictionary code, so 噪音扰民 and 噪声扰民 count as one.
    const category = rule.category ?? petition.category_code;
    const open = await openAlertAt(tx, { ruleId: rule.id, placeId, category, caseId });
    if (open) {
      await addCaseToAlert(tx, open.id, caseId);
      continue;
    }
    const counted = await casesInWarningWindow(tx, {
      scope: rule.scope,
      placeId,
      category,
      caseId,
      windowDays: rule.window_days,
    });
    if (counted.length < rule.threshold) continue;
    // The alert covers the complaints counted and those of the next window: they join it rather than raise another.
    const alert = await raiseAlert(tx, {
      ruleId: rule.id,
      scope: rule.scope,
      placeId,
      category,
      caseId,
      windowDays: rule.window_days,
    });
    for (const c of counted) {
      await addCaseToAlert(tx, alert.id, c.id);
    }
  }
}
