/**
 * The plan's targets against reality, for a period (this month, quarter, year or any dates), a grid and a category:
 * figures against their targets, charts per grid and per category (ECharts), and the CSV export of the same cases.
 * The filters live in the address, so a view can be bookmarked or sent.
 */
import * as echarts from 'echarts';
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t } from '../lib/i18n';
import { procedureCard, type ProcedureFigures } from './dashboard-procedures';

interface Group {
  name: string;
  closed: number;
  avgHandlingWorkingDays: number | null;
  satisfaction: number | null;
}
interface Figures {
  period: { from: string; to: string };
  targets: {
    avgHandlingWorkingDays: number;
    satisfactionPercent: number;
    repeatReduction: number;
    volunteerConversionPercent: number;
    campaignCoveragePercent: number;
  };
  received: number;
  closed: number;
  avgHandlingWorkingDays: number | null;
  satisfaction: { percent: number | null; rated: number };
  onTime: { internal: number | null; legal: number | null };
  resolvedFirstRound: number | null;
  keyPersons: {
    registered: number;
    repeatPetitions: number;
    repeatReduction: number | null;
    volunteerPercent: number | null;
  };
  campaigns: { count: number; coveragePercent: number | null };
  procedures?: ProcedureFigures;
  byGrid: Group[];
  byCategory: Group[];
}

