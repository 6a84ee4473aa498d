/**
 * Settings (设置, admins): the working-day calendar per year (holidays and adjusted workdays; next year's are added
 * each November), staff accounts (create, roles, deactivate, reset the password), the category dictionary, the targets and the key-person
 * rule, and the notice texts (replaced with placeholders; the API refuses unknown names and personal data).
 */
import { call, requireMe, type Me } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { lang, t, when, type Word } from '../lib/i18n';
import { categorySettings } from './settings-categories';

const TABS = ['calendar', 'users', 'categories', 'targets', 'templates'] as const;
type Tab = (typeof TABS)[number];
const TAB_WORD: Record<Tab, Word> = {
  calendar: 'seCalendar',
  users: 'seUsers',
  categories: 'categoriesTitle',
  targets: 'seTargets',
  templates: 'seTemplates',
};
const ROLES = ['admin', 'reception', 'cadre', 'secretary', 'grid-worker', 'street-office', 'member', 'leader'];
const ROLE_WORD: Record<string, Word> = {
  admin: 'roleAdmin',
  reception: 'roleReception',
  cadre: 'roleCadre',
  secretary: 'roleSecretary',
  'grid-worker': 'roleGridWorker',
  'street-office': 'roleStreetOffice',
  member: 'roleMember',
  leader: 'roleLeader',
};
const TEMPLATE_WORD: Record<string, Word> = {
  acceptance: 'tplAcceptance',
  result: 'tplResult',
  'overdue-yellow': 'tplOverdueYellow',
  'overdue-red': 'tplOverdueRed',
  escalated: 'tplEscalated',
  'team-opinion': 'tplTeamOpinion',
  closed: 'tplClosed',
  'early-warning': 'tplEarlyWarning',
  'joint-handling-result': 'tplJointHandlingResult',
};
const word = (map: Record<string, Word>, value: string) => (map[value] ? t(map[value]) : value);
const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.append(el('h1', {}, t('navSettings')));
  const tabs = el('div', { class: 'tabs', role: 'tablist' });
  const panel = el('div', { 'data-testid': 'settings-panel' });
  page.append(tabs, panel);
  const show = (tab: Tab) => {
    history.replaceState(null, '', `#${tab}`);
    for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.tab === tab));
    panel.replaceChildren(el('p', {}, t('loading')));
    const render = {
      calendar: () => calendar(panel),
      users: () => users(panel, me),
      categories: () => categorySettings(panel),
      targets: () => targets(panel),
      templates: () => templates(panel),
    }[tab];
    render().catch((error: unknown) => showError(panel, error));
  };
  for (const tab of TABS) {
    const b = el('button', { type: 'button', 'data-tab': tab, 'data-testid': `tab-${tab}` }, t(TAB_WORD[tab]));
    b.addEventListener('click', () => show(tab));
    tabs.append(b);
  }
  const initial = location.hash.slice(1) as Tab;
  show(TABS.includes(initial) ? initial : 'calendar');
}

// ---- the working-day calendar ----

interface Year {
  year: number;
  source: string;
  complete: boolean;
  updatedAt: string;
  holidays: number;
  adjustedWorkdays: number;
}
interface Day {
  day: string;
  isWorkday: boolean;
  name: string;
}

