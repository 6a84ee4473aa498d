/**
 * The tasklist: my tasks and my groups' unclaimed tasks with due dates and overdue marks; claim and give back; a
 * task's Camunda form rendered with form-js, filled from the process, submitted (the API checks it again).
 */
import '@bpmn-io/form-js/dist/assets/form-js.css';
import { Form } from '@bpmn-io/form-js';
import { ApiError, call, requireMe } from '../lib/api';
import { literalTextModule } from '../lib/form-text';
import { el, shell, showError } from '../lib/shell';
import { PROCESS_IDS } from '../../../bpmn/job-types';
import { ratingList, type Rating } from '../lib/ratings';
import { caseStatus, clockState, t, when, type Word } from '../lib/i18n';

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

function taskFilters(view: View, params: URLSearchParams): HTMLFormElement {
  const select = (name: string, options: Array<[string, string]>) => {
    const box = el('select', { name, 'data-testid': `tf-${name}` });
    for (const [value, label] of [['', t('ccAny')] as [string, string], ...options]) {
      const option = el('option', { value }, label);
      option.selected = value === (params.get(name) ?? '');
      box.append(option);
    }
    return box;
  };
  const caseNo = el('input', {
    name: 'caseNo',
    placeholder: t('tfCaseNo'),
    'data-testid': 'tf-caseNo',
    maxlength: '40',
  });
  caseNo.value = params.get('caseNo') ?? '';
  const form = el(
    'form',
    { class: 'toolbar', role: 'search', 'data-testid': 'task-filters' },
    select(
      'process',
      PROCESSES.map(([id, w]) => [id, t(w)]),
    ),
    select('due', [
      ['overdue', t('ccOverdue')],
      ['today', t('tfToday')],
      ['week', t('tfWeek')],
    ]),
    caseNo,
    el('button', { type: 'submit' }, t('ccFind')),
  );
  const apply = () => {
    const next = new URLSearchParams({ view });
    for (const [name, value] of new FormData(form))
      if (typeof value === 'string' && value.trim()) next.set(name, value.trim());
    location.href = `/tasks.html?${next.toString()}`;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  for (const box of form.querySelectorAll('select')) box.addEventListener('change', apply);
  return form;
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
  const list = el('div', { class: 'card', 'data-testid': 'task-list' }, t('loading'));
  const detail = el('div', { 'data-testid': 'task-detail' });
  page.append(taskFilters(view, params), list, detail);
  try {
    const query = new URLSearchParams({ view });
    for (const name of TASK_FILTERS) {
      const value = params.get(name);
      if (value) query.set(name, value);
    }
    const { items } = await call<{ items: TaskRow[] }>('GET', `/tasks?${query.toString()}`);
    list.replaceChildren(items.length === 0 ? el('p', {}, t('noTasks')) : table(items, view, detail));
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

function table(items: TaskRow[], view: 'mine' | 'queue', detail: HTMLElement): HTMLTableElement {
  const body = el('tbody');
  for (const task of items) {
    const action = el(
      'button',
      { type: 'button', class: 'primary', 'data-testid': `task-${task.elementId}` },
      view === 'mine' ? t('open') : t('claim'),
    );
    action.addEventListener('click', () => {
      if (view === 'mine') void showTask(task.userTaskKey, detail, body);
      else
        call('POST', `/tasks/${task.userTaskKey}/claim`).then(
          () => (location.href = `/tasks.html?view=mine&task=${task.userTaskKey}`),
          (error: unknown) => showError(detail, error),
        );
    });
    const caseCell = el('td');
    if (task.case)
      caseCell.append(el('a', { href: `/case.html?id=${task.case.id}` }, task.case.caseNo), ` ${task.case.category}`);
    body.append(
      el(
        'tr',
        {},
        el('td', {}, task.name),
        caseCell,
        el(
          'td',
          { class: task.overdue ? 'overdue' : '' },
          task.dueDate ? `${when(task.dueDate)}${task.overdue ? ` · ${t('overdue')}` : ''}` : '—',
        ),
        el('td', {}, action),
      ),
    );
  }
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el('tr', {}, el('th', {}, t('myTasks')), el('th', {}, t('caseNo')), el('th', {}, t('due')), el('th')),
    ),
    body,
  );
}

async function showTask(key: string, detail: HTMLElement, list: HTMLElement = document.body): Promise<void> {
  const task = await call<TaskRow & { form: unknown; variables: Record<string, unknown> }>('GET', `/tasks/${key}`);
  const container = el('div', { 'data-testid': 'form' });
  const card = el('section', { class: 'card task-form' }, el('h2', {}, task.name), container);
  const context = el('aside', { class: 'card task-context', 'data-testid': 'case-context' });
  detail.replaceChildren(el('div', { class: 'task-layout' }, card, context));
  if (task.case) void caseContext(task.case.id, context);
  else context.remove();
  // Text views show what people typed as text, not as live HTML or Markdown (lib/form-text.ts).
  const form = new Form({ container, additionalModules: [literalTextModule] });
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
          el(
            'p',
            { class: 'ok', 'data-testid': 'done' },
            t('submitted'),
            ' ',
            el('a', { href: '/tasks.html?view=mine' }, t('myTasks')),
          ),
        );
        list.querySelector(`[data-testid="task-${task.elementId}"]`)?.closest('tr')?.remove();
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
  const who = el('select', { 'data-testid': 'hand-over-to', 'aria-label': t('handOverTo') });
  for (const u of items) who.append(el('option', { value: u.username }, u.displayName));
  const go = el('button', { type: 'button', 'data-testid': 'hand-over' }, t('handOver'));
  go.addEventListener('click', () =>
    call('POST', `/tasks/${key}/hand-over`, { username: who.value }).then(
      () => (location.href = '/tasks.html?view=mine'),
      (error: unknown) => showError(card, error),
    ),
  );
  card.append(el('p', { class: 'toolbar' }, `${t('handOverTo')}：`, who, go));
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
