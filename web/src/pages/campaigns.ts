/**
 * Quarterly campaigns (专项活动): the campaigns with their household coverage against the target and the conflicts
 * resolved early; a quarter's campaign set up (theme and joint team); a compound's door-to-door coverage recorded.
 */
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t } from '../lib/i18n';

interface Campaign {
  id: string;
  quarter: string;
  theme: string;
  team: string | null;
  householdsVisited: number;
  households: number;
  coverage: number;
  conflictsFound: number;
  conflictsResolved: number;
  resolvedEarly: number | null;
}
interface Grid {
  id: string;
  code: string;
  name: string;
  compounds: Array<{ id: string; name: string; households: number }>;
}

const CREATE = ['cadre', 'secretary', 'leader', 'admin'];
const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.append(el('h1', {}, t('navCampaigns')));
  const list = el('section', { class: 'card', 'data-testid': 'campaign-list' }, t('loading'));
  page.append(list);
  try {
    const [{ items: grids }, settings] = await Promise.all([
      call<{ items: Grid[] }>('GET', '/grids'),
      call<{ targets: { value: { campaignCoveragePercent: number } } }>('GET', '/settings'),
    ]);
    const target = settings.targets.value.campaignCoveragePercent;
    const coverage = el('div');
    if (me.roles.some((r) => CREATE.includes(r))) page.append(createForm(refresh));
    page.append(coverage);

    async function refresh(): Promise<void> {
      try {
        const { items } = await call<{ items: Campaign[] }>('GET', '/campaigns');
        list.replaceChildren(
          el('h2', {}, `${t('navCampaigns')} · ${t('target')} ≥ ${target}%`),
          items.length === 0 ? el('p', {}, t('caNone')) : table(items, target),
        );
        coverage.replaceChildren(...(items.length ? [coverageForm(items, grids, refresh)] : []));
      } catch (error) {
        showError(list, error);
      }
    }
    await refresh();
  } catch (error) {
    showError(list, error);
  }
}

function table(items: Campaign[], target: number): HTMLElement {
  const body = el('tbody');
  for (const c of items) {
    body.append(
      el(
        'tr',
        { 'data-testid': `campaign-${c.quarter}` },
        el('td', {}, c.quarter),
        el('td', {}, c.theme, el('br'), el('small', {}, c.team ?? '')),
        el(
          'td',
          { class: `num ${c.coverage >= target ? '' : 'overdue'}`, 'data-testid': `coverage-${c.quarter}` },
          `${c.coverage}%`,
          el('br'),
          el('small', {}, `${c.householdsVisited} / ${c.households}`),
        ),
        el(
          'td',
          { class: 'num' },
          c.resolvedEarly === null ? '—' : `${c.resolvedEarly}%`,
          el('br'),
          el('small', {}, `${c.conflictsResolved} / ${c.conflictsFound}`),
        ),
      ),
    );
  }
  const head = el(
    'tr',
    {},
    ...[t('caQuarter'), t('caTheme'), t('caCoverage'), t('caResolvedEarly')].map((h) => el('th', {}, h)),
  );
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body));
}

function createForm(refresh: () => Promise<void>): HTMLFormElement {
  const year = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date());
  const quarter = el('input', {
    name: 'quarter',
    required: '',
    placeholder: `${year}-Q1`,
    maxlength: '7',
    'data-testid': 'campaign-quarter',
  });
  const theme = el('input', { name: 'theme', required: '', maxlength: '100', 'data-testid': 'campaign-theme' });
  const team = el('input', { name: 'team', maxlength: '500', 'data-testid': 'campaign-team' });
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'campaign-form' },
    el('h2', {}, t('caCreate')),
    el('div', { class: 'row' }, field(t('caQuarter'), quarter), field(t('caTheme'), theme)),
    field(t('caTeam'), team),
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'campaign-create' }, t('caCreate'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      quarter: quarter.value.trim(),
      theme: theme.value.trim(),
      ...(team.value.trim() ? { team: team.value.trim() } : {}),
    };
    call('POST', '/campaigns', body).then(
      () => {
        form.querySelector('.error')?.remove();
        form.reset();
        void refresh();
      },
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

function coverageForm(campaigns: Campaign[], grids: Grid[], refresh: () => Promise<void>): HTMLFormElement {
  const campaign = el('select', { name: 'campaignId', 'data-testid': 'coverage-campaign' });
  for (const c of campaigns) campaign.append(el('option', { value: c.id }, `${c.quarter} ${c.theme}`));
  const compound = el('select', { name: 'compoundId', 'data-testid': 'coverage-compound' });
  for (const g of grids)
    for (const c of g.compounds)
      compound.append(el('option', { value: c.id }, `${g.name} · ${c.name}（${c.households}）`));
  const visited = el('input', {
    type: 'number',
    name: 'householdsVisited',
    min: '0',
    required: '',
    'data-testid': 'coverage-visited',
  });
  const found = el('input', {
    type: 'number',
    name: 'conflictsFound',
    min: '0',
    value: '0',
    'data-testid': 'coverage-found',
  });
  const resolved = el('input', {
    type: 'number',
    name: 'conflictsResolved',
    min: '0',
    value: '0',
    'data-testid': 'coverage-resolved',
  });
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'coverage-form' },
    el('h2', {}, t('caMarkCovered')),
    el('div', { class: 'row' }, field(t('caCampaign'), campaign), field(t('compound'), compound)),
    el(
      'div',
      { class: 'row' },
      field(t('caVisited'), visited),
      field(t('caFound'), found),
      field(t('caResolved'), resolved),
    ),
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'coverage-save' }, t('stSave'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      householdsVisited: Number(visited.value),
      conflictsFound: Number(found.value || 0),
      conflictsResolved: Number(resolved.value || 0),
    };
    call('PUT', `/campaigns/${campaign.value}/coverage/${compound.value}`, body).then(
      () => void refresh(),
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

void main();
