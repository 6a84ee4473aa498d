/**
 * Early warnings (预警): the rules screening every complaint at intake (admins add, edit and disable them) and the
 * alerts raised, with their cases and where their three-party joint handling stands (an alert is closed when its
 * handling completes, canceled when it is cancelled).
 */
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { categoryPicker } from '../lib/category-picker';
import { t, when, type Word } from '../lib/i18n';

interface Rule {
  id: string;
  name: string;
  /** The dictionary code (null: any category) and its name. */
  category: string | null;
  categoryName: string | null;
  scope: 'compound' | 'grid';
  compoundId: string | null;
  windowDays: number;
  threshold: number;
  enabled: boolean;
}
interface Alert {
  id: string;
  rule: string;
  category: string | null;
  placeKind: string;
  place: string | null;
  status: string;
  windowStart: string;
  windowEnd: string;
  raisedAt: string;
  cases: Array<{ id: string; caseNo: string }> | null;
  processState: string | null;
  /** When the joint handling ended (the alert closed or canceled with it). */
  closedAt: string | null;
}
interface Grid {
  name: string;
  compounds: Array<{ id: string; name: string }>;
}

const SCOPE: Record<string, Word> = { compound: 'waScopeCompound', grid: 'waScopeGrid' };
const ALERT_STATUS: Record<string, Word> = {
  open: 'waOpen',
  handling: 'waHandling',
  closed: 'waClosed',
  canceled: 'waCanceled',
  all: 'kpAll',
};
const PROCESS: Record<string, Word> = {
  ACTIVE: 'waProcessActive',
  COMPLETED: 'waProcessCompleted',
  TERMINATED: 'waProcessTerminated',
};
const word = (map: Record<string, Word>, value: string) => (map[value] ? t(map[value]) : value);
/** A day in Beijing time, YYYY-MM-DD. */
const day = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(iso));
const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const admin = me.roles.includes('admin');
  page.append(el('h1', {}, t('navWarnings')));
  const rules = el('section', { class: 'card', 'data-testid': 'rule-list' }, t('loading'));
  const formBox = el('div');
  const alerts = el('section', { class: 'card', 'data-testid': 'alert-list' }, t('loading'));
  page.append(rules, formBox, alerts);
  try {
    const { items: grids } = await call<{ items: Grid[] }>('GET', '/grids');
    const compounds = new Map(grids.flatMap((g) => g.compounds.map((c) => [c.id, `${g.name} · ${c.name}`] as const)));
    const edit = (rule?: Rule) => {
      formBox.replaceChildren(
        ruleForm(compounds, rule, async () => {
          edit();
          await refreshRules();
        }),
      );
      if (rule) formBox.scrollIntoView({ block: 'start' });
    };
    const refreshRules = async () => {
      try {
        const { items } = await call<{ items: Rule[] }>('GET', '/warning-rules');
        rules.replaceChildren(
          el('h2', {}, t('waRules')),
          items.length === 0 ? el('p', {}, t('waNoRules')) : ruleTable(items, compounds, admin, edit, refreshRules),
        );
      } catch (error) {
        showError(rules, error);
      }
    };
    if (admin) edit();
    await Promise.all([refreshRules(), showAlerts(alerts, 'all')]);
  } catch (error) {
    showError(page, error);
  }
}

function ruleTable(
  items: Rule[],
  compounds: Map<string, string>,
  admin: boolean,
  edit: (rule: Rule) => void,
  refresh: () => Promise<void>,
): HTMLElement {
  const body = el('tbody');
  for (const r of items) {
    const actions = el('td', { class: 'actions' });
    if (admin) {
      const change = el('button', { type: 'button', class: 'link', 'data-testid': `rule-edit-${r.id}` }, t('stEdit'));
      change.addEventListener('click', () => edit(r));
      const toggle = el(
        'button',
        { type: 'button', class: 'link', 'data-testid': `rule-toggle-${r.id}` },
        r.enabled ? t('waDisable') : t('waEnable'),
      );
      toggle.addEventListener('click', () => {
        const body = {
          name: r.name,
          category: r.category,
          scope: r.scope,
          compoundId: r.compoundId,
          windowDays: r.windowDays,
          threshold: r.threshold,
          enabled: !r.enabled,
        };
        call('PUT', `/warning-rules/${r.id}`, body).then(refresh, (error: unknown) => showError(actions, error));
      });
      actions.append(change, ' ', toggle);
    }
    body.append(
      el(
        'tr',
        { 'data-testid': 'rule-row', class: r.enabled ? '' : 'muted' },
        el('td', {}, r.name, el('br'), el('small', {}, r.enabled ? t('waEnabled') : t('waDisabled'))),
        el('td', {}, r.categoryName ?? r.category ?? t('waAnyCategory')),
        el('td', {}, `${word(SCOPE, r.scope)}${r.compoundId ? ` · ${compounds.get(r.compoundId) ?? ''}` : ''}`),
        el('td', { class: 'num' }, `≥ ${r.threshold} / ${r.windowDays} ${t('waDays')}`),
        actions,
      ),
    );
  }
  const head = el(
    'tr',
    {},
    ...[t('waRuleName'), t('category'), t('waScope'), t('waThresholdWindow'), ''].map((h) => el('th', {}, h)),
  );
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body));
}

