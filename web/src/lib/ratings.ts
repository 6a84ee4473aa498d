/**
 * A case's ratings as staff read them: each round's rating, how it was given, and the petitioner's reason in their
 * words — on the case page, and beside the secretary's second handling so that she knows what to put right.
 */
import { el } from './shell';
import { ratingName, t, when, WORD_KEYS, type Word } from './i18n';

export interface Rating {
  round: number;
  rating: string;
  comment: string | null;
  source: string;
  at: string;
}

const source = (s: string) => {
  const word = `ratingSource${s}`;
  return word in WORD_KEYS ? t(word as Word) : s;
};

/** One line per rating, the reason under it; `testId` marks the list. */
export function ratingList(ratings: Rating[], testId = 'ratings'): HTMLElement {
  if (ratings.length === 0) return el('p', { 'data-testid': testId }, t('ratingNone'));
  return el(
    'ul',
    { class: 'ratings', 'data-testid': testId },
    ...ratings.map((r) =>
      el(
        'li',
        { class: r.rating === 'dissatisfied' ? 'overdue' : '' },
        `${t('ratingRound').replace('{n}', String(r.round))}：${ratingName(r.rating)}（${source(r.source)}，${when(r.at)}）`,
        r.comment ? el('div', { class: 'reason' }, `${t('ratingReason')}：${r.comment}`) : '',
      ),
    ),
  );
}
