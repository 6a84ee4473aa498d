/**
 * The text of every notice, one entry per `template` header value of bpmn/job-types.ts, in Simplified Chinese (what
 * is sent) and English (what the inbox shows an English-speaking user). Texts carry case numbers, categories,
 * compounds and dates, never a name, phone or ID number: they are stored and may be read by any staff member.
 * Each template says whom it is written for, so an internal warning cannot be wired to a petitioner's SMS.
 */
import { NOTIFICATION_TEMPLATES } from '../bpmn/job-types';
import { PROCEDURE_TEMPLATES } from './procedure-templates';
import { REVIEW_TEMPLATES } from './review-templates';

export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[keyof typeof NOTIFICATION_TEMPLATES];
export type Locale = 'zh' | 'en';

/** What a template may mention. Dates are ISO 8601 strings, shown in the business time zone. */
export interface NotificationParams {
  /** One case number, or several joined (an early warning covers several cases). */
  caseNo: string;
  caseCount?: number;
  category?: string;
  compound?: string;
  /** The first responder's display name (staff notices only). */
  owner?: string;
  legalReplyDueAt?: string;
  legalDueAt?: string;
  slaDueAt?: string;
  slaRedAt?: string;
  /** The one-time rating link (template `rating-link`): only ever in the text sent, never stored (see issue-rating-link). */
  ratingUrl?: string;
  ratingLinkExpiresAt?: string;
  /** A task's name and the group whose queue it is in (template `task-queued`). */
  taskName?: string;
  queue?: string;
  queueEn?: string;
  /** A review's kind, the date it is answered by and its outcome (templates `review-*`). */
  reviewKind?: 'review' | 're-review';
  reviewDueAt?: string;
  reviewOutcome?: 'upheld' | 'revised';
  /** Why a petition is not accepted or its limit extended; the authority it was passed on to; the days extended
   * (templates `not-accepted`, `passed-on`, `extension-granted`). */
  reason?: string;
  authority?: string;
  extensionDays?: number;
  /** Where an instance stopped and why (template `incident`). */
  process?: string;
  element?: string;
  error?: string;
}

/** Formats an ISO date (day only, or day and time); undefined when missing or not a date. */
type DateFormat = (iso?: string) => string | undefined;

interface Template {
  audience: 'petitioner' | 'staff';
  zh(p: NotificationParams, date: DateFormat, time: DateFormat): string;
  en(p: NotificationParams, date: DateFormat, time: DateFormat): string;
}

/** Joins the parts that are present: a template stays readable when an optional date is missing. */
const join = (parts: Array<string | false | undefined>, separator: string) => parts.filter(Boolean).join(separator);

