/**
 * The category picker: a search box over the category dictionary (names, synonyms, codes, pinyin and its initials)
 * with the dictionary as a two-level list below it — main classes as headings, their items under them. Choosing an
 * entry keeps its code; text typed and not chosen is sent as it is and resolved (or refused) by the server.
 */
import { call } from './api';
import { el } from './shell';
import { lang, t } from './i18n';

export interface CategoryEntry {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
  synonyms: string[];
  level: 1 | 2;
  pinyin: string;
  initials: string;
}

let dictionary: Promise<CategoryEntry[]> | undefined;

/** The enabled entries, read once per page. */
export function categories(): Promise<CategoryEntry[]> {
  dictionary ??= call<{ items: CategoryEntry[] }>('GET', '/categories').then((r) => r.items);
  return dictionary;
}

const nameOf = (c: CategoryEntry) => (lang() === 'en' ? c.nameEn : c.nameZh);

/** "物业管理 › 房屋漏水" for an item, the name alone for a main class. */
export function categoryLabel(c: CategoryEntry, all: CategoryEntry[]): string {
  const parent = c.parentCode ? all.find((p) => p.code === c.parentCode) : undefined;
  return parent ? `${nameOf(parent)} › ${nameOf(c)}` : nameOf(c);
}

/** Whether the entry (or, for a main class, one of its items) answers the search. */
function matches(c: CategoryEntry, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/\s+/g, '');
  if (!q) return true;
  const haystack = [c.code, c.nameZh, c.nameEn.toLowerCase(), ...c.synonyms, c.pinyin, ...c.initials.split(' ')];
  return haystack.some((h) => h.toLowerCase().includes(q));
}

export interface CategoryPicker {
  element: HTMLElement;
  input: HTMLInputElement;
  /** The chosen entry's code, else the text typed (trimmed). */
  value(): string;
  set(code: string | null): void;
  clear(): void;
}

export function categoryPicker(testId: string, options: { required?: boolean; onChange?: () => void } = {}) {
  const input = el('input', {
    type: 'search',
    name: 'category',
    maxlength: '50',
    autocomplete: 'off',
    role: 'combobox',
    'aria-expanded': 'false',
    placeholder: t('categorySearch'),
    'data-testid': testId,
    ...(options.required ? { required: '' } : {}),
  });
  const list = el('ul', { class: 'cat-list', role: 'listbox', hidden: '', 'data-testid': `${testId}-list` });
  const element = el('div', { class: 'cat-picker' }, input, list);
  let chosen: CategoryEntry | undefined;
  let all: CategoryEntry[] = [];
  let active = -1;

  const options$ = () => Array.from(list.querySelectorAll<HTMLLIElement>('li[role=option]'));
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
  };
  const choose = (c: CategoryEntry) => {
    chosen = c;
    input.value = categoryLabel(c, all);
    close();
    options.onChange?.();
  };
  const render = () => {
    const query = input.value;
    list.replaceChildren();
    active = -1;
    for (const main of all.filter((c) => c.level === 1)) {
      const items = all.filter((c) => c.parentCode === main.code && matches(c, query));
      if (!matches(main, query) && items.length === 0) continue;
      list.append(option(main, 'cat-main'), ...items.map((c) => option(c, 'cat-item')));
    }
    if (!list.firstChild) list.append(el('li', { class: 'muted' }, t('categoryNone')));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const option = (c: CategoryEntry, cls: string) => {
    const li = el(
      'li',
      { role: 'option', class: cls, 'data-code': c.code },
      nameOf(c),
      c.synonyms.length ? el('small', {}, ` ${c.synonyms.join('、')}`) : '',
    );
    li.addEventListener('mousedown', (event) => {
      event.preventDefault();
      choose(c);
    });
    return li;
  };
  const move = (step: number) => {
    const items = options$();
    if (items.length === 0) return;
    items[active]?.classList.remove('active');
    active = (active + step + items.length) % items.length;
    items[active].classList.add('active');
    items[active].scrollIntoView({ block: 'nearest' });
  };

  void categories().then((items) => (all = items));
  input.addEventListener('focus', render);
  input.addEventListener('input', () => {
    chosen = undefined;
    render();
  });
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) render();
      move(event.key === 'ArrowDown' ? 1 : -1);
    } else if (event.key === 'Enter' && !list.hidden && active >= 0) {
      event.preventDefault();
      const code = options$()[active].dataset.code;
      const c = all.find((x) => x.code === code);
      if (c) choose(c);
    } else if (event.key === 'Escape') close();
  });
  input.addEventListener('change', () => options.onChange?.());

  return {
    element,
    input,
    value: () => chosen?.code ?? input.value.trim(),
    set(code: string | null) {
      void categories().then((items) => {
        all = items;
        const c = code ? items.find((x) => x.code === code) : undefined;
        chosen = c;
        input.value = c ? categoryLabel(c, items) : (code ?? '');
      });
    },
    clear() {
      chosen = undefined;
      input.value = '';
    },
  } satisfies CategoryPicker;
}
