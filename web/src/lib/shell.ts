/** The frame of every page: header with the app's name, navigation, language switch and sign-out. */
import './style.css';
import { notice } from './carbon';
import { signOut, type Me } from './api';
import { t, toggleLang } from './i18n';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

export function shell(me: Me | null): HTMLElement {
  const app = document.getElementById('app')!;
  app.replaceChildren();
  const nav = el('nav');
  if (me) {
    nav.append(el('a', { href: '/tasks.html' }, t('myTasks')));
    if (me.roles.some((r) => r !== 'member'))
      nav.append(el('a', { href: '/cases.html', 'data-testid': 'nav-cases' }, t('navCases')));
    if (me.roles.some((r) => ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'].includes(r)))
      nav.append(el('a', { href: '/intake.html' }, t('intake')));
    if (me.roles.some((r) => ['cadre', 'secretary', 'leader', 'admin', 'reception', 'grid-worker'].includes(r)))
      nav.append(el('a', { href: '/keypersons.html' }, t('navKeyPersons')));
    if (me.roles.some((r) => ['grid-worker', 'cadre', 'secretary', 'leader', 'admin'].includes(r)))
      nav.append(
        el('a', { href: '/grids.html' }, t('navGrids')),
        el('a', { href: '/campaigns.html' }, t('navCampaigns')),
      );
    if (me.roles.some((r) => ['admin', 'leader', 'cadre', 'secretary'].includes(r)))
      nav.append(el('a', { href: '/warnings.html' }, t('navWarnings')));
    if (me.roles.includes('admin'))
      nav.append(
        el('a', { href: '/settings.html' }, t('navSettings')),
        el('a', { href: '/ops.html', 'data-testid': 'nav-ops' }, t('navOps')),
      );
    if (me.roles.some((r) => ['leader', 'admin', 'secretary', 'cadre', 'street-office'].includes(r)))
      nav.append(el('a', { href: '/dashboard.html' }, t('dashboard')));
    if (me.roles.some((r) => ['street-office', 'leader', 'admin'].includes(r)))
      nav.append(el('a', { href: '/street-office.html' }, t('streetOffice')));
    if (me.roles.some((r) => ['admin', 'leader'].includes(r)))
      nav.append(el('a', { href: '/web-modeler/' }, t('modeler')));
    nav.append(el('a', { href: '/notices.html' }, t('noticeBoard')));
  }
  const lang = el('button', { type: 'button', class: 'link', 'data-testid': 'lang' }, t('language'));
  lang.addEventListener('click', toggleLang);
  const right = el('div', { class: 'right' }, lang);
  if (me) {
    const out = el('button', { type: 'button', class: 'link' }, `${me.displayName} · ${t('signOut')}`);
    out.addEventListener('click', () => void signOut().then(() => (location.href = '/')));
    right.append(out);
  }
  app.append(el('header', {}, el('strong', {}, t('appName')), nav, right));
  const main = el('main');
  app.append(main);
  return main;
}

/** An error as a Carbon inline notification (role="alert") at the top of `where`, replacing the one before. */
export function showError(where: HTMLElement, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  where.querySelector('.error')?.remove();
  where.prepend(notice('error', [message]));
}

export { notice };
