/**
 * Settings → categories (admins): the category dictionary as a two-level table — main classes and their items,
 * with codes, names, synonyms and state — an edit form per entry and a form to add one. Codes never change and
 * entries are retired, not deleted: cases, rules and hazard records keep their codes.
 */
import { call } from '../lib/api';
import { el, showError } from '../lib/shell';
import { t } from '../lib/i18n';

interface Entry {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
  synonyms: string[];
  sortOrder: number;
  enabled: boolean;
}

const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);
/** Synonyms as typed: separated by 、，, ; or spaces. */
const splitTerms = (text: string) =>
  text
    .split(/[、，,；;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export async function categorySettings(panel: HTMLElement): Promise<void> {
  const { items } = await call<{ items: Entry[] }>('GET', '/categories?all=true');
  const editor = el('div');
  const body = el('tbody');
  const reload = () => categorySettings(panel);
  for (const c of items) {
    const edit = el('button', { type: 'button', class: 'link', 'data-testid': `category-edit-${c.code}` }, t('stEdit'));
    edit.addEventListener('click', () => {
      editor.replaceChildren(entryForm(c, reload));
      editor.scrollIntoView({ block: 'nearest' });
    });
    body.append(
      el(
        'tr',
        { 'data-testid': `category-${c.code}`, class: c.enabled ? (c.parentCode ? '' : 'group') : 'muted' },
        el(
          'td',
          {},
          c.parentCode ? `\u3000${c.nameZh}` : el('strong', {}, c.nameZh),
          el('br'),
          el('small', {}, c.nameEn),
        ),
        el('td', {}, el('code', {}, c.code)),
        el('td', {}, c.synonyms.join('、')),
        el('td', {}, c.enabled ? t('categoryEnabled') : t('categoryRetired')),
        el('td', {}, edit),
      ),
    );
  }
  const head = el(
    'tr',
    {},
    ...[t('category'), t('categoryCode'), t('categorySynonyms'), t('status'), ''].map((h) => el('th', {}, h)),
  );
  panel.replaceChildren(
    el(
      'section',
      { class: 'card', 'data-testid': 'category-list' },
      el('h2', {}, t('categoriesTitle')),
      el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)),
    ),
    editor,
    entryForm(undefined, reload),
  );
}

/** The form that adds an entry (no `entry`) or changes one (its code stays). */
function entryForm(entry: Entry | undefined, done: () => Promise<void>): HTMLFormElement {
  const code = el('input', {
    name: 'code',
    required: '',
    maxlength: '63',
    pattern: '[a-z][a-z0-9\\-]*(\\.[a-z][a-z0-9\\-]*)?',
    'data-testid': 'category-code',
  });
  const nameZh = el('input', { name: 'nameZh', required: '', maxlength: '30', 'data-testid': 'category-name-zh' });
  const nameEn = el('input', { name: 'nameEn', required: '', maxlength: '60', 'data-testid': 'category-name-en' });
  const synonyms = el('input', { name: 'synonyms', maxlength: '600', 'data-testid': 'category-synonyms' });
  const sortOrder = el('input', {
    type: 'number',
    name: 'sortOrder',
    min: '0',
    value: '0',
    'data-testid': 'category-order',
  });
  const enabled = el('input', { type: 'checkbox', name: 'enabled', 'data-testid': 'category-enabled' });
  enabled.checked = true;
  if (entry) {
    code.value = entry.code;
    code.disabled = true;
    nameZh.value = entry.nameZh;
    nameEn.value = entry.nameEn;
    synonyms.value = entry.synonyms.join('、');
    sortOrder.value = String(entry.sortOrder);
    enabled.checked = entry.enabled;
  }
  const message = el('div');
  const buttons = el(
    'div',
    { class: 'row' },
    el(
      'button',
      { type: 'submit', class: 'primary', 'data-testid': 'category-save' },
      entry ? t('stSave') : t('categoryAdd'),
    ),
  );
  if (entry) {
    const cancel = el('button', { type: 'button', class: 'link' }, t('stCancel'));
    cancel.addEventListener('click', () => void done());
    buttons.append(cancel);
  }
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': entry ? 'category-edit-form' : 'category-add-form' },
    el('h2', {}, entry ? `${t('stEdit')} · ${entry.nameZh}` : t('categoryAdd')),
    el('p', { class: 'hint' }, t('categoryAddHint')),
    el('div', { class: 'row' }, field(t('categoryCode'), code), field(t('categoryOrder'), sortOrder)),
    el('div', { class: 'row' }, field(t('categoryNameZh'), nameZh), field(t('categoryNameEn'), nameEn)),
    field(t('categorySynonyms'), synonyms),
    el('label', {}, enabled, ' ', t('categoryEnabled')),
    buttons,
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fields = {
      nameZh: nameZh.value.trim(),
      nameEn: nameEn.value.trim(),
      synonyms: splitTerms(synonyms.value),
      sortOrder: Number(sortOrder.value) || 0,
      enabled: enabled.checked,
    };
    const request = entry
      ? call('PUT', `/categories/${encodeURIComponent(entry.code)}`, fields)
      : call('POST', '/categories', { code: code.value.trim(), ...fields });
    request.then(done, (error: unknown) => showError(message, error));
  });
  return form;
}
