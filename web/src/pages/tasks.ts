/**
 * The tasklist: my tasks and my groups' unclaimed tasks with due dates and overdue marks; claim and give back; a
 * task's Camunda form rendered with form-js, filled from the process, submitted (the API checks it again); beside it
 * its case or alert and its history (task-extras.ts).
 */
import '@bpmn-io/form-js/dist/assets/form-js.css';
import { Form } from '@bpmn-io/form-js';
import { chineseFormTexts } from '../lib/form-i18n';
import { ApiError, call, requireMe } from '../lib/api';
import { literalTextModule } from '../lib/form-text';
import '@carbon/web-components/es/components/button/index.js';
import '@carbon/web-components/es/components/select/index.js';
import { el, shell, showError, notice } from '../lib/shell';
import { dataTable, sortHere, tableRow, tableToolbar } from '../lib/carbon-table';
import { PROCESS_IDS } from '../../../bpmn/job-types';
import { ratingList, type Rating } from '../lib/ratings';
import { caseStatus, clockState, t, when, type Word } from '../lib/i18n';
import { showAlert, showHistory } from './task-extras';

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

/** The tasklist's filters, kept in the address like the view. */
const TASK_FILTERS = ['process', 'due', 'caseNo'] as const;
const PROCESSES: Array<[string, Word]> = [
  [PROCESS_IDS.petitionHandling, 'tfPetition'],
  [PROCESS_IDS.workingGroup1PlusX, 'tfWorkingGroup'],
  [PROCESS_IDS.streetOfficeEscalation, 'tfStreetOffice'],
  [PROCESS_IDS.earlyWarningJointHandling, 'tfEarlyWarning'],
  [PROCESS_IDS.keyPersonCare, 'tfKeyPerson'],
];

/** A Carbon select of the filter `name` for the toolbar, "any" first, its label beside it. */
function filterSelect(name: string, label: string, options: Array<[string, string]>, value: string): HTMLElement {
  const box = el('cds-select' as 'div', {
    name,
    inline: '',
    size: 'lg',
    'label-text': label,
    placeholder: t('ccAny'),
    'data-testid': `tf-${name}`,
  });
  for (const [v, text] of [['', t('ccAny')] as [string, string], ...options]) {
    const option = el('cds-select-item' as 'div', { value: v }, text);
    if (v === value) option.setAttribute('selected', '');
    box.append(option);
  }
  box.setAttribute('value', value);
  return box;
}

/**
 * The task list's toolbar: the case number searched for, the process and the due filter (a choice applies at once,
 * Enter searches); kept in the address like the view.
 */
