/**
 * The dashboard's card of the law's procedures in the period: extensions of the handling limit (Art 34), reviews
 * (复查, Art 35) and re-reviews (复核, Art 36) asked for and answered, by outcome, late and open past due.
 */
import { el } from '../lib/shell';
import { lang } from '../lib/i18n';

interface ReviewCounts {
  requested: number;
  answered: number;
  upheld: number;
  revised: number;
  late: number;
  overdueOpen: number;
}
export interface ProcedureFigures {
  extensions: { granted: number; byKind: Record<string, number> };
  reviews: ReviewCounts;
  reReviews: ReviewCounts;
}

type Text = { zh: string; en: string };
const say = (text: Text) => text[lang()];

const WORDS = {
  title: { zh: '法定程序（延期、复查、复核）', en: 'Legal procedures (extensions, reviews, re-reviews)' },
  extensions: { zh: '延长办理期限（第三十四条）', en: 'Handling limit extended (Art 34)' },
  kind: { zh: '程序', en: 'Procedure' },
  requested: { zh: '请求', en: 'Asked' },
  answered: { zh: '已答复', en: 'Answered' },
  upheld: { zh: '维持', en: 'Upheld' },
  revised: { zh: '撤销或变更', en: 'Revised' },
  late: { zh: '超期答复', en: 'Answered late' },
  overdueOpen: { zh: '超期未答复', en: 'Open past due' },
  review: { zh: '复查（第三十五条）', en: 'Review (Art 35)' },
  reReview: { zh: '复核（第三十六条）', en: 'Re-review (Art 36)' },
} satisfies Record<string, Text>;

const COLUMNS = ['requested', 'answered', 'upheld', 'revised', 'late', 'overdueOpen'] as const;

export function procedureCard(p: ProcedureFigures | undefined): HTMLElement {
  if (!p) return el('span');
  const row = (label: Text, counts: ReviewCounts, id: string) =>
    el(
      'tr',
      { 'data-testid': `procedures-${id}` },
      el('th', {}, say(label)),
      ...COLUMNS.map((c) => el('td', { 'data-testid': `procedures-${id}-${c}` }, String(counts[c]))),
    );
  return el(
    'section',
    { class: 'card', 'data-testid': 'procedures' },
    el('h2', {}, say(WORDS.title)),
    el('p', { 'data-testid': 'procedures-extensions' }, `${say(WORDS.extensions)}：${p.extensions.granted}`),
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, el('th', {}, say(WORDS.kind)), ...COLUMNS.map((c) => el('th', {}, say(WORDS[c]))))),
      el('tbody', {}, row(WORDS.review, p.reviews, 'review'), row(WORDS.reReview, p.reReviews, 're-review')),
    ),
  );
}