async function calendar(panel: HTMLElement, open?: number): Promise<void> {
  const { items } = await call<{ items: Year[] }>('GET', '/calendar/years');
  const body = el('tbody');
  const editor = el('div', { 'data-testid': 'calendar-editor' });
  for (const y of [...items].sort((a, b) => b.year - a.year)) {
    const edit = el('button', { type: 'button', class: 'link', 'data-testid': `year-${y.year}` }, t('stEdit'));
    edit.addEventListener(
      'click',
      () => void editYear(editor, y.year, panel, true).catch((e: unknown) => showError(editor, e)),
    );
    body.append(
      el(
        'tr',
        {},
        el('td', {}, String(y.year)),
        el(
          'td',
          {},
          y.source === 'admin' ? t('seSourceAdmin') : t('seSourcePackage'),
          el('br'),
          el('small', {}, y.complete ? t('seComplete') : t('seDraft')),
        ),
        el('td', { class: 'num' }, `${y.holidays} / ${y.adjustedWorkdays}`),
        el('td', {}, edit),
      ),
    );
  }
  const head = el('tr', {}, ...[t('seYear'), t('seSource'), t('seHolidaysWorkdays'), ''].map((h) => el('th', {}, h)));
  const newYear = el('input', { type: 'number', min: '1990', max: '2200', required: '', 'data-testid': 'new-year' });
  newYear.value = String(Math.max(new Date().getFullYear(), ...items.map((y) => y.year)) + 1);
  const add = el(
    'form',
    { class: 'row' },
    field(t('seAddYear'), newYear),
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'add-year' }, t('stAdd'))),
  );
  add.addEventListener('submit', (event) => {
    event.preventDefault();
    const year = Number(newYear.value);
    void editYear(
      editor,
      year,
      panel,
      items.some((y) => y.year === year),
    ).catch((e: unknown) => showError(add, e));
  });
  panel.replaceChildren(
    el(
      'section',
      { class: 'card', 'data-testid': 'calendar-years' },
      el('h2', {}, t('seCalendar')),
      el('p', { class: 'hint' }, t('seCalendarHint')),
      el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)),
      add,
    ),
    await calendarWaiting(panel),
    editor,
  );
  if (open) await editYear(editor, open, panel, true);
}

interface Waiting {
  case: { id: string; caseNo: string } | null;
  year: number;
  since: string;
  yearAdded: boolean;
  reason: { zh: string; en: string };
}

/** Cases whose deadline waits for a year the calendar lacks, with the reason; adding the year recomputes them. */
async function calendarWaiting(panel: HTMLElement): Promise<HTMLElement> {
  const { items } = await call<{ items: Waiting[] }>('GET', '/calendar/waiting');
  const card = el('section', { class: 'card', 'data-testid': 'calendar-waiting' });
  if (items.length === 0) {
    card.hidden = true;
    return card;
  }
  const list = el('ul');
  for (const w of items) {
    const which = w.case ? el('a', { href: `/case.html?id=${w.case.id}` }, w.case.caseNo) : el('span', {}, '—');
    list.append(el('li', {}, which, ` · ${w.year} · ${when(w.since)}：${w.reason[lang()]}`));
  }
  const retry = el('button', { type: 'button', 'data-testid': 'retry-waiting' }, t('seRetryWaiting'));
  retry.addEventListener('click', () => {
    call('POST', '/calendar/waiting/retry', {}).then(
      () => void calendar(panel).catch((e: unknown) => showError(panel, e)),
      (e: unknown) => showError(card, e),
    );
  });
  card.append(
    el('h2', {}, t('seCalendarWaiting')),
    el('p', { class: 'hint' }, t('seCalendarWaitingHint')),
    list,
    ...(items.some((w) => w.yearAdded) ? [retry] : []),
  );
  return card;
}

