/** The public notice board (公示栏): published outcomes of key matters, without personal data. */
import { call } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t, when } from '../lib/i18n';

async function main(): Promise<void> {
  const page = shell(null);
  const card = el('section', { class: 'card' }, el('h1', {}, t('noticeBoard')));
  page.append(card);
  try {
    const { items } = await call<{
      items: Array<{
        caseNo: string;
        category: string;
        compound: string | null;
        outcome: string;
        petitioner: string | null;
        publishedAt: string;
      }>;
    }>('GET', '/public/notices');
    if (items.length === 0) card.append(el('p', {}, t('noNotices')));
    for (const n of items) {
      card.append(
        el(
          'article',
          { class: 'card' },
          el('h2', {}, `${n.caseNo} · ${n.category}`),
          el('p', {}, n.outcome),
          el('small', {}, `${n.compound ?? ''} ${n.petitioner ?? ''} · ${t('published')} ${when(n.publishedAt)}`),
        ),
      );
    }
  } catch (error) {
    showError(card, error);
  }
}

void main();
