/**
 * An alert's status follows its joint handling (early-warning-joint-handling): 'handling' while the process runs,
 * 'closed' once it completed (the leader confirmed the result and the petitioners were told), 'canceled' when it was
 * cancelled (the operations console, or Operate on a cluster). The model has no closing service task of its own, so
 * the app asks the engine: the notice watcher every 10 s, and the alerts list before it answers. One search covers
 * every alert in handling.
 */
import { alertHandlingEnded, alertsInHandling } from '../domain/warnings';
import { NOW, type ApiDeps } from './deps';

/** Page size of one search of instances by key. */
const BATCH = 100;

/** Brings the alerts in handling up to date with their instances; answers how many changed. */
export async function followAlertProcesses(deps: Pick<ApiDeps, 'db' | 'engine' | 'now' | 'log'>): Promise<number> {
  const alerts = await alertsInHandling(deps.db);
  let changed = 0;
  for (let i = 0; i < alerts.length; i += BATCH) {
    const batch = alerts.slice(i, i + BATCH);
    const keys = batch.map((a) => a.process_instance_key);
    const { items } = await deps
      .engine()
      .searchProcessInstances({ filter: { processInstanceKey: { $in: keys } }, page: { limit: keys.length } }, NOW);
    const ended = new Map(
      (items ?? [])
        .filter((p) => String(p.state) !== 'ACTIVE')
        .map((p) => [String(p.processInstanceKey), { state: String(p.state), endDate: p.endDate }] as const),
    );
    for (const alert of batch) {
      const end = ended.get(alert.process_instance_key);
      if (!end) continue;
      const status = end.state === 'COMPLETED' ? 'closed' : 'canceled';
      const at = end.endDate ? new Date(String(end.endDate)).toISOString() : deps.now().toISOString();
      if (await alertHandlingEnded(deps.db, alert.id, status, at)) {
        changed++;
        deps.log.info({ alertId: alert.id, status }, 'early warning handling ended');
      }
    }
  }
  return changed;
}