export const TEMPLATES: Record<NotificationTemplate, Template> = {
  ...PROCEDURE_TEMPLATES,
  result: {
    audience: 'petitioner',
    zh: (p) =>
      `您反映的事项（编号 ${p.caseNo}）已办理完毕。详细结果可向社区信访接待处查询，稍后请对办理情况进行满意度评价。`,
    en: (p) =>
      `The matter you raised (case ${p.caseNo}) has been handled. Ask the community petition reception for details; you will shortly be asked to rate the handling.`,
  },
  // Sent by issue-rating-link, not by a send-notification task: the link is the petitioner's alone.
  'rating-link': {
    audience: 'petitioner',
    zh: (p, _d, t) =>
      join(
        [
          `【社区信访】您反映的问题（编号 ${p.caseNo}）已办理，请对办理结果进行满意度评价：${p.ratingUrl ?? '（评价链接）'}`,
          t(p.ratingLinkExpiresAt) ? `（${t(p.ratingLinkExpiresAt)}前有效，仅可使用一次）` : '（仅可使用一次）',
        ],
        ' ',
      ),
    en: (p, _d, t) =>
      `The matter you raised (case ${p.caseNo}) has been handled. Please rate the handling: ${p.ratingUrl ?? '(rating link)'} (${t(p.ratingLinkExpiresAt) ? `valid until ${t(p.ratingLinkExpiresAt)}, ` : ''}once only)`,
  },
  'overdue-yellow': {
    audience: 'staff',
    zh: (p, _d, d) =>
      join(
        [
          `【黄色预警】案件 ${p.caseNo}`,
          p.category && `（${p.category}）`,
          `已超过内部办理时限${d(p.slaDueAt) ? `（${d(p.slaDueAt)}）` : ''}，请尽快办理。`,
        ],
        '',
      ),
    en: (p, _d, d) =>
      join(
        [
          `[Yellow warning] Case ${p.caseNo}`,
          p.category && `(${p.category})`,
          `is past its internal deadline${d(p.slaDueAt) ? ` (${d(p.slaDueAt)})` : ''}; please act now.`,
        ],
        ' ',
      ),
  },
  'overdue-red': {
    audience: 'staff',
    zh: (p, _d, d) =>
      join(
        [
          `【红色预警】案件 ${p.caseNo}`,
          p.category && `（${p.category}）`,
          `超期未办结${d(p.slaDueAt) ? `，内部时限为${d(p.slaDueAt)}` : ''}`,
          p.owner && `，首问责任人：${p.owner}`,
          '，请督办。',
        ],
        '',
      ),
    en: (p, _d, d) =>
      join(
        [
          `[Red warning] Case ${p.caseNo}`,
          p.category && `(${p.category})`,
          `is overdue${d(p.slaDueAt) ? ` (internal deadline ${d(p.slaDueAt)})` : ''}`,
          p.owner && `; first responder: ${p.owner}`,
        ],
        ' ',
      ).replace(' ;', ';') + '. Please supervise.',
  },
  escalated: {
    audience: 'staff',
    zh: (p) =>
      join([`案件 ${p.caseNo}`, p.category && `（${p.category}）`, '已报街道信访办，请认领并组建一案一专班。'], ''),
    en: (p) =>
      join(
        [
          `Case ${p.caseNo}`,
          p.category && `(${p.category})`,
          'was reported to the street office: please claim it and set up a case team.',
        ],
        ' ',
      ),
  },
  'team-opinion': {
    audience: 'staff',
    zh: (p) => `街道一案一专班已对案件 ${p.caseNo} 提出处理意见，请查看并做好反馈。`,
    en: (p) =>
      `The street office case team gave its handling opinion on case ${p.caseNo}: please read it and prepare the feedback.`,
  },
  closed: {
    audience: 'staff',
    zh: (p) => `案件 ${p.caseNo} 已办结销号。`,
    en: (p) => `Case ${p.caseNo} is closed.`,
  },
  'early-warning': {
    audience: 'staff',
    zh: (p) =>
      join(
        [
          `【智能预警】${p.compound ?? '同一小区'}近一个月`,
          p.category ? `“${p.category}”类投诉` : '同类投诉',
          `达 ${p.caseCount ?? 1} 件（${p.caseNo}），请牵头物业、社区、维保单位三方联动处置。`,
        ],
        '',
      ),
    en: (p) =>
      `[Early warning] ${p.caseCount ?? 1} ${p.category ? `"${p.category}" ` : ''}complaints within a month in ${p.compound ?? 'one compound'} (${p.caseNo}): please lead the joint handling by the property company, the community and the maintenance unit.`,
  },
  'joint-handling-result': {
    audience: 'petitioner',
    zh: (p) =>
      join(
        [
          `您反映的`,
          p.category && `“${p.category}”`,
          `问题（编号 ${p.caseNo}）已由物业、社区、维保单位联合处置完毕，感谢您的反映。`,
        ],
        '',
      ),
    en: (p) =>
      `The ${p.category ? `"${p.category}" ` : ''}problem you reported (case ${p.caseNo}) has been dealt with jointly by the property company, the community and the maintenance unit. Thank you for reporting it.`,
  },
  ...REVIEW_TEMPLATES,
  // Sent by the notice watcher (api/notice-watcher.ts) to every member of the task's candidate group.
  'task-queued': {
    audience: 'staff',
    zh: (p) =>
      join(
        [
          `待认领：「${p.taskName ?? ''}」已进入${p.queue ?? ''}的待认领队列`,
          p.caseNo && `（编号 ${p.caseNo}）`,
          '，请及时认领办理。',
        ],
        '',
      ),
    en: (p) =>
      `To claim: "${p.taskName ?? ''}" is in the ${p.queueEn ?? p.queue ?? ''} queue${p.caseNo ? ` (case ${p.caseNo})` : ''}; please claim it.`,
  },
  // Sent by the notice watcher to every admin.
  incident: {
    audience: 'staff',
    zh: (p) =>
      join(
        [
          `流程事故：${p.process ?? ''}在「${p.element ?? ''}」停止`,
          p.caseNo && `（编号 ${p.caseNo}）`,
          `：${p.error ?? ''}。请在运维页面处理后重试。`,
        ],
        '',
      ),
    en: (p) =>
      `Incident: ${p.process ?? ''} stopped at "${p.element ?? ''}"${p.caseNo ? ` (case ${p.caseNo})` : ''}: ${p.error ?? ''}. Fix it and retry it in Operations.`,
  },
};

