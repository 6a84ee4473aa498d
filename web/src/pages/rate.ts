/** The rating page a resident reaches from the SMS link (/rate/<token>): the outcome, three buttons, a comment. */
import { ApiError, call } from '../lib/api';
import { el, shell, showError, notice } from '../lib/shell';
import { t } from '../lib/i18n';

async function main(): Promise<void> {
  const page = shell(null);
  const token =
    location.pathname.split('/').filter(Boolean)[1] ?? new URLSearchParams(location.search).get('token') ?? '';
  const card = el('section', { class: 'card' }, el('h1', {}, t('rateTitle')));
  page.append(card);
  try {
    const info = await call<{ caseNo: string; category: string; outcome: string | null }>(
      'GET',
      `/public/ratings/${encodeURIComponent(token)}`,
    );
    card.append(
      el('p', {}, `${t('caseNo')}：${info.caseNo} · ${info.category}`),
      el('p', {}, `${t('outcome')}：${info.outcome ?? '—'}`),
    );
    const comment = el('textarea', {
      rows: '3',
      maxlength: '500',
      'aria-label': t('comment'),
      placeholder: t('comment'),
      style: 'width:100%',
    });
    const buttons = el('div', { class: 'ratings' });
    for (const [value, label] of [
      ['satisfied', t('satisfied')],
      ['basically-satisfied', t('basicallySatisfied')],
      ['dissatisfied', t('dissatisfied')],
    ] as const) {
      const b = el('button', { type: 'button', 'data-testid': `rate-${value}` }, label);
      b.addEventListener('click', () => {
        call('POST', `/public/ratings/${encodeURIComponent(token)}`, { rating: value, comment: comment.value }).then(
          () =>
            card.replaceChildren(
              el('h1', {}, t('rateTitle')),
              notice('success', [t('thanks')], { 'data-testid': 'rated' }),
            ),
          (error: unknown) => showError(card, error),
        );
      });
      buttons.append(b);
    }
    card.append(comment, buttons);
  } catch (error) {
    showError(card, error instanceof ApiError ? new Error(error.problem.detail ?? error.message) : error);
  }
}

void main();