/** Beijing's today as YYYY-MM-DD. */
function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function preset(kind: 'month' | 'quarter' | 'year'): { from: string; to: string } {
  const [y, m] = today().split('-').map(Number);
  const start = kind === 'year' ? 1 : kind === 'quarter' ? Math.floor((m - 1) / 3) * 3 + 1 : m;
  const months = kind === 'year' ? 12 : kind === 'quarter' ? 3 : 1;
  const end = new Date(Date.UTC(y, start - 1 + months, 1));
  const pad = (n: number) => String(n).padStart(2, '0');
  return { from: `${y}-${pad(start)}-01`, to: `${end.getUTCFullYear()}-${pad(end.getUTCMonth() + 1)}-01` };
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams(
    [...params].filter(([k, v]) => ['from', 'to', 'gridId', 'category'].includes(k) && v),
  );

  // The filters.
  const from = el('input', {
    type: 'date',
    'data-testid': 'from',
    value: params.get('from') ?? '',
    'aria-label': t('dbFrom'),
  });
  const to = el('input', { type: 'date', 'data-testid': 'to', value: params.get('to') ?? '', 'aria-label': t('dbTo') });
  const grid = el(
    'select',
    { 'data-testid': 'grid', 'aria-label': t('dbGrid') },
    el('option', { value: '' }, t('dbAllGrids')),
  );
  const category = el('input', {
    type: 'text',
    'data-testid': 'category',
    value: params.get('category') ?? '',
    placeholder: t('dbAllCategories'),
    'aria-label': t('category'),
  });
  const apply = el('button', { type: 'submit', class: 'primary', 'data-testid': 'apply' }, t('dbApply'));
  const presets = (['month', 'quarter', 'year'] as const).map((kind) => {
    const b = el(
      'button',
      { type: 'button', 'data-testid': `preset-${kind}` },
      t(kind === 'month' ? 'dbThisMonth' : kind === 'quarter' ? 'dbThisQuarter' : 'dbThisYear'),
    );
    b.addEventListener('click', () => {
      const p = preset(kind);
      from.value = p.from;
      to.value = p.to;
      form.requestSubmit();
    });
    return b;
  });
  const form = el(
    'form',
    { class: 'card filters', 'data-testid': 'filters' },
    el('label', {}, t('dbFrom'), from),
    el('label', {}, t('dbTo'), to),
    el('label', {}, t('dbGrid'), grid),
    el('label', {}, t('category'), category),
    apply,
    el('span', { class: 'presets' }, ...presets),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of [
      ['from', from.value],
      ['to', to.value],
      ['gridId', grid.value],
      ['category', category.value.trim()],
    ])
      if (v) next.set(k, v);
    location.search = next.toString();
  });
  page.append(form);
  void call<{ items: Array<{ id: string; name: string }> }>('GET', '/grids').then(
    ({ items }) => {
      for (const g of items) grid.append(el('option', { value: g.id }, g.name));
      grid.value = params.get('gridId') ?? '';
    },
    () => undefined,
  );

  try {
    const f = await call<Figures>('GET', `/dashboard${query.size ? `?${query}` : ''}`);
    if (!from.value) from.value = f.period.from;
    if (!to.value) to.value = f.period.to;
    const kpi = (label: string, value: string, target?: string, testId?: string, met?: boolean | null) =>
      el(
        'div',
        {
          class: `card kpi${met === false ? ' missed' : met ? ' met' : ''}`,
          ...(testId ? { 'data-testid': testId } : {}),
        },
        el('span', {}, label),
        el('strong', {}, value),
        target ? el('small', {}, `${t('target')} ${target}`) : '',
      );
    const pct = (v: number | null) => (v === null ? '—' : `${v}%`);
    const atLeast = (v: number | null, target: number) => (v === null ? null : v >= target);
    const csv = new URLSearchParams(query);
    csv.set('from', f.period.from);
    csv.set('to', f.period.to);
    page.append(
      el('h1', {}, `${t('dashboard')} · ${f.period.from} ~ ${f.period.to}`),
      el(
        'div',
        { class: 'kpis' },
        kpi(t('received'), String(f.received), undefined, 'kpi-received'),
        kpi(t('closed'), String(f.closed), undefined, 'kpi-closed'),
        kpi(
          t('avgDays'),
          f.avgHandlingWorkingDays === null ? '—' : String(f.avgHandlingWorkingDays),
          `≤ ${f.targets.avgHandlingWorkingDays}`,
          'kpi-days',
          f.avgHandlingWorkingDays === null ? null : f.avgHandlingWorkingDays <= f.targets.avgHandlingWorkingDays,
        ),
        kpi(
          t('satisfaction'),
          pct(f.satisfaction.percent),
          `≥ ${f.targets.satisfactionPercent}%`,
          'kpi-satisfaction',
          atLeast(f.satisfaction.percent, f.targets.satisfactionPercent),
        ),
        kpi(`${t('onTime')}（${t('internalClock')}）`, pct(f.onTime.internal)),
        kpi(`${t('onTime')}（${t('legalClock')}）`, pct(f.onTime.legal)),
        kpi(t('dbFirstRound'), pct(f.resolvedFirstRound)),
        kpi(
          t('dbRepeatReduction'),
          pct(f.keyPersons.repeatReduction),
          `≥ ${f.targets.repeatReduction}%`,
          'kpi-repeats',
          atLeast(f.keyPersons.repeatReduction, f.targets.repeatReduction),
        ),
        kpi(
          t('dbVolunteers'),
          pct(f.keyPersons.volunteerPercent),
          `≥ ${f.targets.volunteerConversionPercent}%`,
          undefined,
          atLeast(f.keyPersons.volunteerPercent, f.targets.volunteerConversionPercent),
        ),
        kpi(
          t('dbCoverage'),
          pct(f.campaigns.coveragePercent),
          `≥ ${f.targets.campaignCoveragePercent}%`,
          undefined,
          atLeast(f.campaigns.coveragePercent, f.targets.campaignCoveragePercent),
        ),
      ),
      el('p', {}, el('a', { href: `/api/dashboard/cases.csv?${csv}`, 'data-testid': 'csv' }, t('exportCsv'))),
      procedureCard(f.procedures),
    );
    for (const [title, groups, id] of [
      [t('dbGrid'), f.byGrid, 'by-grid'],
      [t('category'), f.byCategory, 'by-category'],
    ] as const) {
      const box = el('div', { class: 'chart', 'data-testid': `chart-${id}` });
      page.append(
        el('section', { class: 'card' }, el('h2', {}, title), groups.length === 0 ? el('p', {}, t('dbNoClosed')) : box),
      );
      if (groups.length === 0) continue;
      const chart = echarts.init(box);
      chart.setOption({
        tooltip: { trigger: 'axis' },
        legend: {},
        xAxis: { type: 'category', data: groups.map((g) => g.name) },
        yAxis: [
          { type: 'value', name: t('closed'), minInterval: 1 },
          { type: 'value', name: `${t('avgDays')} / %` },
        ],
        series: [
          { name: t('closed'), type: 'bar', data: groups.map((g) => g.closed) },
          { name: t('avgDays'), type: 'line', yAxisIndex: 1, data: groups.map((g) => g.avgHandlingWorkingDays) },
          { name: `${t('satisfaction')} %`, type: 'line', yAxisIndex: 1, data: groups.map((g) => g.satisfaction) },
        ],
      });
      addEventListener('resize', () => chart.resize());
    }
  } catch (error) {
    showError(page, error);
  }
}

void main();
