/**
 * 案件中心 (the case centre): every case the reader reaches, found by case number, petitioner name or phone (exact:
 * the server matches a phone or ID number through its keyed hash, never by decrypting), narrowed by category, grid,
 * class, status, first responder, days received, deadline (overdue, or due within N working days), key matter and
 * rating, sorted, and paged by "more" (keyset). The filters live in the address, so a search can be bookmarked or
 * sent; the CSV of the filtered list carries masked personal data only. Built of Carbon: a data table whose headers
 * sort (on the server), pagination over the keyset pages, a date-range picker and Carbon selects and inputs.
 */
import '@carbon/web-components/es/components/search/index.js';
import '@carbon/web-components/es/components/select/index.js';
import '@carbon/web-components/es/components/date-picker/index.js';
import '@carbon/web-components/es/components/text-input/index.js';
import '@carbon/web-components/es/components/checkbox/index.js';
import { call, requireMe } from '../lib/api';
import { textInput } from '../lib/carbon';
import { dataTable, keysetPagination, tableRow, type SortDirection } from '../lib/carbon-table';
import { el, shell, showError } from '../lib/shell';
import { caseStatus, lang, t, when, type Word } from '../lib/i18n';

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
  categories: Array<{ code: string; parentCode: string | null; nameZh: string; nameEn: string }>;
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

const FILTERS = new Set<string>([
  'q',
  'category',
  'gridId',
  'caseClass',
  'status',
  'firstResponderId',
  'due',
  'dueWithinDays',
  'keyMatter',
  'rating',
  'mine',
  'sort',
] satisfies Filter[]);

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
const STATUSES = [
  'registered',
  'handling',
  'escalated',
  'rating',
  'second-handling',
  'closed',
  'not-accepted',
  'withdrawn',
];

/** A Carbon select of the filter `name`, "any" first. */
function select(name: Filter, label: string, options: Array<[string, string]>, value: string | null): HTMLElement {
  // (Carbon shows its placeholder for the empty value: "any" is both)
  const box = el('cds-select' as 'div', {
    name,
    'label-text': label,
    placeholder: t('ccAny'),
    'data-testid': `filter-${name}`,
  });
  for (const [v, text] of [['', t('ccAny')] as [string, string], ...options]) {
    const option = el('cds-select-item' as 'div', { value: v }, text);
    if (v === (value ?? '')) option.setAttribute('selected', '');
    box.append(option);
  }
  box.setAttribute('value', value ?? '');
  return box;
}

/** flatpickr's words (the engine of Carbon's date picker) in Chinese; its defaults are English. */
const ZH_DATES = {
  weekdays: {
    shorthand: ['日', '一', '二', '三', '四', '五', '六'],
    longhand: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
  },
  months: {
    shorthand: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    longhand: ['一月', '二月', '三月', '四月', '五月', '六月', '七月', '八月', '九月', '十月', '十一月', '十二月'],
  },
  firstDayOfWeek: 1,
  rangeSeparator: ' 至 ',
  weekAbbreviation: '周',
  scrollTitle: '滚动切换',
  toggleTitle: '点击切换',
  yearAriaLabel: '年',
  monthAriaLabel: '月',
  hourAriaLabel: '时',
  minuteAriaLabel: '分',
  time_24hr: true,
  ordinal: () => '',
};

/** The "received between" filter: a Carbon date-range picker, YYYY-MM-DD both ways. */
function receivedRange(from: string | null, to: string | null): HTMLElement {
  const picker = el('cds-date-picker' as 'div', { 'date-format': 'Y-m-d', 'data-testid': 'filter-received' });
  if (lang() === 'zh') Object.assign(picker, { locale: ZH_DATES });
  if (from || to) picker.setAttribute('value', `${from ?? ''}/${to ?? ''}`);
  const input = (kind: 'from' | 'to', name: Filter, label: string) =>
    el('cds-date-picker-input' as 'div', {
      kind,
      'label-text': label,
      placeholder: t('ccDatePlaceholder'),
      pattern: '\\d{4}-\\d{1,2}-\\d{1,2}',
      'data-testid': `filter-${name}`,
    });
  picker.append(input('from', 'receivedFrom', t('ccReceivedFrom')), input('to', 'receivedTo', t('ccReceivedUntil')));
  return picker;
}

/** The range picker's dates, or none. */
function rangeOf(picker: Element | null): [string, string] {
  const value = (picker as { value?: string } | null)?.value ?? '';
  const [from = '', to = ''] = value.split('/');
  return [from, to];
}

