/**
 * Beside a task's form in the tasklist: its history (created for which queue, claimed, given back, handed on,
 * completed — who and when), and for an early warning's coordination task its alert (rule, place, category, how many
 * complaints) with links to the cases that raised it.
 */
import { call } from '../lib/api';
import { el, showError } from '../lib/shell';
import { caseStatus, lang, t, when, type Word } from '../lib/i18n';

interface HistoryEntry {
  at: string | null;
  action: string;
  actor: { displayName: string } | null;
  groups?: Array<{ name: string; nameEn: string }>;
  to?: { displayName: string };
  note?: string | null;
}
interface TaskAlert {
  rule: string;
  place: string | null;
  category: string;
  caseCount: number;
  windowDays: number;
  threshold: number;
  raisedAt: string;
  cases: Array<{ id: string; caseNo: string; receivedAt: string; status: string }>;
}

/** The task's history as a list, appended to `at`. */
export async function showHistory(key: string, at: HTMLElement): Promise<void> {
  const box = el(
    'section',
    { class: 'card task-history', 'data-testid': 'task-history' },
    el('h3', {}, t('thHistory')),
  );
  at.append(box);
  try {
    const { items } = await call<{ items: HistoryEntry[] }>('GET', `/tasks/${key}/history`);
    const list = el('ol', { class: 'timeline' });
    for (const e of items) {
      const what = [t(`th-${e.action}` as Word)];
      if (e.action === 'created' && e.groups?.length)
        what.push(`· ${t('thQueue')}：${e.groups.map((g) => (lang() === 'en' ? g.nameEn : g.name)).join('、')}`);
      if (e.to) what.push(e.to.displayName);
      list.append(
        el(
          'li',
          { 'data-testid': `history-${e.action}` },
          el('small', {}, when(e.at)),
          ' ',
          e.actor ? `${e.actor.displayName} ` : '',
          what.join(' '),
          e.note ? el('small', {}, `（${e.note}）`) : '',
        ),
      );
    }
    box.append(list);
  } catch (error) {
    showError(box, error);
  }
}

/** The alert of an early warning's coordination task, in `at` (which is removed when the task has none). */
export async function showAlert(key: string, at: HTMLElement): Promise<void> {
  try {
    const { alert } = await call<{ alert: TaskAlert | null }>('GET', `/tasks/${key}/alert`);
    if (!alert) {
      at.remove();
      return;
    }
    const cases = el('ul', { 'data-testid': 'alert-cases' });
    for (const c of alert.cases)
      cases.append(
        el(
          'li',
          {},
          el('a', { href: `/case.html?id=${c.id}` }, c.caseNo),
          ` · ${when(c.receivedAt)} · ${caseStatus(c.status)}`,
        ),
      );
    at.append(
      el(
        'section',
        { class: 'task-alert', 'data-testid': 'task-alert' },
        el('h3', {}, t('taAlert')),
        el(
          'ul',
          {},
          el('li', {}, `${t('taRule')}：${alert.rule}（≥ ${alert.threshold} / ${alert.windowDays} ${t('waDays')}）`),
          el('li', {}, `${t('waPlace')}：${alert.place ?? '—'} · ${alert.category}`),
          el('li', {}, `${t('taCount')}：${alert.caseCount}`),
        ),
        el('h4', {}, t('taCases')),
        cases,
      ),
    );
  } catch (error) {
    showError(at, error);
  }
}