export function isNotificationTemplate(value: string): value is NotificationTemplate {
  return Object.hasOwn(TEMPLATES, value);
}

/** Renders a template's text; dates are shown in `timeZone` (the business time zone). */
export function renderNotification(
  template: NotificationTemplate,
  params: NotificationParams,
  locale: Locale,
  timeZone: string,
): string {
  const formatter = (withTime: boolean) =>
    new Intl.DateTimeFormat(locale === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone,
      year: 'numeric',
      month: locale === 'zh' ? 'long' : 'short',
      day: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
    });
  const formatted = (withTime: boolean): DateFormat => {
    const format = formatter(withTime);
    return (iso) => {
      const at = iso ? new Date(iso) : undefined;
      return at && !Number.isNaN(at.getTime()) ? format.format(at) : undefined;
    };
  };
  return TEMPLATES[template][locale](params, formatted(false), formatted(true));
}

/** The prefix of the inbox note a first responder gets when a petitioner cannot be reached by SMS. */
export function noPhoneNote(petitionerText: string, locale: Locale): string {
  return locale === 'zh'
    ? `信访人未登记手机号，短信无法送达，请电话或上门告知：${petitionerText}`
    : `The petitioner has no phone number on record, so no SMS was sent; please tell them by phone or in person: ${petitionerText}`;
}

/** The placeholders an admin's text may use, each replaced by what the built-in text would show. */
export const PLACEHOLDERS = [
  'caseNo',
  'caseCount',
  'category',
  'compound',
  'owner',
  'legalReplyDueAt',
  'legalDueAt',
  'slaDueAt',
  'slaRedAt',
  'ratingUrl',
  'ratingLinkExpiresAt',
  'reviewDueAt',
  'reason',
  'authority',
  'extensionDays',
] as const;
/** Placeholders an admin's text must keep, by template: a rating notice without its link would be no use. */
export const REQUIRED_PLACEHOLDERS: Partial<Record<NotificationTemplate, readonly (typeof PLACEHOLDERS)[number][]>> = {
  'rating-link': ['ratingUrl'],
};
const DATE_PLACEHOLDERS = new Set(['legalReplyDueAt', 'legalDueAt', 'reviewDueAt']);

/** Renders an admin's text ("案件 {caseNo} 已于 {slaDueAt} 到期"): dates in the business time zone, unknown names left as typed. */
export function renderOverride(text: string, params: NotificationParams, timeZone: string): string {
  const format = (withTime: boolean) =>
    new Intl.DateTimeFormat('zh-CN', {
      timeZone,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
    });
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) return whole;
    const value = params[name as keyof NotificationParams];
    if (value === undefined || value === null) return '';
    if (name.endsWith('At')) {
      const at = new Date(String(value));
      return Number.isNaN(at.getTime()) ? '' : format(!DATE_PLACEHOLDERS.has(name)).format(at);
    }
    return String(value);
  });
}
