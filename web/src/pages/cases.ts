/**
 * 案件中心 (the case centre): every case the reader reaches, found by case number, petitioner name or phone (exact:
 * the server matches a phone or ID number through its keyed hash, never by decrypting), narrowed by category, grid,
 * class, status, first responder, days received, deadline (overdue, or due within N working days), key matter and
 * rating, sorted, and paged by "more" (keyset). The filters live in the address, so a search can be bookmarked or
 * sent; the CSV of the filtered list carries masked personal data only.
 */
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { caseStatus, t, when, type Word } from '../lib/i18n';

interface CaseItem {
  id: string;
  caseNo: string;
  category: string;
  status: string;
  caseClass: string | null;
  receivedAt: string;
  slaDueAt: string | null;
  overdue: boolean;
  keyMatter: boolean;
  firstResponder: string;
  petitioner: string | null;
  phone: string | null;
  grid: string | null;
  compound: string | null;
  rating: string | null;
}
interface Facets {
  categories: string[];
  grids: Array<{ id: string; name: string }>;
  firstResponders: Array<{ id: string; displayName: string }>;
}

/** The filters the address and the form share. */
type Filter =
  | 'q'
  | 'category'
  | 'gridId'
  | 'caseClass'
  | 'status'
  | 'firstResponderId'
  | 'receivedFrom'
  | 'receivedTo'
  | 'due'
  | 'dueWithinDays'
  | 'keyMatter'
  | 'rating'
  | 'mine'
  | 'sort';

const CLASSES: Record<string, Word> = {
  simple: 'ccClassSimple',
  complex: 'ccClassComplex',
  difficult: 'ccClassDifficult',
};
const RATINGS: Record<string, Word> = {
  satisfied: 'satisfied',
  'basically-satisfied': 'basicallySatisfied',
  dissatisfied: 'dissatisfied',
  unrated: 'ccUnrated',
};
const STATUSES = ['registered', 'handling', 'escalated', 'rating', 'second-handling', 'closed'];
const SORTS: Record<string, Word> = {
  received: 'ccSortReceived',
  'received-asc': 'ccSortReceivedAsc',
  due: 'ccSortDue',
  'case-no': 'ccSortCaseNo',
};

const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);

function select(name: Filter, options: Array<[string, string]>, value: string | null): HTMLSelectElement {
  const box = el('select', { name, 'data-testid': `filter-${name}` });
  for (const [v, label] of [['', t('ccAny')] as [string, string], ...options]) {
    const option = el('option', { value: v }, label);
    if (v === (value ?? '')) option.selected = true;
    box.append(option);
  }
  return box;
}

function input(name: Filter, type: string, value: string | null, attrs: Record<string, string> = {}): HTMLInputElement {
  const box = el('input', { name, type, 'data-testid': `filter-${name}`, ...attrs });
  box.value = value ?? '';
  return box;
}

/** The filter form, filled from the address. */
function filterForm(params: URLSearchParams, facets: Facets): HTMLFormElement {
  const v = (name: Filter) => params.get(name);
  const mine = input('mine', 'checkbox', null);
  mine.value = 'true';
  mine.checked = v('mine') === 'true';
  const sort = select(
    'sort',
    Object.entries(SORTS).map(([k, w]) => [k, t(w)]),
    v('sort'),
  );
  sort.firstElementChild?.remove();
  if (!v('sort')) sort.value = 'received';
  const form = el(
    'form',
    { class: 'filters', role: 'search', 'data-testid': 'case-filters' },
    el(
      'div',
      { class: 'search-row' },
      input('q', 'search', v('q'), { placeholder: t('ccSearch'), 'aria-label': t('ccSearch'), maxlength: '60' }),
      el('button', { type: 'submit', class: 'primary' }, t('ccFind')),
      el('a', { href: '/cases.html', 'data-testid': 'reset' }, t('ccReset')),
    ),
    el(
      'div',
      { class: 'filter-grid' },
      field(
        t('category'),
        select(
          'category',
          facets.categories.map((c) => [c, c]),
          v('category'),
        ),
      ),
      field(
        t('ccGrid'),
        select(
          'gridId',
          facets.grids.map((g) => [g.id, g.name]),
          v('gridId'),
        ),
      ),
      field(
        t('ccClass'),
        select(
          'caseClass',
          Object.entries(CLASSES).map(([k, w]) => [k, t(w)]),
          v('caseClass'),
        ),
      ),
      field(
        t('status'),
        select(
          'status',
          STATUSES.map((s) => [s, caseStatus(s)]),
          v('status'),
        ),
      ),
      field(
        t('owner'),
        select(
          'firstResponderId',
          facets.firstResponders.map((u) => [u.id, u.displayName]),
          v('firstResponderId'),
        ),
      ),
      field(t('ccReceivedFrom'), input('receivedFrom', 'date', v('receivedFrom'))),
      field(t('ccReceivedTo'), input('receivedTo', 'date', v('receivedTo'))),
      field(
        t('ccDue'),
        select(
          'due',
          [
            ['overdue', t('ccOverdue')],
            ['within', `N ${t('ccDueWithin')}`],
          ],
          v('due'),
        ),
      ),
      field(`N ${t('ccDueWithin')}`, input('dueWithinDays', 'number', v('dueWithinDays'), { min: '0', max: '60' })),
      field(
        t('ccKeyMatter'),
        select(
          'keyMatter',
          [
            ['true', t('ccYes')],
            ['false', t('ccNo')],
          ],
          v('keyMatter'),
        ),
      ),
      field(
        t('ccRating'),
        select(
          'rating',
          Object.entries(RATINGS).map(([k, w]) => [k, t(w)]),
          v('rating'),
        ),
      ),
      field(t('ccSort'), sort),
      el('label', { class: 'field inline' }, mine, el('span', {}, t('ccMine'))),
    ),
  );
  return form;
}