/** One year's special days, edited in the page and saved together (the API replaces the year's list). */
async function editYear(editor: HTMLElement, year: number, panel: HTMLElement, known: boolean): Promise<void> {
  let days: Day[] = [];
  let complete = true;
  if (known) {
    const found = await call<{ complete: boolean; days: Day[] }>('GET', `/calendar/${year}`);
    days = found.days;
    complete = found.complete;
  }
  const list = el('tbody');
  const draw = () => {
    list.replaceChildren();
    days.sort((a, b) => a.day.localeCompare(b.day));
    for (const d of days) {
      const remove = el('button', { type: 'button', class: 'link', 'data-testid': `remove-${d.day}` }, t('stRemove'));
      remove.addEventListener('click', () => {
        days = days.filter((x) => x !== d);
        draw();
      });
      list.append(
        el(
          'tr',
          { 'data-testid': `day-${d.day}` },
          el('td', {}, d.day),
          el('td', {}, d.isWorkday ? t('seWorkday') : t('seHoliday')),
          el('td', {}, d.name),
          el('td', {}, remove),
        ),
      );
    }
    if (days.length === 0) list.append(el('tr', {}, el('td', { colspan: '4' }, t('seNoDays'))));
  };
  draw();
  const day = el('input', { type: 'date', min: `${year}-01-01`, max: `${year}-12-31`, 'data-testid': 'day-date' });
  const kind = el(
    'select',
    { 'data-testid': 'day-kind' },
    el('option', { value: 'holiday' }, t('seHoliday')),
    el('option', { value: 'workday' }, t('seWorkday')),
  );
  const name = el('input', { maxlength: '50', placeholder: t('seDayNameHint'), 'data-testid': 'day-name' });
  const addDay = el('button', { type: 'button', class: 'primary', 'data-testid': 'day-add' }, t('stAdd'));
  const completeBox = el('input', { type: 'checkbox', 'data-testid': 'year-complete' });
  completeBox.checked = complete;
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'year-form' },
    el('h2', {}, `${t('seCalendar')} · ${year}`),
    el('p', { class: 'hint' }, t('seYearHint')),
    el(
      'div',
      { class: 'scroll' },
      el(
        'table',
        {},
        el('thead', {}, el('tr', {}, ...[t('seDay'), t('seKind'), t('seDayName'), ''].map((h) => el('th', {}, h)))),
        list,
      ),
    ),
    el(
      'div',
      { class: 'row' },
      field(t('seDay'), day),
      field(t('seKind'), kind),
      field(t('seDayName'), name),
      el('div', {}, addDay),
    ),
    el('label', {}, completeBox, ' ', t('seCompleteLabel')),
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'year-save' }, t('stSave'))),
  );
  addDay.addEventListener('click', () => {
    form.querySelector('.error')?.remove();
    if (!day.value || !name.value.trim()) return showError(form, new Error(t('seDayNeeded')));
    days = days.filter((d) => d.day !== day.value);
    days.push({ day: day.value, isWorkday: kind.value === 'workday', name: name.value.trim() });
    day.value = '';
    name.value = '';
    draw();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    call('PUT', `/calendar/${year}`, { days, complete: completeBox.checked }).then(
      () => void calendar(panel, year).catch((e: unknown) => showError(panel, e)),
      (error: unknown) => showError(form, error),
    );
  });
  editor.replaceChildren(form);
  form.scrollIntoView({ block: 'start' });
}

// ---- users ----

interface User {
  id: string;
  username: string;
  displayName: string;
  active: boolean;
  lockedUntil: string | null;
  roles: string[];
}

function roleBoxes(testId: string, checked: string[] = []): HTMLElement {
  const box = el('fieldset', { class: 'roles', 'data-testid': testId }, el('legend', {}, t('seRoles')));
  for (const r of ROLES) {
    const input = el('input', { type: 'checkbox', name: 'role', value: r, 'data-testid': `${testId}-${r}` });
    input.checked = checked.includes(r);
    box.append(el('label', {}, input, ' ', word(ROLE_WORD, r)));
  }
  return box;
}
const chosenRoles = (box: HTMLElement) =>
  [...box.querySelectorAll<HTMLInputElement>('input[name="role"]:checked')].map((i) => i.value);

async function users(panel: HTMLElement, me: Me): Promise<void> {
  const { items } = await call<{ items: User[] }>('GET', '/users');
  const editor = el('div');
  const body = el('tbody');
  for (const u of items) {
    const edit = el('button', { type: 'button', class: 'link', 'data-testid': `user-edit-${u.username}` }, t('stEdit'));
    edit.addEventListener('click', () => editor.replaceChildren(userForm(u, me, () => users(panel, me))));
    const locked = u.lockedUntil && new Date(u.lockedUntil) > new Date();
    // Locked by wrong passwords (someone else's, perhaps): the admin lifts it here rather than resetting the password.
    const unlock = locked
      ? el('button', { type: 'button', class: 'link', 'data-testid': `user-unlock-${u.username}` }, t('seUnlock'))
      : '';
    const actions = el('td', {}, edit, unlock ? ' ' : '', unlock);
    if (unlock)
      unlock.addEventListener('click', () =>
        call('POST', `/users/${u.id}/unlock`).then(
          () => users(panel, me),
          (error: unknown) => showError(actions, error),
        ),
      );
    body.append(
      el(
        'tr',
        { 'data-testid': `user-${u.username}`, class: u.active ? '' : 'muted' },
        el('td', {}, u.displayName, el('br'), el('small', {}, u.username)),
        el('td', {}, u.roles.map((r) => word(ROLE_WORD, r)).join('、')),
        el(
          'td',
          {},
          u.active ? t('seActive') : t('seInactive'),
          locked ? el('small', { class: 'overdue' }, ` · ${t('seLocked')}`) : '',
        ),
        actions,
      ),
    );
  }
  const head = el('tr', {}, ...[t('seUser'), t('seRoles'), t('status'), ''].map((h) => el('th', {}, h)));
  panel.replaceChildren(
    el(
      'section',
      { class: 'card', 'data-testid': 'user-list' },
      el('h2', {}, t('seUsers')),
      el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)),
    ),
    editor,
    newUserForm(() => users(panel, me)),
  );
}

