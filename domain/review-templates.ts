/**
 * The notices of review (复查, 信访工作条例 Art 35) and re-review (复核, Art 36): to the petitioner (request received,
 * with the date it is answered by; the opinion, a re-review's saying it is final) and to staff (overdue, answered).
 * Spread into TEMPLATES (notification-templates.ts).
 */

/** What these templates mention (a part of NotificationParams). */
export interface ReviewParams {
  caseNo: string;
  reviewKind?: 'review' | 're-review';
  reviewDueAt?: string;
  reviewOutcome?: 'upheld' | 'revised';
}

type DateFormat = (iso?: string) => string | undefined;

interface ReviewTemplate {
  audience: 'petitioner' | 'staff';
  zh(p: ReviewParams, date: DateFormat): string;
  en(p: ReviewParams, date: DateFormat): string;
}

const join = (parts: Array<string | false | undefined>, separator: string) => parts.filter(Boolean).join(separator);

/** 复查 or 复核, review or re-review. */
const kindZh = (p: ReviewParams) => (p.reviewKind === 're-review' ? '复核' : '复查');
const kindEn = (p: ReviewParams) => (p.reviewKind === 're-review' ? 're-review' : 'review');
const outcomeZh = (p: ReviewParams) =>
  p.reviewOutcome === 'revised' ? '撤销或变更原处理意见' : p.reviewOutcome === 'upheld' ? '维持原处理意见' : undefined;
const outcomeEn = (p: ReviewParams) =>
  p.reviewOutcome === 'revised'
    ? 'the earlier opinion is revised'
    : p.reviewOutcome === 'upheld'
      ? 'the earlier opinion stands'
      : undefined;

/** Review (复查, Art 35) and re-review (复核, Art 36): the petitioner's notices and the staff's. */
export const REVIEW_TEMPLATES = {
  'review-requested': {
    audience: 'petitioner',
    zh: (p, d) =>
      join(
        [
          `您对编号 ${p.caseNo} 处理意见提出的${kindZh(p)}申请已收到`,
          d(p.reviewDueAt) && `，我们将于${d(p.reviewDueAt)}前书面答复${kindZh(p)}意见`,
          '。',
        ],
        '',
      ),
    en: (p, d) =>
      join(
        [
          `Your request for a ${kindEn(p)} of the opinion on case ${p.caseNo} has been received`,
          d(p.reviewDueAt) && `; you will receive the ${kindEn(p)} opinion in writing by ${d(p.reviewDueAt)}`,
        ],
        '',
      ) + '.',
  },
  'review-opinion': {
    audience: 'petitioner',
    zh: (p) =>
      join(
        [
          `您对编号 ${p.caseNo} 提出的${kindZh(p)}申请已办结`,
          outcomeZh(p) && `，${kindZh(p)}意见：${outcomeZh(p)}`,
          '。书面意见可向社区信访接待处领取。',
          p.reviewKind === 're-review'
            ? '复核意见为终局意见，同一事实和理由的信访不再受理。'
            : '如不服，可自收到复查意见之日起30日内请求复核。',
        ],
        '',
      ),
    en: (p) =>
      join(
        [
          `Your ${kindEn(p)} request on case ${p.caseNo} has been answered`,
          outcomeEn(p) && `: ${outcomeEn(p)}`,
          '. The written opinion is available at the community petition reception. ',
          p.reviewKind === 're-review'
            ? 'The re-review opinion is final: a petition on the same facts and reasons will not be accepted again.'
            : 'If you disagree, you may ask for a re-review within 30 days of receiving the review opinion.',
        ],
        '',
      ),
  },
  'review-overdue': {
    audience: 'staff',
    zh: (p, d) =>
      join(
        [
          `【${kindZh(p)}超期】案件 ${p.caseNo} 的${kindZh(p)}申请`,
          `已超过30日答复期限${d(p.reviewDueAt) ? `（${d(p.reviewDueAt)}）` : ''}，请督办。`,
        ],
        '',
      ),
    en: (p, d) =>
      `[${kindEn(p)} overdue] The ${kindEn(p)} of case ${p.caseNo} is past its 30 days${d(p.reviewDueAt) ? ` (${d(p.reviewDueAt)})` : ''}; please supervise.`,
  },
  'review-answered': {
    audience: 'staff',
    zh: (p) => join([`案件 ${p.caseNo} 的${kindZh(p)}已答复`, outcomeZh(p) && `（${outcomeZh(p)}）`, '，请知悉。'], ''),
    en: (p) => `The ${kindEn(p)} of case ${p.caseNo} was answered${outcomeEn(p) ? ` (${outcomeEn(p)})` : ''}.`,
  },
} satisfies Record<'review-requested' | 'review-opinion' | 'review-overdue' | 'review-answered', ReviewTemplate>;