/** The form's filled filters as the address's query (empty ones left out). */
function queryOf(form: HTMLFormElement): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    const text = typeof value === 'string' ? value.trim() : '';
    if (text && !(name === 'sort' && text === 'received')) params.set(name, text);
  }
  if (params.get('due') !== 'within') params.delete('dueWithinDays');
  return params;
}

function row(c: CaseItem): HTMLTableRowElement {
  const rating = c.rating ? t(RATINGS[c.rating] ?? 'ccUnrated') : '—';
  return el(
    'tr',
    { 'data-testid': 'case-row', 'data-case-no': c.caseNo },
    el('td', { class: 'num' }, el('a', { href: `/case.html?id=${encodeURIComponent(c.id)}` }, c.caseNo)),
    el('td', {}, c.category, c.keyMatter ? el('span', { class: 'tag' }, t('ccKeyMatter')) : ''),
    el('td', {}, c.petitioner ?? t('noNameGiven'), c.phone ? el('div', { class: 'muted' }, c.phone) : ''),
    el('td', {}, [c.grid, c.compound].filter(Boolean).join(' · ') || '—'),
    el('td', {}, caseStatus(c.status), c.caseClass ? el('div', { class: 'muted' }, t(CLASSES[c.caseClass])) : ''),
    el('td', { class: 'num' }, when(c.receivedAt)),
    el('td', { class: c.overdue ? 'num overdue' : 'num' }, c.slaDueAt ? when(c.slaDueAt) : '—'),
    el('td', {}, c.firstResponder),
    el('td', {}, rating),
  );
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.classList.add('wide');
  page.append(el('h1', {}, t('navCases')));
  const params = new URLSearchParams(location.search);
  try {
    const facets = await call<Facets>('GET', '/cases/facets');
    const form = filterForm(params, facets);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const query = queryOf(form).toString();
      location.href = `/cases.html${query ? `?${query}` : ''}`;
    });
    for (const box of form.querySelectorAll('select, input[type=checkbox], input[type=date]'))
      box.addEventListener('change', () => form.requestSubmit());
    const csv = el('a', { href: `/api/cases/export.csv?${params.toString()}`, 'data-testid': 'csv' }, t('exportCsv'));
    const count = el('span', { class: 'muted', 'data-testid': 'shown' });
    const body = el('tbody');
    const table = el(
      'table',
      { 'data-testid': 'case-list' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...(
            [
              'caseNo',
              'category',
              'ccPetitioner',
              'ccGrid',
              'status',
              'received',
              'internalClock',
              'owner',
              'ccRating',
            ] as Word[]
          ).map((w) => el('th', {}, t(w))),
        ),
      ),
      body,
    );
    const more = el('button', { type: 'button', 'data-testid': 'more', hidden: '' }, t('ccMore'));
    page.append(
      form,
      el('section', { 'data-testid': 'case-centre' }, el('p', { class: 'toolbar' }, count, ' ', csv), table, more),
    );
    let shown = 0;
    const load = async (after?: string) => {
      const query = new URLSearchParams(params);
      if (after) query.set('after', after);
      const answer = await call<{ items: CaseItem[]; next: string | null }>('GET', `/cases?${query.toString()}`);
      body.append(...answer.items.map(row));
      shown += answer.items.length;
      count.textContent = shown === 0 ? t('ccNone') : `${t('ccShown')} ${shown}`;
      more.hidden = !answer.next;
      more.onclick = () => void load(answer.next ?? undefined).catch((error: unknown) => showError(page, error));
    };
    await load();
  } catch (error) {
    showError(page, error);
  }
}

void main();
