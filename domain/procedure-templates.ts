/**
 * The petitioner's written notices of the law's procedures (信访工作条例 Art 22–23, 34): registered, accepted, not accepted,
 * passed on to the authority that may handle it, the legal limit extended. Spread into TEMPLATES
 * (notification-templates.ts); the reason and the authority are what staff typed in the task's form, screened for
 * personal data before the text leaves (send-notification).
 */

/** What these templates mention (a part of NotificationParams). */
export interface ProcedureParams {
  caseNo: string;
  legalReplyDueAt?: string;
  legalDueAt?: string;
  /** Why it is not accepted, or why the limit is extended. */
  reason?: string;
  /** The authority a petition was passed on to. */
  authority?: string;
  /** Days the legal limit was extended by. */
  extensionDays?: number;
}

type DateFormat = (iso?: string) => string | undefined;

interface ProcedureTemplate {
  audience: 'petitioner';
  zh(p: ProcedureParams, date: DateFormat): string;
  en(p: ProcedureParams, date: DateFormat): string;
}

const join = (parts: Array<string | false | undefined>, separator = '') => parts.filter(Boolean).join(separator);
/** A typed reason ends with one full stop. */
const sentence = (text: string, stop: string) => text.replace(/[。.．!！\s]+$/u, '') + stop;

export const PROCEDURE_TEMPLATES = {
  // The receipt at registration, before anyone has decided whether the petition is accepted: it says what is true
  // then — received and registered — and by when the petitioner hears whether and how it will be handled.
  registered: {
    audience: 'petitioner',
    zh: (p, d) =>
      join([
        `您的信访事项已收到并登记，编号 ${p.caseNo}。`,
        d(p.legalReplyDueAt) && `我们将于${d(p.legalReplyDueAt)}前告知您是否受理及办理方式。`,
        '查询进度请报编号。',
      ]),
    en: (p, d) =>
      join(
        [
          `Your petition has been received and registered, case number ${p.caseNo}.`,
          d(p.legalReplyDueAt) && `We will tell you by ${d(p.legalReplyDueAt)} whether and how it will be handled.`,
          'Quote the case number when you ask about progress.',
        ],
        ' ',
      ),
  },
  // Sent once the first responder accepted the petition (Art 22–23), with the date of the opinion (Art 34).
  acceptance: {
    audience: 'petitioner',
    zh: (p, d) =>
      join([
        `您的信访事项（编号 ${p.caseNo}）已受理`,
        d(p.legalDueAt) ? `，我们将于${d(p.legalDueAt)}前出具处理意见。` : '。',
        '查询进度请报编号。',
      ]),
    en: (p, d) =>
      join(
        [
          `Your petition (case ${p.caseNo}) has been accepted${d(p.legalDueAt) ? `; you will receive a handling opinion by ${d(p.legalDueAt)}` : ''}.`,
          'Quote the case number when you ask about progress.',
        ],
        ' ',
      ),
  },
  'not-accepted': {
    audience: 'petitioner',
    zh: (p) =>
      join([
        `您的信访事项（编号 ${p.caseNo}）经审查不予受理。`,
        p.reason && `理由：${sentence(p.reason, '。')}`,
        '如有疑问，请向社区信访接待处咨询。',
      ]),
    en: (p) =>
      join(
        [
          `Your petition (case ${p.caseNo}) has not been accepted.`,
          p.reason && `Reason: ${sentence(p.reason, '.')}`,
          'Ask the community petition reception if you have questions.',
        ],
        ' ',
      ),
  },
  'passed-on': {
    audience: 'petitioner',
    zh: (p) =>
      join([
        `您的信访事项（编号 ${p.caseNo}）不属于本社区的处理范围，`,
        p.authority ? `已转送${p.authority}处理。` : '已转送有权处理的机关处理。',
        p.reason && `说明：${sentence(p.reason, '。')}`,
        '请向该机关了解办理情况。',
      ]),
    en: (p) =>
      join(
        [
          `Your petition (case ${p.caseNo}) is not for this community to handle and has been passed on to ${p.authority ?? 'the authority that may handle it'}.`,
          p.reason && `Note: ${sentence(p.reason, '.')}`,
          'Please ask them about its progress.',
        ],
        ' ',
      ),
  },
  'extension-granted': {
    audience: 'petitioner',
    zh: (p, d) =>
      join([
        `您的信访事项（编号 ${p.caseNo}）`,
        p.reason && `因${p.reason.replace(/[。.．!！\s]+$/u, '')}，`,
        `办理期限延长${p.extensionDays ?? ''}日`,
        d(p.legalDueAt) ? `，我们将于${d(p.legalDueAt)}前出具处理意见。` : '。',
      ]),
    en: (p, d) =>
      join(
        [
          `The handling limit of your petition (case ${p.caseNo}) is extended by ${p.extensionDays ?? ''} days${d(p.legalDueAt) ? `; you will receive a handling opinion by ${d(p.legalDueAt)}` : ''}.`,
          p.reason && `Reason: ${sentence(p.reason, '.')}`,
        ],
        ' ',
      ),
  },
} satisfies Record<string, ProcedureTemplate>;