function taskFilters(view: View, params: URLSearchParams): HTMLElement {
  const process = filterSelect(
    'process',
    t('opProcess'),
    PROCESSES.map(([id, w]) => [id, t(w)]),
    params.get('process') ?? '',
  );
  const due = filterSelect(
    'due',
    t('ccDue'),
    [
      ['overdue', t('ccOverdue')],
      ['today', t('tfToday')],
      ['week', t('tfWeek')],
    ],
    params.get('due') ?? '',
  );
  const caseNo = el('cds-table-toolbar-search' as 'div', {
    name: 'caseNo',
    persistent: '',
    size: 'lg',
    'label-text': t('tfCaseNo'),
    placeholder: t('tfCaseNo'),
    'close-button-label-text': t('ccReset'),
    maxlength: '40',
    'data-testid': 'tf-caseNo',
  });
  caseNo.setAttribute('value', params.get('caseNo') ?? '');
  const find = el('cds-button' as 'div', { kind: 'primary', size: 'lg', 'data-testid': 'tf-find' }, t('ccFind'));
  const valueOf = (box: Element) => String((box as { value?: string }).value ?? '').trim();
  const apply = () => {
    const next = new URLSearchParams({ view });
    for (const box of [process, due, caseNo]) {
      const value = valueOf(box);
      if (value) next.set(box.getAttribute('name')!, value);
    }
    location.href = `/tasks.html?${next.toString()}`;
  };
  const bar = tableToolbar(caseNo, process, due, find);
  bar.setAttribute('data-testid', 'task-filters');
  bar.addEventListener('cds-select-selected', apply);
  find.addEventListener('click', apply);
  caseNo.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      apply();
    }
  });
  // the search cleared (its close button) while the list is narrowed by it: the whole list again
  caseNo.addEventListener('cds-search-input', () => {
    if (!valueOf(caseNo) && params.get('caseNo')) apply();
  });
  return bar;
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const params = new URLSearchParams(location.search);
  const handler = me.roles.some((r) => HANDLERS.includes(r));
  const views = [
    ['mine', t('myTasks')],
    ['queue', t('queue')],
    ['inbox', t('inbox')],
    ...(handler ? [['outbox', t('outbox')]] : []),
  ] as Array<[View, string]>;
  const wanted = params.get('view');
  const view: View = views.some(([v]) => v === wanted) ? (wanted as View) : 'mine';
  const tabs = el('div', { class: 'tabs', role: 'tablist' });
  for (const [v, label] of views) {
    const b = el('button', { type: 'button', 'aria-pressed': String(v === view), 'data-testid': `view-${v}` }, label);
    b.addEventListener('click', () => (location.href = `/tasks.html?view=${v}`));
    tabs.append(b);
  }
  page.append(tabs);
  // The unread count on the notices tab.
  void call<{ unread: number }>('GET', '/inbox?unread=true').then(({ unread }) => {
    if (unread > 0)
      tabs
        .querySelector('[data-testid="view-inbox"]')
        ?.append(el('span', { class: 'badge', 'data-testid': 'unread' }, String(unread)));
  });
  if (view === 'inbox' || view === 'outbox') {
    const card = el('div', { class: 'card', 'data-testid': `${view}-list` }, t('loading'));
    page.append(card);
    await (view === 'inbox' ? showInbox(card) : showOutbox(card)).catch((error: unknown) => showError(card, error));
    return;
  }
  const list = el('div', { class: 'task-list', 'data-testid': 'task-list' }, t('loading'));
  const detail = el('div', { 'data-testid': 'task-detail' });
  page.append(list, detail);
  try {
    const query = new URLSearchParams({ view });
    for (const name of TASK_FILTERS) {
      const value = params.get(name);
      if (value) query.set(name, value);
    }
    const { items } = await call<{ items: TaskRow[] }>('GET', `/tasks?${query.toString()}`);
    list.replaceChildren(
      table(items, view, detail, taskFilters(view, params)),
      ...(items.length === 0 ? [el('p', { class: 'empty' }, t('noTasks'))] : []),
    );
    const open = params.get('task');
    if (open) await showTask(open, detail);
  } catch (error) {
    showError(list, error);
  }
}

type View = 'mine' | 'queue' | 'inbox' | 'outbox';
/** Who hands texts and rating links to petitioners (the outbox's roles). */
const HANDLERS = ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'];

interface Notice {
  id: string;
  text: string;
  case: { id: string; caseNo: string } | null;
  createdAt: string;
  readAt: string | null;
}

async function showInbox(card: HTMLElement): Promise<void> {
  const { items } = await call<{ items: Notice[] }>('GET', '/inbox');
  card.replaceChildren(...(items.length === 0 ? [el('p', {}, t('noNotices2'))] : []));
  for (const n of items) {
    const item = el(
      'article',
      { class: `card notice${n.readAt ? '' : ' unread'}`, 'data-testid': 'notice' },
      el('p', {}, n.text),
      el('small', {}, when(n.createdAt), ' '),
    );
    if (n.case)
      item.querySelector('small')!.append(el('a', { href: `/case.html?id=${n.case.id}` }, n.case.caseNo), ' ');
    if (!n.readAt) {
      const read = el('button', { type: 'button', class: 'link', 'data-testid': 'mark-read' }, t('markRead'));
      read.addEventListener('click', () =>
        call('POST', `/inbox/${n.id}/read`).then(
          () => {
            item.classList.remove('unread');
            read.remove();
          },
          (error: unknown) => showError(item, error),
        ),
      );
      item.querySelector('small')!.append(read);
    }
    card.append(item);
  }
}