function ruleForm(compounds: Map<string, string>, rule: Rule | undefined, done: () => Promise<void>): HTMLFormElement {
  const name = el('input', { name: 'name', required: '', maxlength: '100', 'data-testid': 'rule-name' });
  const category = categoryPicker('rule-category');
  const scope = el('select', { name: 'scope', 'data-testid': 'rule-scope' });
  for (const s of Object.keys(SCOPE)) scope.append(el('option', { value: s }, word(SCOPE, s)));
  const compound = el(
    'select',
    { name: 'compoundId', 'data-testid': 'rule-compound' },
    el('option', { value: '' }, t('waAnyPlace')),
  );
  for (const [id, label] of compounds) compound.append(el('option', { value: id }, label));
  const windowDays = el('input', {
    type: 'number',
    name: 'windowDays',
    min: '1',
    max: '366',
    required: '',
    value: '30',
    'data-testid': 'rule-window',
  });
  const threshold = el('input', {
    type: 'number',
    name: 'threshold',
    min: '2',
    max: '1000',
    required: '',
    value: '3',
    'data-testid': 'rule-threshold',
  });
  const enabled = el('input', { type: 'checkbox', name: 'enabled', 'data-testid': 'rule-enabled' });
  enabled.checked = true;
  if (rule) {
    name.value = rule.name;
    category.set(rule.category);
    scope.value = rule.scope;
    compound.value = rule.compoundId ?? '';
    windowDays.value = String(rule.windowDays);
    threshold.value = String(rule.threshold);
    enabled.checked = rule.enabled;
  }
  const buttons = el(
    'div',
    { class: 'row' },
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'rule-save' }, rule ? t('stSave') : t('waAddRule')),
  );
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'rule-form' },
    el('h2', {}, rule ? `${t('waEditRule')} · ${rule.name}` : t('waAddRule')),
    el('p', { class: 'hint' }, t('waRuleHint')),
    field(t('waRuleName'), name),
    el(
      'div',
      { class: 'row' },
      field(t('waCategoryAny'), category.element),
      field(t('waScope'), scope),
      field(t('compound'), compound),
    ),
    el('div', { class: 'row' }, field(t('waWindowDays'), windowDays), field(t('waThreshold'), threshold)),
    el('label', {}, enabled, ' ', t('waEnabled')),
    buttons,
  );
  if (rule) {
    const cancel = el('button', { type: 'button', class: 'link' }, t('stCancel'));
    cancel.addEventListener('click', () => void done());
    buttons.append(cancel);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      name: name.value.trim(),
      category: category.value() || null,
      scope: scope.value,
      compoundId: compound.value || null,
      windowDays: Number(windowDays.value),
      threshold: Number(threshold.value),
      enabled: enabled.checked,
    };
    call(rule ? 'PUT' : 'POST', rule ? `/warning-rules/${rule.id}` : '/warning-rules', body).then(
      () => void done(),
      (error: unknown) => showError(form, error),
    );
  });
  return form;
}

async function showAlerts(card: HTMLElement, status: string): Promise<void> {
  const filter = el('select', { 'data-testid': 'alert-status' });
  for (const s of ['all', 'open', 'handling', 'closed', 'canceled'])
    filter.append(el('option', { value: s }, word(ALERT_STATUS, s)));
  filter.value = status;
  filter.addEventListener('change', () => void showAlerts(card, filter.value));
  try {
    const { items } = await call<{ items: Alert[] }>('GET', `/warning-alerts?status=${status}`);
    const body = el('tbody');
    for (const a of items) {
      const cases = el('td');
      for (const c of a.cases ?? []) cases.append(el('a', { href: `/case.html?id=${c.id}` }, c.caseNo), ' ');
      body.append(
        el(
          'tr',
          { 'data-testid': 'alert-row' },
          el('td', {}, when(a.raisedAt), el('br'), el('small', {}, a.rule)),
          el(
            'td',
            {},
            `${a.place ?? '—'} · ${a.category ?? t('waAnyCategory')}`,
            el('br'),
            el('small', {}, `${day(a.windowStart)} ~ ${day(a.windowEnd)}`),
          ),
          el(
            'td',
            { 'data-testid': 'alert-status-cell' },
            el('span', { class: `status status-${a.status}` }, word(ALERT_STATUS, a.status)),
            el('br'),
            el(
              'small',
              {},
              a.processState ? word(PROCESS, a.processState) : '—',
              a.closedAt ? ` · ${t('waEndedAt')} ${when(a.closedAt)}` : '',
            ),
          ),
          cases,
        ),
      );
    }
    const head = el('tr', {}, ...[t('waRaised'), t('waPlace'), t('status'), t('waCases')].map((h) => el('th', {}, h)));
    card.replaceChildren(
      el('h2', {}, t('waAlerts')),
      field(t('status'), filter),
      items.length === 0
        ? el('p', {}, t('waNoAlerts'))
        : el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)),
    );
  } catch (error) {
    showError(card, error);
  }
}

void main();