/** The filter form, filled from the address; the sort is the list's (its headers), kept here to travel along. */
function filterForm(params: URLSearchParams, facets: Facets): HTMLFormElement {
  const v = (name: Filter) => params.get(name);
  // a Carbon checkbox: in the form's data as mine=true when ticked; its label is in the page (light DOM)
  const mine = el('cds-checkbox' as 'div', { name: 'mine', value: 'true', 'data-testid': 'filter-mine' }, t('ccMine'));
  if (v('mine') === 'true') mine.setAttribute('checked', '');
  const search = el('cds-search' as 'div', {
    name: 'q',
    size: 'lg',
    'label-text': t('ccSearch'),
    placeholder: t('ccSearch'),
    'close-button-label-text': t('ccReset'),
    'data-testid': 'filter-q',
  });
  search.setAttribute('value', v('q') ?? '');
  const days = textInput(`N ${t('ccDueWithin')}`, {
    name: 'dueWithinDays',
    type: 'number',
    min: '0',
    max: '60',
    'data-testid': 'filter-dueWithinDays',
  });
  days.value = v('dueWithinDays') ?? '';
  const form = el(
    'form',
    { class: 'filters', role: 'search', 'data-testid': 'case-filters' },
    el(
      'div',
      { class: 'search-row' },
      search,
      el('button', { type: 'submit', class: 'primary' }, t('ccFind')),
      el('a', { href: '/cases.html', class: 'reset', 'data-testid': 'reset' }, t('ccReset')),
    ),
    el(
      'div',
      { class: 'filter-grid' },
      select(
        'category',
        t('category'),
        // a main class (which takes in its items), then its items indented
        facets.categories.map((c) => [
          c.code,
          `${c.parentCode ? '\u3000' : ''}${lang() === 'en' ? c.nameEn : c.nameZh}`,
        ]),
        v('category'),
      ),
      select(
        'gridId',
        t('ccGrid'),
        facets.grids.map((g) => [g.id, g.name]),
        v('gridId'),
      ),
      select(
        'caseClass',
        t('ccClass'),
        Object.entries(CLASSES).map(([k, w]) => [k, t(w)]),
        v('caseClass'),
      ),
      select(
        'status',
        t('status'),
        STATUSES.map((s) => [s, caseStatus(s)]),
        v('status'),
      ),
      select(
        'firstResponderId',
        t('owner'),
        facets.firstResponders.map((u) => [u.id, u.displayName]),
        v('firstResponderId'),
      ),
      select(
        'due',
        t('ccDue'),
        [
          ['overdue', t('ccOverdue')],
          ['within', `N ${t('ccDueWithin')}`],
        ],
        v('due'),
      ),
      days,
      select(
        'keyMatter',
        t('ccKeyMatter'),
        [
          ['true', t('ccYes')],
          ['false', t('ccNo')],
        ],
        v('keyMatter'),
      ),
      select(
        'rating',
        t('ccRating'),
        Object.entries(RATINGS).map(([k, w]) => [k, t(w)]),
        v('rating'),
      ),
      el('div', { class: 'range' }, receivedRange(v('receivedFrom'), v('receivedTo'))),
      el('div', { class: 'mine' }, mine),
    ),
  );
  const sort = el('input', { type: 'hidden', name: 'sort', value: v('sort') ?? 'received' });
  form.append(sort);
  return form;
}

/** The form's filled filters as the address's query (empty ones left out). */
function queryOf(form: HTMLFormElement): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    // (Carbon's date picker adds itself to the form's data without a name: its dates are read below)
    if (!FILTERS.has(name)) continue;
    const text = typeof value === 'string' ? value.trim() : '';
    if (text && !(name === 'sort' && text === 'received')) params.set(name, text);
  }
  const [from, to] = rangeOf(form.querySelector('cds-date-picker'));
  if (from) params.set('receivedFrom', from);
  if (to) params.set('receivedTo', to);
  if (params.get('due') !== 'within') params.delete('dueWithinDays');
  const limit = new URLSearchParams(location.search).get('limit');
  if (limit) params.set('limit', limit);
  return params;
}

