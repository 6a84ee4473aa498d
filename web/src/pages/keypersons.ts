/**
 * The key-person registry (重点人员, 一人一档、一人一策): the list with status, plan, repeats and service team; a
 * person's file with their petitions, visits and care plan; entry by the case number of one of their petitions;
 * the plan and team updated; a conversion recorded (kp-conversion.ts) and the file's timeline; exit with a reason.
 * Names come masked from the API and nothing else is shown.
 */
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t, when, type Word, caseStatus } from '../lib/i18n';
import { conversionForm, conversionText, timeline, type Conversion } from './kp-conversion';

interface Person {
  id: string;
  name: string | null;
  compound: string | null;
  status: string;
  reason: string;
  enteredAt: string;
  exitedAt: string | null;
  exitReason: string | null;
  serviceTeam: { lead: string | null; volunteer: string | null; professional: string | null };
  conversion: Conversion | null;
  plan: string | null;
  petitionsLastYear: number;
  repeatPetitions: number;
}
interface PersonFile extends Person {
  petitions: Array<{
    id: string;
    caseNo: string;
    category: string;
    status: string;
    receivedAt: string;
    repeat: boolean;
  }>;
  visits: Array<{ at: string | null; state: string }>;
}

const WRITE = ['cadre', 'secretary', 'leader', 'admin'];
const STATUS: Record<string, Word> = { active: 'kpActive', exited: 'kpExited', all: 'kpAll' };
const REASON: Record<string, Word> = {
  'higher-level-visit': 'kpHigherLevelVisit',
  'repeat-petitions': 'kpRepeatPetitions',
};
const word = (map: Record<string, Word>, value: string) => (map[value] ? t(map[value]) : value);
const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const canWrite = me.roles.some((r) => WRITE.includes(r));
  const params = new URLSearchParams(location.search);
  const status = ['active', 'exited', 'all'].includes(params.get('status') ?? '') ? params.get('status')! : 'active';

  page.append(el('h1', {}, t('navKeyPersons')));
  const tabs = el('div', { class: 'tabs', role: 'tablist' });
  for (const s of ['active', 'exited', 'all']) {
    const b = el(
      'button',
      { type: 'button', 'aria-pressed': String(s === status), 'data-testid': `status-${s}` },
      word(STATUS, s),
    );
    b.addEventListener('click', () => (location.href = `/keypersons.html?status=${s}`));
    tabs.append(b);
  }
  const list = el('section', { class: 'card', 'data-testid': 'kp-list' }, t('loading'));
  const detail = el('div', { 'data-testid': 'kp-detail' });
  page.append(tabs);
  if (canWrite) page.append(entryForm());
  page.append(list, detail);

  const open = (id: string) => {
    const url = new URL(location.href);
    url.searchParams.set('id', id);
    history.replaceState(null, '', url);
    void showPerson(id, detail, canWrite, refresh).catch((e: unknown) => showError(detail, e));
  };
  async function refresh(): Promise<void> {
    try {
      const { items } = await call<{ items: Person[] }>('GET', `/key-persons?status=${status}`);
      list.replaceChildren(items.length === 0 ? el('p', {}, t('kpNone')) : table(items, open));
    } catch (error) {
      showError(list, error);
    }
  }
  await refresh();
  const id = params.get('id');
  if (id) open(id);

  function entryForm(): HTMLFormElement {
    const caseNo = el('input', {
      name: 'caseNo',
      required: '',
      placeholder: 'XF-2026-000123',
      maxlength: '20',
      'data-testid': 'kp-case-no',
    });
    const reason = el('select', { name: 'reason', 'data-testid': 'kp-reason' });
    for (const r of Object.keys(REASON)) reason.append(el('option', { value: r }, word(REASON, r)));
    const form = el(
      'form',
      { class: 'card stack', 'data-testid': 'kp-entry' },
      el('h2', {}, t('kpEnter')),
      el('p', { class: 'hint' }, t('kpEnterHint')),
      el('div', { class: 'row' }, field(t('caseNo'), caseNo), field(t('kpReason'), reason)),
      el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'kp-enter' }, t('kpEnter'))),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      call<Person>('POST', '/key-persons', { caseNo: caseNo.value.trim(), reason: reason.value }).then(
        (person) => {
          form.querySelector('.error')?.remove();
          form.reset();
          void refresh();
          open(person.id);
        },
        (error: unknown) => showError(form, error),
      );
    });
    return form;
  }
}

function table(items: Person[], open: (id: string) => void): HTMLElement {
  const body = el('tbody');
  for (const p of items) {
    const view = el('button', { type: 'button', class: 'link', 'data-testid': `kp-open-${p.id}` }, t('kpView'));
    view.addEventListener('click', () => open(p.id));
    body.append(
      el(
        'tr',
        { 'data-testid': 'kp-row' },
        el('td', {}, p.name ?? t('noNameGiven'), el('br'), el('small', {}, p.compound ?? '—')),
        el('td', {}, word(STATUS, p.status), el('br'), el('small', {}, word(REASON, p.reason))),
        el('td', { class: 'num' }, `${p.petitionsLastYear} / ${p.repeatPetitions}`),
        el(
          'td',
          {},
          [p.serviceTeam.lead, p.serviceTeam.volunteer, p.serviceTeam.professional].filter(Boolean).join('、') || '—',
        ),
        el('td', { class: 'clip' }, p.plan ?? el('em', {}, t('kpNoPlan'))),
        el('td', {}, view),
      ),
    );
  }
  const head = el(
    'tr',
    {},
    ...[t('kpName'), t('status'), t('kpPetitionsRepeats'), t('kpTeam'), t('kpPlan'), ''].map((h) => el('th', {}, h)),
  );
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body));
}