function newUserForm(done: () => Promise<void>): HTMLFormElement {
  const username = el('input', {
    name: 'username',
    required: '',
    maxlength: '63',
    autocomplete: 'off',
    'data-testid': 'new-username',
  });
  const displayName = el('input', {
    name: 'displayName',
    required: '',
    maxlength: '50',
    'data-testid': 'new-display-name',
  });
  const password = el('input', {
    type: 'password',
    name: 'password',
    required: '',
    autocomplete: 'new-password',
    'data-testid': 'new-password',
  });
  const roles = roleBoxes('new-roles');
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'new-user-form' },
    el('h2', {}, t('seNewUser')),
    el(
      'div',
      { class: 'row' },
      field(t('username'), username),
      field(t('seDisplayName'), displayName),
      field(t('sePassword'), password),
    ),
    roles,
    el(
      'div',
      {},
      el('button', { type: 'submit', class: 'primary', 'data-testid': 'new-user-save' }, t('seCreateUser')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    call('POST', '/users', {
      username: username.value.trim(),
      displayName: displayName.value.trim(),
      password: password.value,
      roles: chosenRoles(roles),
    }).then(
      () => void done(),
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

function userForm(u: User, me: Me, done: () => Promise<void>): HTMLFormElement {
  const displayName = el('input', {
    name: 'displayName',
    required: '',
    maxlength: '50',
    'data-testid': 'edit-display-name',
  });
  displayName.value = u.displayName;
  const active = el('input', { type: 'checkbox', name: 'active', 'data-testid': 'edit-active' });
  active.checked = u.active;
  const password = el('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'new-password',
    placeholder: t('sePasswordHint'),
    'data-testid': 'edit-password',
  });
  const roles = roleBoxes('edit-roles', u.roles);
  const buttons = el(
    'div',
    { class: 'row' },
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'edit-save' }, t('stSave')),
  );
  const cancel = el('button', { type: 'button', class: 'link' }, t('stCancel'));
  cancel.addEventListener('click', () => form.remove());
  buttons.append(cancel);
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'edit-user-form' },
    el('h2', {}, `${t('seEditUser')} · ${u.username}${u.username === me.username ? ` (${t('seYou')})` : ''}`),
    el('div', { class: 'row' }, field(t('seDisplayName'), displayName), field(t('seResetPassword'), password)),
    el('label', {}, active, ' ', t('seActive')),
    roles,
    buttons,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      displayName: displayName.value.trim(),
      roles: chosenRoles(roles),
      active: active.checked,
      ...(password.value ? { password: password.value } : {}),
    };
    call('PUT', `/users/${u.id}`, body).then(
      () => void done(),
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

// ---- targets and the key-person rule ----

interface Setting {
  value: Record<string, number>;
  plan: Record<string, number>;
  updatedBy: string | null;
  updatedAt: string | null;
}
const SETTING_FIELDS: Record<string, Array<[string, Word, string]>> = {
  targets: [
    ['avgHandlingWorkingDays', 'seAvgDays', '0.5'],
    ['satisfactionPercent', 'seSatisfaction', '0.1'],
    ['repeatReduction', 'seRepeatReduction', '0.1'],
    ['volunteerConversionPercent', 'seVolunteerConversion', '0.1'],
    ['campaignCoveragePercent', 'seCampaignCoverage', '0.1'],
  ],
  'key-person-rule': [
    ['windowDays', 'seKpWindow', '1'],
    ['threshold', 'seKpThreshold', '1'],
  ],
};

async function targets(panel: HTMLElement): Promise<void> {
  const settings = await call<Record<string, Setting>>('GET', '/settings');
  panel.replaceChildren();
  for (const [key, fields] of Object.entries(SETTING_FIELDS)) {
    const s = settings[key];
    if (!s) continue;
    const inputs = fields.map(([name, label, step]) => {
      const input = el('input', { type: 'number', name, step, required: '', 'data-testid': `setting-${name}` });
      input.value = String(s.value[name]);
      return [name, field(`${t(label)}（${t('sePlan')} ${s.plan[name]}）`, input), input] as const;
    });
    const form = el(
      'form',
      { class: 'card stack', 'data-testid': `setting-${key}` },
      el('h2', {}, key === 'targets' ? t('seTargets') : t('seKpRule')),
      el(
        'p',
        { class: 'hint' },
        s.updatedBy ? `${t('seUpdatedBy')} ${s.updatedBy} · ${when(s.updatedAt)}` : t('seFromPlan'),
      ),
      el('div', { class: 'row' }, ...inputs.map(([, f]) => f)),
      el(
        'div',
        {},
        el('button', { type: 'submit', class: 'primary', 'data-testid': `setting-save-${key}` }, t('stSave')),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = Object.fromEntries(inputs.map(([name, , input]) => [name, Number(input.value)]));
      call('PUT', `/settings/${key}`, body).then(
        () => void targets(panel),
        (error: unknown) => showError(form, error),
      );
    });
    panel.append(form);
  }
}

// ---- notice texts ----

interface Template {
  template: string;
  audience: string;
  builtIn: string;
  override: string | null;
  sample: string;
  updatedBy: string | null;
  updatedAt: string | null;
}

async function templates(panel: HTMLElement): Promise<void> {
  const { placeholders, items } = await call<{ placeholders: string[]; items: Template[] }>(
    'GET',
    '/notification-templates',
  );
  panel.replaceChildren(
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('seTemplates')),
      el('p', { class: 'hint' }, t('seTemplatesHint')),
      el('p', {}, `${t('sePlaceholders')}：`, ...placeholders.map((p) => el('code', {}, `{${p}}`))),
    ),
  );
  for (const tpl of items) panel.append(templateForm(tpl, () => templates(panel)));
}