function row(c: CaseItem): HTMLElement {
  const rating = c.rating ? t(RATINGS[c.rating] ?? 'ccUnrated') : '—';
  return tableRow({ 'data-testid': 'case-row', 'data-case-no': c.caseNo }, [
    [[el('a', { href: `/case.html?id=${encodeURIComponent(c.id)}` }, c.caseNo)], { class: 'num' }],
    [[c.category, c.keyMatter ? el('span', { class: 'tag' }, t('ccKeyMatter')) : ''], {}],
    [[c.petitioner ?? t('noNameGiven'), c.phone ? el('div', { class: 'muted' }, c.phone) : ''], {}],
    [c.grid, c.compound].filter(Boolean).join(' · ') || '—',
    [[caseStatus(c.status), c.caseClass ? el('div', { class: 'muted' }, t(CLASSES[c.caseClass])) : ''], {}],
    [[when(c.receivedAt)], { class: 'num' }],
    [[c.slaDueAt ? when(c.slaDueAt) : '—'], { class: c.overdue ? 'num overdue' : 'num' }],
    c.firstResponder,
    rating,
  ]);
}

/**
 * The list's columns; four of them sort, as the API can: by case number, by the time received (newest or oldest
 * first) and by the internal deadline. A sort is a new address, as a filter is.
 */
function columns(sort: string, go: (sort: string) => void) {
  const direction = (ascending: string, descending?: string): SortDirection =>
    sort === ascending ? 'ascending' : sort === descending ? 'descending' : 'none';
  const plain = (w: Word) => ({ label: t(w) });
  return [
    { label: t('caseNo'), sort: direction('case-no'), onSort: () => go('case-no') },
    plain('category'),
    plain('ccPetitioner'),
    plain('ccGrid'),
    plain('status'),
    {
      label: t('received'),
      sort: direction('received-asc', 'received'),
      // newest first, the default; pressed again, oldest first
      onSort: () => go(sort === 'received' ? 'received-asc' : 'received'),
    },
    { label: t('internalClock'), sort: direction('due'), onSort: () => go('due') },
    plain('owner'),
    plain('ccRating'),
  ];
}

const PAGE_SIZES = [20, 50, 100];

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.classList.add('wide');
  page.append(el('h1', {}, t('navCases')));
  const params = new URLSearchParams(location.search);
  const goTo = (query: URLSearchParams) => {
    const text = query.toString();
    location.href = `/cases.html${text ? `?${text}` : ''}`;
  };
  try {
    const facets = await call<Facets>('GET', '/cases/facets');
    const form = filterForm(params, facets);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      goTo(queryOf(form));
    });
    // a choice applies at once; Enter in the search box (inside Carbon's shadow root) searches
    form.addEventListener('cds-select-selected', () => form.requestSubmit());
    form.addEventListener('cds-date-picker-changed', (event) => {
      const dates = (event as CustomEvent<{ selectedDates: Date[] }>).detail.selectedDates;
      if (dates.length !== 1) form.requestSubmit();
    });
    form.addEventListener('cds-checkbox-changed', () => form.requestSubmit());
    form.addEventListener('keydown', (event) => {
      const target = event.target as Element;
      if (event.key === 'Enter' && target.matches('cds-search, cds-text-input')) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    const sort = params.get('sort') ?? 'received';
    const { table, body } = dataTable(
      columns(sort, (next) => {
        const query = queryOf(form);
        if (next === 'received') query.delete('sort');
        else query.set('sort', next);
        goTo(query);
      }),
      { 'data-testid': 'case-list' },
    );
    const csv = el('a', { href: `/api/cases/export.csv?${params.toString()}`, 'data-testid': 'csv' }, t('exportCsv'));
    const count = el('span', { class: 'muted', 'data-testid': 'shown' });
    const size = Number(params.get('limit')) || 50;
    const pager = keysetPagination({
      pageSize: PAGE_SIZES.includes(size) ? size : 50,
      pageSizes: PAGE_SIZES,
      attrs: { 'data-testid': 'pages' },
      load: async (after) => {
        const query = new URLSearchParams(params);
        query.set('limit', String(size));
        if (after) query.set('after', after);
        const answer = await call<{ items: CaseItem[]; next: string | null }>('GET', `/cases?${query.toString()}`);
        body.replaceChildren(...answer.items.map(row));
        count.textContent = answer.items.length === 0 ? t('ccNone') : `${t('ccShown')} ${answer.items.length}`;
        return { count: answer.items.length, next: answer.next };
      },
      onPageSize: (limit) => {
        const query = queryOf(form);
        query.set('limit', String(limit));
        goTo(query);
      },
      onError: (error) => showError(page, error),
    });
    page.append(
      form,
      el(
        'section',
        { 'data-testid': 'case-centre' },
        el('p', { class: 'toolbar' }, count, ' ', csv),
        table,
        pager.element,
      ),
    );
    await pager.start();
  } catch (error) {
    showError(page, error);
  }
}

void main();