async function showPerson(
  id: string,
  detail: HTMLElement,
  canWrite: boolean,
  refresh: () => Promise<void>,
): Promise<void> {
  const p = await call<PersonFile>('GET', `/key-persons/${id}`);
  const dl = el('dl', { class: 'facts' });
  const fact = (label: string, value: Node | string) => dl.append(el('dt', {}, label), el('dd', {}, value));
  fact(t('status'), word(STATUS, p.status));
  fact(t('kpReason'), word(REASON, p.reason));
  fact(t('compound'), p.compound ?? '—');
  fact(t('kpEntered'), when(p.enteredAt));
  if (p.exitedAt) fact(t('kpExitedAt'), `${when(p.exitedAt)} · ${p.exitReason ?? ''}`);
  fact(t('kpTeamLead'), p.serviceTeam.lead ?? '—');
  fact(t('kpVolunteer'), p.serviceTeam.volunteer ?? '—');
  fact(t('kpProfessional'), p.serviceTeam.professional ?? '—');
  fact(t('kpConversion'), p.conversion ? conversionText(p.conversion) : '—');
  fact(t('kpPetitionsRepeats'), `${p.petitionsLastYear} / ${p.repeatPetitions}`);

  const petitions = el('ul');
  for (const c of p.petitions) {
    petitions.append(
      el(
        'li',
        {},
        el('a', { href: `/case.html?id=${c.id}` }, c.caseNo),
        ` ${c.category} · ${caseStatus(c.status)} · ${when(c.receivedAt)}${c.repeat ? ` · ${t('kpRepeat')}` : ''}`,
      ),
    );
  }
  const visits = el('ul');
  for (const v of p.visits)
    visits.append(el('li', {}, `${when(v.at)} · ${v.state === 'COMPLETED' ? t('kpVisitDone') : t('kpVisitDue')}`));

  const card = el(
    'section',
    { class: 'card', 'data-testid': 'kp-file' },
    el('h2', {}, `${t('kpFile')} · ${p.name ?? t('noNameGiven')}`),
    dl,
    el('h3', {}, t('kpPlan')),
    el('p', { class: 'plan', 'data-testid': 'kp-plan' }, p.plan ?? t('kpNoPlan')),
    el('h3', {}, t('kpPetitions')),
    p.petitions.length ? petitions : el('p', {}, '—'),
    el('h3', {}, t('kpVisits')),
    p.visits.length ? visits : el('p', {}, '—'),
    el('h3', {}, t('kpTimeline')),
    timeline(p),
  );
  detail.replaceChildren(card);
  if (!canWrite) return;
  const again = () => void showPerson(id, detail, canWrite, refresh).then(refresh);
  if (p.status === 'active')
    detail.append(planForm(p, again), ...(p.conversion ? [] : [conversionForm(p.id, again)]), exitForm(p, again));
  detail.scrollIntoView({ block: 'start' });
}

function planForm(p: Person, done: () => void): HTMLFormElement {
  const plan = el('textarea', { name: 'plan', rows: '4', maxlength: '5000', 'data-testid': 'kp-plan-input' });
  plan.value = p.plan ?? '';
  const volunteer = el('input', { name: 'teamVolunteer', maxlength: '100', 'data-testid': 'kp-volunteer' });
  volunteer.value = p.serviceTeam.volunteer ?? '';
  const professional = el('input', { name: 'teamProfessional', maxlength: '100', 'data-testid': 'kp-professional' });
  professional.value = p.serviceTeam.professional ?? '';
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'kp-plan-form' },
    el('h2', {}, t('kpUpdatePlan')),
    field(t('kpPlan'), plan),
    el('div', { class: 'row' }, field(t('kpVolunteer'), volunteer), field(t('kpProfessional'), professional)),
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'kp-save-plan' }, t('stSave'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      plan: plan.value.trim(),
      ...(volunteer.value.trim() ? { teamVolunteer: volunteer.value.trim() } : {}),
      ...(professional.value.trim() ? { teamProfessional: professional.value.trim() } : {}),
    };
    call('PUT', `/key-persons/${p.id}`, body).then(done, (error: unknown) => showError(form, error));
  });
  return form;
}

function exitForm(p: Person, done: () => void): HTMLFormElement {
  const reason = el('input', { name: 'reason', required: '', maxlength: '500', 'data-testid': 'kp-exit-reason' });
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'kp-exit-form' },
    el('h2', {}, t('kpExit')),
    field(t('kpExitReason'), reason),
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'kp-exit' }, t('kpExit'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    call('POST', `/key-persons/${p.id}/exit`, { reason: reason.value.trim() }).then(done, (error: unknown) =>
      showError(form, error),
    );
  });
  return form;
}

void main();