async function showOutbox(card: HTMLElement): Promise<void> {
  const { items } = await call<{
    items: Array<Notice & { phoneMasked: string | null; status: string; error: string | null }>;
  }>('GET', '/outbox');
  card.replaceChildren(...(items.length === 0 ? [el('p', {}, t('noOutbox'))] : []));
  for (const m of items) {
    const done = el('button', { type: 'button', class: 'primary', 'data-testid': 'passed-on' }, t('passedOn'));
    const number = el('span', { 'data-testid': 'outbox-phone' }, m.phoneMasked ?? '');
    // The full number only on request: the server checks who asks and logs each reveal (pii_access_log).
    const reveal = el('button', { type: 'button', 'data-testid': 'reveal-phone' }, t('revealPhone'));
    const item = el(
      'article',
      { class: 'card notice unread', 'data-testid': 'outbox-item' },
      el('p', {}, m.text),
      el(
        'small',
        {},
        number,
        ` · ${when(m.createdAt)} `,
        m.case ? el('a', { href: `/case.html?id=${m.case.id}` }, m.case.caseNo) : '',
      ),
      el('p', {}, ...(m.phoneMasked ? [reveal, ' '] : []), done),
    );
    reveal.addEventListener('click', () =>
      call<{ phone: string }>('POST', `/outbox/${m.id}/reveal-phone`).then(
        ({ phone }) => {
          number.replaceChildren(el('a', { href: `tel:${phone}` }, phone));
          reveal.remove();
        },
        (error: unknown) => showError(item, error),
      ),
    );
    done.addEventListener('click', () =>
      call('POST', `/outbox/${m.id}/passed-on`).then(
        () => item.remove(),
        (error: unknown) => showError(item, error),
      ),
    );
    card.append(item);
  }
}

/**
 * The tasks as a Carbon data table under its toolbar, soonest due first as the API answers them; the due column sorts
 * the other way round and back (the page has all the tasks, so it sorts them itself).
 */
function table(items: TaskRow[], view: 'mine' | 'queue', detail: HTMLElement, toolbar: HTMLElement): HTMLElement {
  const rows = new Map<TaskRow, HTMLElement>();
  for (const task of items) {
    const action = el(
      'cds-button' as 'button',
      { kind: 'primary', size: 'sm', 'data-testid': `task-${task.elementId}` },
      view === 'mine' ? t('open') : t('claim'),
    );
    const caseCell: Array<Node | string> = task.case
      ? [el('a', { href: `/case.html?id=${task.case.id}` }, task.case.caseNo), ` ${task.case.category}`]
      : ['—'];
    const row = tableRow({ 'data-testid': 'task-row' }, [
      task.name,
      [caseCell, { class: 'num' }],
      [
        [task.dueDate ? `${when(task.dueDate)}${task.overdue ? ` · ${t('overdue')}` : ''}` : '—'],
        { class: task.overdue ? 'num overdue' : 'num' },
      ],
      action,
    ]);
    action.addEventListener('click', () => {
      if (view === 'mine') void showTask(task.userTaskKey, detail, body);
      else
        call('POST', `/tasks/${task.userTaskKey}/claim`).then(
          () => (location.href = `/tasks.html?view=mine&task=${task.userTaskKey}`),
          (error: unknown) => showError(detail, error),
        );
    });
    rows.set(task, row);
  }
  const { table, body, header } = dataTable(
    [
      { label: t('tfTask') },
      { label: t('caseNo') },
      // soonest first (the API's order, tasks without a due date last); pressed, latest first
      { label: t('due'), sort: 'ascending', onSort: (next) => sortByDue(next) },
      { label: t('opAction') },
    ],
    { 'data-testid': 'task-table' },
  );
  const sortByDue = sortHere(header, 2, (direction) => {
    const ordered = direction === 'ascending' ? items : [...items].reverse();
    body.replaceChildren(...ordered.map((task) => rows.get(task)!));
  });
  table.prepend(toolbar);
  body.append(...items.map((task) => rows.get(task)!));
  return table;
}

