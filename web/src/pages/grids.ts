/**
 * Grids and patrols (网格与巡查): the weekly or monthly summary per grid, the patrol log (record a day's patrol, the
 * list), and the hazard record (矛盾隐患记录表): mediated on the spot, or reported — a reported hazard becomes a
 * petition at once and its case number is shown; and the register of grids and compounds, which admins keep
 * (grid-register.ts).
 */
import { call, requireMe, type Me } from '../lib/api';
import { el, shell, showError, notice } from '../lib/shell';
import { lang, t } from '../lib/i18n';
import { categories, categoryLabel } from '../lib/category-picker';
import { showRegister } from './grid-register';

interface Grid {
  id: string;
  code: string;
  name: string;
  gridWorker: string | null;
  compounds: Array<{ id: string; name: string; households: number }>;
}
interface GridSummary {
  id: string;
  code: string;
  name: string;
  patrolDays: number;
  householdsVisited: number;
  hazards: number;
  mediated: number;
  reported: number;
  byCategory: Record<string, number>;
}
interface Patrol {
  id: string;
  grid: string;
  worker: string;
  patrolledOn: string;
  householdsVisited: number;
  notes: string | null;
}

const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);
/** Today in Beijing time, YYYY-MM-DD. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.append(el('h1', {}, t('navGrids')));
  const summary = el('section', { class: 'card', 'data-testid': 'grid-summary' }, t('loading'));
  const log = el('section', { class: 'card', 'data-testid': 'patrol-log' }, t('loading'));
  try {
    const { items: grids } = await call<{ items: Grid[] }>('GET', '/grids');
    // The register of grids and compounds: everyone reads it, admins keep it.
    const register = el('section', { class: 'card', 'data-testid': 'grid-register' }, t('loading'));
    page.append(summary, patrolForm(me, grids, refresh), log, hazardForm(me, grids, refresh), register);
    await Promise.all([refresh(), showRegister(register, me)]);
  } catch (error) {
    showError(page, error);
  }

  async function refresh(): Promise<void> {
    await Promise.all([showSummary(summary), showLog(log)]);
  }
}

/** The grid select, the user's own grid (a grid worker's) chosen first. */
function gridSelect(me: Me, grids: Grid[], testId: string): HTMLSelectElement {
  const select = el('select', { name: 'gridId', 'data-testid': testId });
  for (const g of grids) {
    const option = el('option', { value: g.id }, `${g.code} ${g.name}`);
    if (g.gridWorker === me.username) option.selected = true;
    select.append(option);
  }
  return select;
}

let period: 'week' | 'month' = 'week';
let anchor = today();

async function showSummary(card: HTMLElement): Promise<void> {
  const periodSelect = el(
    'select',
    { 'data-testid': 'summary-period' },
    el('option', { value: 'week' }, t('grWeek')),
    el('option', { value: 'month' }, t('grMonth')),
  );
  periodSelect.value = period;
  const date = el('input', { type: 'date', value: anchor, 'data-testid': 'summary-date' });
  const reload = () => {
    period = periodSelect.value as 'week' | 'month';
    anchor = date.value || today();
    void showSummary(card);
  };
  periodSelect.addEventListener('change', reload);
  date.addEventListener('change', reload);
  try {
    const s = await call<{ from: string; to: string; grids: GridSummary[] }>(
      'GET',
      `/grids/summary?period=${period}&date=${anchor}`,
    );
    const body = el('tbody');
    const dictionary = await categories();
    const nameOf = (code: string) => {
      const c = dictionary.find((d) => d.code === code);
      return c ? categoryLabel(c, dictionary) : code;
    };
    for (const g of s.grids) {
      const categories = Object.entries(g.byCategory)
        .map(([c, n]) => `${nameOf(c)} ${n}`)
        .join('、');
      body.append(
        el(
          'tr',
          { 'data-testid': `summary-${g.code}` },
          el('td', {}, `${g.code} ${g.name}`),
          el('td', { class: 'num' }, String(g.patrolDays)),
          el('td', { class: 'num' }, String(g.householdsVisited)),
          el('td', { class: 'num' }, `${g.hazards}（${g.mediated} / ${g.reported}）`),
          el('td', {}, categories || '—'),
        ),
      );
    }
    const head = el(
      'tr',
      {},
      ...[t('grGrid'), t('grPatrolDays'), t('grHouseholds'), t('grHazardsSplit'), t('category')].map((h) =>
        el('th', {}, h),
      ),
    );
    card.replaceChildren(
      el('h2', {}, `${t('grSummary')} · ${s.from} ~ ${s.to}`),
      el('div', { class: 'row' }, field(t('grPeriod'), periodSelect), field(t('grDate'), date)),
      el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)),
    );
  } catch (error) {
    showError(card, error);
  }
}

async function showLog(card: HTMLElement): Promise<void> {
  try {
    const { items } = await call<{ items: Patrol[] }>('GET', '/patrols?limit=50');
    const body = el('tbody');
    for (const p of items) {
      body.append(
        el(
          'tr',
          { 'data-testid': 'patrol-row' },
          el('td', {}, p.patrolledOn),
          el('td', {}, p.grid, el('br'), el('small', {}, p.worker)),
          el('td', { class: 'num' }, String(p.householdsVisited)),
          el('td', {}, p.notes ?? ''),
        ),
      );
    }
    const head = el(
      'tr',
      {},
      ...[t('grDate'), t('grGrid'), t('grHouseholds'), t('grNotes')].map((h) => el('th', {}, h)),
    );
    card.replaceChildren(
      el('h2', {}, t('grPatrolLog')),
      items.length === 0
        ? el('p', {}, t('grNoPatrols'))
        : el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)),
    );
  } catch (error) {
    showError(card, error);
  }
}