function templateForm(tpl: Template, done: () => Promise<void>): HTMLFormElement {
  const text = el('textarea', {
    name: 'zh',
    rows: '3',
    maxlength: '300',
    placeholder: tpl.builtIn,
    'data-testid': `template-text-${tpl.template}`,
  });
  text.value = tpl.override ?? '';
  const buttons = el(
    'div',
    { class: 'row' },
    el('button', { type: 'submit', class: 'primary', 'data-testid': `template-save-${tpl.template}` }, t('seReplace')),
  );
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': `template-${tpl.template}` },
    el(
      'h3',
      {},
      `${word(TEMPLATE_WORD, tpl.template)} `,
      el('small', {}, `${tpl.template} · ${tpl.audience === 'petitioner' ? t('seToPetitioner') : t('seToStaff')}`),
    ),
    el('p', {}, el('small', {}, `${t('seBuiltIn')}：`), tpl.builtIn),
    field(`${t('seOverride')}${tpl.updatedBy ? `（${tpl.updatedBy} · ${when(tpl.updatedAt)}）` : ''}`, text),
    tpl.override === null
      ? ''
      : el(
          'p',
          { 'data-testid': `template-sample-${tpl.template}` },
          el('small', {}, `${t('seSample')}：`),
          tpl.sample,
        ),
    buttons,
  );
  if (tpl.override !== null) {
    const reset = el(
      'button',
      { type: 'button', class: 'link', 'data-testid': `template-reset-${tpl.template}` },
      t('seBackToBuiltIn'),
    );
    reset.addEventListener('click', () =>
      call('DELETE', `/notification-templates/${tpl.template}`).then(
        () => void done(),
        (error: unknown) => showError(form, error),
      ),
    );
    buttons.append(reset);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    call<{ sample: string }>('PUT', `/notification-templates/${tpl.template}`, { zh: text.value }).then(
      () => void done(),
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

void main();