async function showTask(key: string, detail: HTMLElement, list: HTMLElement = document.body): Promise<void> {
  const task = await call<TaskRow & { form: unknown; variables: Record<string, unknown> }>('GET', `/tasks/${key}`);
  const container = el('div', { 'data-testid': 'form' });
  const card = el('section', { class: 'card task-form' }, el('h2', {}, task.name), container);
  const context = el('aside', { class: 'card task-context', 'data-testid': 'case-context' });
  detail.replaceChildren(el('div', { class: 'task-layout' }, card, context));
  if (task.case) void caseContext(task.case.id, context);
  // An early warning's coordination: its alert and the cases that raised it; every task: what happened to it.
  else void showAlert(key, context);
  void showHistory(key, detail);
  // Text views show what people typed as text, not as live HTML or Markdown (lib/form-text.ts).
  const form = new Form({ container, additionalModules: [literalTextModule] });
  chineseFormTexts(container); // form-js's own strings ("Select", "Field is required.") in Chinese
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
        card.replaceChildren(
          notice('success', [t('submitted'), ' ', el('a', { href: '/tasks.html?view=mine' }, t('myTasks'))], {
            'data-testid': 'done',
          }),
        );
        list.querySelector(`[data-testid="task-${task.elementId}"]`)?.closest('cds-table-row')?.remove();
      },
      (error: unknown) =>
        showError(
          card,
          error instanceof ApiError && error.problem.errors
            ? new Error(error.problem.errors.map((e) => e.message).join('；'))
            : error,
        ),
    );
  });
  unclaim.addEventListener(
    'click',
    () =>
      void call('POST', `/tasks/${key}/unclaim`).then(
        () => (location.href = '/tasks.html?view=queue'),
        (e: unknown) => showError(card, e),
      ),
  );
  // Handing over is offered when colleagues can be listed; without them the task is simply worked here.
  if (task.candidateGroups.length > 0) void handOver(key, card).catch(() => undefined);
}

/** Handing a group's task to a colleague who may take it (the API says who). */
async function handOver(key: string, card: HTMLElement): Promise<void> {
  const { items } = await call<{ items: Array<{ username: string; displayName: string }> }>(
    'GET',
    `/tasks/${key}/colleagues`,
  );
  if (items.length === 0) return;
  const who = el('cds-select' as 'select', {
    'data-testid': 'hand-over-to',
    'label-text': t('handOverTo'),
    size: 'md',
  });
  for (const [i, u] of items.entries())
    who.append(
      el('cds-select-item' as 'option', { value: u.username, ...(i === 0 ? { selected: '' } : {}) }, u.displayName),
    );
  who.setAttribute('value', items[0].username);
  const go = el('cds-button' as 'button', { kind: 'tertiary', size: 'md', 'data-testid': 'hand-over' }, t('handOver'));
  go.addEventListener('click', () =>
    call('POST', `/tasks/${key}/hand-over`, { username: who.value }).then(
      () => (location.href = '/tasks.html?view=mine'),
      (error: unknown) => showError(card, error),
    ),
  );
  card.append(el('div', { class: 'hand-over' }, who, go));
}

/** The case beside its task: what it is about, its owner and status, both clocks, and a link to its page. */
async function caseContext(caseId: string, at: HTMLElement): Promise<void> {
  try {
    const c = await call<{
      caseNo: string;
      category: string;
      description: string;
      status: string;
      owner: { displayName: string };
      petitioner: { name: string | null; phone: string | null } | null;
      clocks: { internal: { dueAt: string | null; state: string }; legal: { dueAt: string | null; state: string } };
      ratings: Rating[];
    }>('GET', `/cases/${encodeURIComponent(caseId)}`);
    const clock = (label: string, k: { dueAt: string | null; state: string }) =>
      el(
        'li',
        { class: k.state === 'overdue' || k.state === 'missed' ? 'overdue' : '' },
        `${label}：${when(k.dueAt)}（${clockState(k.state)}）`,
      );
    at.replaceChildren(
      el('h3', {}, el('a', { href: `/case.html?id=${caseId}` }, c.caseNo), ` · ${c.category}`),
      el('p', {}, c.description),
      el(
        'ul',
        {},
        el('li', {}, `${t('owner')}：${c.owner.displayName}`),
        el('li', {}, `${t('status')}：${caseStatus(c.status)}`),
        ...(c.petitioner
          ? [
              el(
                'li',
                {},
                `${t('petitionerName')}：${c.petitioner.name ?? t('noNameGiven')}${c.petitioner.phone ? ` · ${c.petitioner.phone}` : ''}`,
              ),
            ]
          : []),
        clock(t('internalClock'), c.clocks.internal),
        clock(t('legalClock'), c.clocks.legal),
      ),
      // The ratings and the petitioner's reasons: what a second handling has to put right.
      ...(c.ratings.length > 0 ? [el('h4', {}, t('ratingsTitle')), ratingList(c.ratings, 'context-ratings')] : []),
    );
  } catch (error) {
    showError(at, error);
  }
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
