/**
 * The grids page's register of grids and compounds: everyone reads it; admins add a grid or a compound, rename them,
 * change a grid's worker or a compound's households, and retire or reinstate them (never delete: cases name them).
 * The latest changes are listed with who made them.
 */
import { call, type Me } from '../lib/api';
import { el, showError } from '../lib/shell';
import { t, when, type Word } from '../lib/i18n';

interface RegisterGrid {
  id: string;
  code: string;
  name: string;
  gridWorker: { username: string; displayName: string } | null;
  retiredAt: string | null;
  compounds: Array<{ id: string; name: string; households: number; retiredAt: string | null; cases: number }>;
}
interface Change {
  at: string;
  kind: 'grid' | 'compound';
  action: string;
  detail: Record<string, unknown>;
  actorName: string | null;
}

const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);
const button = (label: string, testId: string, onClick: () => void) => {
  const b = el('button', { type: 'button', class: 'link', 'data-testid': testId }, label);
  b.addEventListener('click', onClick);
  return b;
};

/** The register card, shown again after each change an admin makes. */
export async function showRegister(card: HTMLElement, me: Me): Promise<void> {
  const admin = me.roles.includes('admin');
  const refresh = () => void showRegister(card, me);
  /** Sends a change; shows a refusal by the card, else reloads. */
  const send = (method: string, path: string, body: unknown) =>
    call(method, path, body).then(refresh, (error: unknown) => showError(card, error));
  try {
    const { items, changes } = await call<{ items: RegisterGrid[]; changes: Change[] }>('GET', '/grid-register');
    const body = el('tbody');
    for (const g of items) body.append(gridRow(g, admin, send));
    const head = el(
      'tr',
      {},
      ...[t('grCode'), t('grName'), t('grWorkerCol'), t('grCompounds'), ''].map((h) => el('th', {}, h)),
    );
    card.replaceChildren(
      el('h2', {}, t('grRegister')),
      el('p', { class: 'hint' }, t('grRetireHint')),
      el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)),
      ...(admin ? [addGridForm(send), addCompoundForm(items, send), changeList(changes)] : []),
    );
  } catch (error) {
    showError(card, error);
  }
}

type Send = (method: string, path: string, body: unknown) => Promise<void>;

function gridRow(g: RegisterGrid, admin: boolean, send: Send): HTMLElement {
  const compounds = el('td');
  for (const c of g.compounds) {
    const item = el(
      'div',
      { class: c.retiredAt ? 'muted' : '', 'data-testid': `compound-${c.name}` },
      `${c.name}（${c.households}）`,
      c.cases ? el('small', {}, ` · ${c.cases} ${t('grCases')}`) : '',
      c.retiredAt ? el('small', {}, ` · ${t('grRetired')}`) : '',
    );
    if (admin) {
      item.append(
        ' ',
        button(t('grRename'), `compound-rename-${c.name}`, () => {
          const name = prompt(t('grNewName'), c.name)?.trim();
          if (name && name !== c.name) void send('PUT', `/compounds/${c.id}`, { name });
        }),
        ' ',
        button(c.retiredAt ? t('grReinstate') : t('grRetire'), `compound-retire-${c.name}`, () => {
          void send('POST', `/compounds/${c.id}/retire`, { retired: !c.retiredAt });
        }),
      );
    }
    compounds.append(item);
  }
  const actions = el('td', { class: 'actions' });
  if (admin)
    actions.append(
      button(t('grRename'), `grid-rename-${g.code}`, () => {
        const name = prompt(t('grNewName'), g.name)?.trim();
        if (name && name !== g.name) void send('PUT', `/grids/${g.id}`, { name });
      }),
      ' ',
      button(g.retiredAt ? t('grReinstate') : t('grRetire'), `grid-retire-${g.code}`, () => {
        void send('POST', `/grids/${g.id}/retire`, { retired: !g.retiredAt });
      }),
    );
  return el(
    'tr',
    { 'data-testid': `grid-${g.code}`, class: g.retiredAt ? 'muted' : '' },
    el('td', {}, g.code),
    el('td', {}, g.name, g.retiredAt ? el('small', {}, ` · ${t('grRetired')}`) : ''),
    el('td', {}, g.gridWorker?.displayName ?? t('grNoWorker')),
    compounds,
    actions,
  );
}

function addGridForm(send: Send): HTMLFormElement {
  const code = el('input', {
    name: 'code',
    required: '',
    maxlength: '10',
    placeholder: 'G08',
    'data-testid': 'grid-code',
  });
  const name = el('input', { name: 'name', required: '', maxlength: '50', 'data-testid': 'grid-name' });
  const worker = el('input', { name: 'gridWorker', maxlength: '64', 'data-testid': 'grid-worker' });
  const form = el(
    'form',
    { class: 'stack', 'data-testid': 'grid-add' },
    el('h3', {}, t('grAddGrid')),
    el('div', { class: 'row' }, field(t('grCode'), code), field(t('grName'), name), field(t('grWorker'), worker)),
    el('div', {}, el('button', { type: 'submit', class: 'primary', 'data-testid': 'grid-save' }, t('grAddGrid'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { code: code.value.trim(), name: name.value.trim(), gridWorker: worker.value.trim() || null };
    void send('POST', '/grids', body);
  });
  return form;
}

function addCompoundForm(grids: RegisterGrid[], send: Send): HTMLFormElement {
  const grid = el('select', { name: 'gridId', 'data-testid': 'compound-grid' });
  for (const g of grids.filter((x) => !x.retiredAt)) grid.append(el('option', { value: g.id }, `${g.code} ${g.name}`));
  const name = el('input', { name: 'name', required: '', maxlength: '50', 'data-testid': 'compound-name' });
  const households = el('input', {
    type: 'number',
    name: 'households',
    min: '0',
    max: '100000',
    value: '0',
    'data-testid': 'compound-households',
  });
  const form = el(
    'form',
    { class: 'stack', 'data-testid': 'compound-add' },
    el('h3', {}, t('grAddCompound')),
    el(
      'div',
      { class: 'row' },
      field(t('grGrid'), grid),
      field(t('grName'), name),
      field(t('grHouseholdsTotal'), households),
    ),
    el(
      'div',
      {},
      el('button', { type: 'submit', class: 'primary', 'data-testid': 'compound-save' }, t('grAddCompound')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send('POST', '/compounds', {
      gridId: grid.value,
      name: name.value.trim(),
      households: Number(households.value || 0),
    });
  });
  return form;
}

function changeList(changes: Change[]): HTMLElement {
  const list = el('ul', { 'data-testid': 'grid-changes' });
  for (const c of changes.slice(0, 20)) {
    const named = (part: unknown) => (part as { name?: string } | undefined)?.name;
    const what = named(c.detail) ?? named(c.detail.after) ?? named(c.detail.before) ?? '';
    list.append(
      el(
        'li',
        {},
        `${when(c.at)} · ${c.actorName ?? ''} · ${t(`grAct-${c.action}` as Word)} ${
          c.kind === 'grid' ? t('grGrid') : t('compound')
        } ${what}`,
      ),
    );
  }
  return el('div', {}, el('h3', {}, t('grChanges')), changes.length ? list : el('p', {}, '—'));
}
