/** The plan's targets against reality: figures for the period, charts per grid and category (ECharts), CSV export. */
import * as echarts from 'echarts';
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t } from '../lib/i18n';

interface Group { name: string; closed: number; avgHandlingWorkingDays: number | null; satisfaction: number | null }
interface Figures {
  period: { from: string; to: string };
  targets: { avgHandlingWorkingDays: number; satisfactionPercent: number };
  received: number;
  closed: number;
  avgHandlingWorkingDays: number | null;
  satisfaction: { percent: number | null };
  onTime: { internal: number | null; legal: number | null };
  byGrid: Group[];
  byCategory: Group[];
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  try {
    const f = await call<Figures>('GET', '/dashboard');
    const kpi = (label: string, value: string, target?: string, testId?: string) =>
      el('div', { class: 'card kpi', ...(testId ? { 'data-testid': testId } : {}) }, el('span', {}, label), el('strong', {}, value), target ? el('small', {}, `${t('target')} ${target}`) : '');
    const pct = (v: number | null) => (v === null ? '—' : `${v}%`);
    page.append(
      el('h1', {}, `${t('dashboard')} · ${f.period.from} ~ ${f.period.to}`),
      el(
        'div',
        { class: 'kpis' },
        kpi(t('received'), String(f.received)),
        kpi(t('closed'), String(f.closed), undefined, 'kpi-closed'),
        kpi(t('avgDays'), f.avgHandlingWorkingDays === null ? '—' : String(f.avgHandlingWorkingDays), `≤ ${f.targets.avgHandlingWorkingDays}`),
        kpi(t('satisfaction'), pct(f.satisfaction.percent), `≥ ${f.targets.satisfactionPercent}%`),
        kpi(`${t('onTime')}（${t('internalClock')}）`, pct(f.onTime.internal)),
        kpi(`${t('onTime')}（${t('legalClock')}）`, pct(f.onTime.legal)),
      ),
      el('p', {}, el('a', { href: `/api/dashboard/cases.csv?from=${f.period.from}&to=${f.period.to}`, 'data-testid': 'csv' }, t('exportCsv'))),
    );
    for (const [title, groups] of [[t('compound'), f.byGrid], [t('category'), f.byCategory]] as const) {
      const box = el('div', { class: 'chart' });
      page.append(el('section', { class: 'card' }, el('h2', {}, title), box));
      const chart = echarts.init(box);
      chart.setOption({
        tooltip: {},
        legend: {},
        xAxis: { type: 'category', data: groups.map((g) => g.name) },
        yAxis: [{ type: 'value', name: t('closed') }, { type: 'value', name: t('avgDays') }],
        series: [
          { name: t('closed'), type: 'bar', data: groups.map((g) => g.closed) },
          { name: t('avgDays'), type: 'line', yAxisIndex: 1, data: groups.map((g) => g.avgHandlingWorkingDays) },
        ],
      });
      addEventListener('resize', () => chart.resize());
    }
  } catch (error) {
    showError(page, error);
  }
}

void main();
