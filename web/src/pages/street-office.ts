/**
 * The street office's queue (街道信访办): difficult cases escalated to it, waiting to be claimed or claimed by whom,
 * with the working days left on each case's 15-working-day deadline. A member claims one here and handles it in
 * the tasklist.
 */
import { call, requireMe } from '../lib/api';
import { el, shell, showError, notice } from '../lib/shell';
import { t, when } from '../lib/i18n';

interface QueueItem {
  userTaskKey: string;
  elementId: string;
  name: string;
  createdAt: string | null;
  claimedBy: { username: string; displayName: string } | null;
  case: { id: string; caseNo: string; category: string; keyMatter: boolean; dueAt: string | null } | null;
  workingDaysLeft: number | null;
}

function daysLeft(n: number | null): string {
  if (n === null) return '—';
  return n >= 0 ? `${n} ${t('workingDays')}` : `${t('overdue')} ${-n} ${t('workingDays')}`;
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const card = el(
    'section',
    { class: 'card', 'data-testid': 'street-queue' },
    el('h1', {}, t('streetOffice')),
    el('p', {}, t('loading')),
  );
  page.append(card);
  if (!me.roles.some((r) => ['street-office', 'leader', 'admin'].includes(r))) {
    card.replaceChildren(el('h1', {}, t('streetOffice')), notice('error', [t('streetOfficeOnly')]));
    return;
  }
  try {
    const { items } = await call<{ items: QueueItem[] }>('GET', '/street-office/queue');
    const waiting = items.filter((i) => !i.claimedBy).length;
    const body = el('tbody');
    for (const item of items) {
      const action = el('td');
      if (!item.claimedBy && me.roles.includes('street-office')) {
        const claim = el(
          'button',
          { type: 'button', class: 'primary', 'data-testid': `claim-${item.case?.caseNo ?? item.userTaskKey}` },
          t('claim'),
        );
        claim.addEventListener('click', () => {
          claim.setAttribute('disabled', '');
          call('POST', `/tasks/${item.userTaskKey}/claim`).then(
            () => (location.href = `/tasks.html?view=mine&task=${item.userTaskKey}`),
            (error: unknown) => {
              claim.removeAttribute('disabled');
              showError(card, error);
            },
          );
        });
        action.append(claim);
      } else if (item.claimedBy?.username === me.username) {
        action.append(
          el(
            'a',
            {
              href: `/tasks.html?view=mine&task=${item.userTaskKey}`,
              'data-testid': `open-${item.case?.caseNo ?? item.userTaskKey}`,
            },
            t('open'),
          ),
        );
      }
      const caseCell = el('td');
      if (item.case)
        caseCell.append(
          el('a', { href: `/case.html?id=${item.case.id}` }, item.case.caseNo),
          ` ${item.case.category}${item.case.keyMatter ? ` · ${t('keyMatter')}` : ''}`,
        );
      body.append(
        el(
          'tr',
          { 'data-testid': `row-${item.case?.caseNo ?? item.userTaskKey}` },
          caseCell,
          el('td', {}, item.name),
          el('td', { 'data-testid': 'claimed-by' }, item.claimedBy ? item.claimedBy.displayName : t('unclaimed')),
          el('td', {}, when(item.createdAt)),
          el(
            'td',
            {
              class: (item.workingDaysLeft ?? 1) < 0 ? 'overdue' : (item.workingDaysLeft ?? 99) <= 3 ? 'soon' : '',
              'data-testid': 'days-left',
            },
            daysLeft(item.workingDaysLeft),
            el('br'),
            el('small', {}, when(item.case?.dueAt)),
          ),
          action,
        ),
      );
    }
    card.replaceChildren(
      el('h1', {}, t('streetOffice')),
      el(
        'p',
        { 'data-testid': 'summary' },
        `${t('waitingToClaim')}：${waiting} · ${t('claimed')}：${items.length - waiting}`,
      ),
      items.length === 0
        ? el('p', {}, t('noTasks'))
        : el(
            'table',
            { class: 'responsive' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                el('th', {}, t('caseNo')),
                el('th', {}, t('step')),
                el('th', {}, t('claimedBy')),
                el('th', {}, t('since')),
                el('th', {}, t('daysLeft')),
                el('th'),
              ),
            ),
            body,
          ),
    );
  } catch (error) {
    showError(card, error);
  }
}

void main();