function patrolForm(me: Me, grids: Grid[], refresh: () => Promise<void>): HTMLFormElement {
  const grid = gridSelect(me, grids, 'patrol-grid');
  const date = el('input', {
    type: 'date',
    name: 'patrolledOn',
    required: '',
    value: today(),
    'data-testid': 'patrol-date',
  });
  const households = el('input', {
    type: 'number',
    name: 'householdsVisited',
    min: '0',
    max: '10000',
    value: '0',
    'data-testid': 'patrol-households',
  });
  const notes = el('textarea', { name: 'notes', rows: '2', maxlength: '2000', 'data-testid': 'patrol-notes' });
  const result = el('div');
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'patrol-form' },
    el('h2', {}, t('grRecordPatrol')),
    el(
      'div',
      { class: 'row' },
      field(t('grGrid'), grid),
      field(t('grDate'), date),
      field(t('grHouseholds'), households),
    ),
    field(t('grNotes'), notes),
    el(
      'div',
      {},
      el('button', { type: 'submit', class: 'primary', 'data-testid': 'patrol-save' }, t('grRecordPatrol')),
    ),
    result,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      gridId: grid.value,
      patrolledOn: date.value,
      householdsVisited: Number(households.value || 0),
      ...(notes.value.trim() ? { notes: notes.value.trim() } : {}),
    };
    call('POST', '/patrols', body).then(
      () => {
        form.querySelector('.error')?.remove();
        notes.value = '';
        result.replaceChildren(notice('success', [t('grPatrolSaved')], { 'data-testid': 'patrol-saved' }));
        void refresh();
      },
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

function hazardForm(me: Me, grids: Grid[], refresh: () => Promise<void>): HTMLFormElement {
  const grid = gridSelect(me, grids, 'hazard-grid');
  const compound = el('select', { name: 'compoundId', 'data-testid': 'hazard-compound' });
  const fillCompounds = () => {
    compound.replaceChildren(el('option', { value: '' }, '—'));
    for (const c of grids.find((g) => g.id === grid.value)?.compounds ?? [])
      compound.append(el('option', { value: c.id }, c.name));
  };
  fillCompounds();
  grid.addEventListener('change', fillCompounds);
  // the category dictionary's main classes (the plan's four hazard kinds among them), each followed by its items
  const category = el('select', { name: 'category', 'data-testid': 'hazard-category' });
  void categories().then((all) => {
    for (const c of all)
      category.append(
        el('option', { value: c.code }, `${c.parentCode ? '\u3000' : ''}${lang() === 'en' ? c.nameEn : c.nameZh}`),
      );
    category.value = 'neighbour';
  });
  const description = el('textarea', {
    name: 'description',
    rows: '3',
    required: '',
    maxlength: '5000',
    'data-testid': 'hazard-description',
  });
  const disposition = el(
    'select',
    { name: 'disposition', 'data-testid': 'hazard-disposition' },
    el('option', { value: 'mediated' }, t('grMediated')),
    el('option', { value: 'reported' }, t('grReported')),
  );
  const outcome = el('input', { name: 'outcome', maxlength: '2000', 'data-testid': 'hazard-outcome' });
  const name = el('input', { name: 'name', maxlength: '50', 'data-testid': 'hazard-name' });
  const phone = el('input', { name: 'phone', inputmode: 'numeric', maxlength: '11', 'data-testid': 'hazard-phone' });
  const petitioner = el('div', { class: 'row' }, field(t('petitionerName'), name), field(t('phone'), phone));
  const outcomeField = field(t('grOutcome'), outcome);
  const showFields = () => {
    const reported = disposition.value === 'reported';
    petitioner.hidden = !reported;
    outcomeField.hidden = reported;
  };
  disposition.addEventListener('change', showFields);
  showFields();
  const result = el('div');
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'hazard-form' },
    el('h2', {}, t('grReportHazard')),
    el('p', { class: 'hint' }, t('grHazardHint')),
    el(
      'div',
      { class: 'row' },
      field(t('grGrid'), grid),
      field(t('compound'), compound),
      field(t('category'), category),
    ),
    field(t('description'), description),
    field(t('grDisposition'), disposition),
    outcomeField,
    petitioner,
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'hazard-save' }, t('grSaveHazard'))),
    result,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const reported = disposition.value === 'reported';
    const body = {
      gridId: grid.value,
      ...(compound.value ? { compoundId: compound.value } : {}),
      category: category.value,
      description: description.value.trim(),
      disposition: disposition.value,
      ...(!reported && outcome.value.trim() ? { outcome: outcome.value.trim() } : {}),
      ...(reported && (name.value.trim() || phone.value.trim())
        ? {
            petitioner: {
              ...(name.value.trim() ? { name: name.value.trim() } : {}),
              ...(phone.value.trim() ? { phone: phone.value.trim() } : {}),
            },
          }
        : {}),
    };
    call<{ caseId: string | null; caseNo: string | null }>('POST', '/hazards', body).then(
      (saved) => {
        form.querySelector('.error')?.remove();
        result.replaceChildren(
          notice(
            'success',
            [
              t('grHazardSaved'),
              ...(saved.caseId && saved.caseNo
                ? [` ${t('grBecamePetition')} `, el('a', { href: `/case.html?id=${saved.caseId}` }, saved.caseNo)]
                : []),
            ],
            { 'data-testid': 'hazard-saved' },
          ),
        );
        description.value = '';
        outcome.value = '';
        name.value = '';
        phone.value = '';
        void refresh();
      },
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

void main();
