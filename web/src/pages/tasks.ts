/**
 * The tasklist: my tasks and my groups' unclaimed tasks with due dates and overdue marks; claim and give back; a
 * task's Camunda form rendered with form-js, filled from the process, submitted (the API checks it again).
 */
import '@bpmn-io/form-js/dist/assets/form-js.css';
import { Form } from '@bpmn-io/form-js';
import { ApiError, call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t, when } from '../lib/i18n';

interface TaskRow {
  userTaskKey: string;
  name: string;
  elementId: string;
  assignee: string | null;
  candidateGroups: string[];
  dueDate: string | null;
  overdue: boolean;
  case: { id: string; caseNo: string; category: string } | null;
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const params = new URLSearchParams(location.search);
  const view = params.get('view') === 'queue' ? 'queue' : 'mine';
  const tabs = el('div', { class: 'tabs', role: 'tablist' });
  for (const [v, label] of [['mine', t('myTasks')], ['queue', t('queue')]] as const) {
    const b = el('button', { type: 'button', 'aria-pressed': String(v === view), 'data-testid': `view-${v}` }, label);
    b.addEventListener('click', () => (location.href = `/tasks.html?view=${v}`));
    tabs.append(b);
  }
  page.append(tabs);
  const list = el('div', { class: 'card', 'data-testid': 'task-list' }, t('loading'));
  const detail = el('div', { 'data-testid': 'task-detail' });
  page.append(list, detail);
  try {
    const { items } = await call<{ items: TaskRow[] }>('GET', `/tasks?view=${view}`);
    list.replaceChildren(items.length === 0 ? el('p', {}, t('noTasks')) : table(items, view, detail));
    const open = params.get('task');
    if (open) await showTask(open, detail);
  } catch (error) {
    showError(list, error);
  }
}

function table(items: TaskRow[], view: 'mine' | 'queue', detail: HTMLElement): HTMLTableElement {
  const body = el('tbody');
  for (const task of items) {
    const action = el('button', { type: 'button', class: 'primary', 'data-testid': `task-${task.elementId}` }, view === 'mine' ? t('open') : t('claim'));
    action.addEventListener('click', () => {
      if (view === 'mine') void showTask(task.userTaskKey, detail, body);
      else
        call('POST', `/tasks/${task.userTaskKey}/claim`).then(
          () => (location.href = `/tasks.html?view=mine&task=${task.userTaskKey}`),
          (error: unknown) => showError(detail, error),
        );
    });
    const caseCell = el('td');
    if (task.case) caseCell.append(el('a', { href: `/case.html?id=${task.case.id}` }, task.case.caseNo), ` ${task.case.category}`);
    body.append(
      el('tr', {}, el('td', {}, task.name), caseCell, el('td', { class: task.overdue ? 'overdue' : '' }, task.dueDate ? `${when(task.dueDate)}${task.overdue ? ` · ${t('overdue')}` : ''}` : '—'), el('td', {}, action)),
    );
  }
  return el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, t('myTasks')), el('th', {}, t('caseNo')), el('th', {}, t('due')), el('th'))), body);
}

async function showTask(key: string, detail: HTMLElement, list: HTMLElement = document.body): Promise<void> {
  const task = await call<TaskRow & { form: unknown; variables: Record<string, unknown> }>('GET', `/tasks/${key}`);
  const container = el('div', { 'data-testid': 'form' });
  const card = el('section', { class: 'card' }, el('h2', {}, task.name), task.case ? el('p', {}, `${t('caseNo')}：${task.case.caseNo} · ${task.case.category}`) : '', container);
  detail.replaceChildren(card);
  const form = new Form({ container });
  if (task.form) await form.importSchema(task.form, task.variables);
  const submit = el('button', { type: 'button', class: 'primary', 'data-testid': 'submit' }, t('submit'));
  const unclaim = el('button', { type: 'button', class: 'link' }, t('unclaim'));
  card.append(submit, ' ', unclaim);
  submit.addEventListener('click', () => {
    const { data, errors } = form.submit();
    if (Object.keys(errors).length > 0) return;
    // Only the form's own fields go back (the API refuses anything else).
    const keys = new Set(fieldKeys(task.form));
    const variables = Object.fromEntries(Object.entries(data).filter(([k]) => keys.has(k)));
    call('POST', `/tasks/${key}/complete`, { variables }).then(
      () => {
        card.replaceChildren(el('p', { class: 'ok', 'data-testid': 'done' }, t('submitted'), ' ', el('a', { href: '/tasks.html?view=mine' }, t('myTasks'))));
        list.querySelector(`[data-testid="task-${task.elementId}"]`)?.closest('tr')?.remove();
      },
      (error: unknown) => showError(card, error instanceof ApiError && error.problem.errors ? new Error(error.problem.errors.map((e) => e.message).join('；')) : error),
    );
  });
  unclaim.addEventListener('click', () => void call('POST', `/tasks/${key}/unclaim`).then(() => (location.href = '/tasks.html?view=queue'), (e: unknown) => showError(card, e)));
}

function fieldKeys(schema: unknown): string[] {
  const out: string[] = [];
  const walk = (components: unknown) => {
    for (const c of (components as Array<{ key?: string; components?: unknown }>) ?? []) {
      if (c.key) out.push(c.key);
      if (c.components) walk(c.components);
    }
  };
  walk((schema as { components?: unknown })?.components);
  return out;
}

void main();
