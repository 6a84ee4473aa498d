/**
 * What the workers tell people, where staff read it: the inbox (overdue warnings, escalations, closures addressed
 * to a staff member), the SMS outbox (text messages to petitioners that no SMS provider sent — SMS_PROVIDER=outbox,
 * or a provider that failed — for the first responder to pass on by phone and mark as passed on), and a case's open
 * rating link (for a first responder whose petitioner has no SMS, or who is with the petitioner and lets them scan it).
 */
import { z } from 'zod';
import { language, problems } from '../platform/problem';
import { isNotificationTemplate, renderNotification } from '../domain/notification-templates';
import { LINK_CLOSED, withRatingUrl } from '../domain/rating-links';
import {
  inboxNotices,
  inboxUnreadCount,
  markPassedOn,
  openRatingLinkOfCase,
  outboxMessage,
  outboxNotices,
  recordRatingLinkShown,
  type NotificationRow,
} from '../domain/cases';
import { markInboxRead } from '../domain/notifications';
import { logPersonalDataAccess } from '../domain/residents';
import { reachableCase } from './case-access';
import { route, type Role, type RouteSpec } from './route';

const STAFF: Role[] = ['reception', 'cadre', 'secretary', 'grid-worker', 'street-office', 'leader', 'admin', 'member'];
const HANDLERS: Role[] = ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin'];
const IdParam = z.object({ id: z.string().uuid({ message: '编号格式不正确 / not a valid id' }) }).strict();

/** The stored text is Chinese; an English reader gets the template rendered in English from its parameters. */
function textFor(row: NotificationRow, lang: 'zh' | 'en', timeZone: string): string {
  if (lang === 'zh' || !isNotificationTemplate(row.template)) return row.text;
  return renderNotification(row.template, row.params, 'en', timeZone);
}

/** What every notice answers: its id and template, its text in the reader's language, its case and time. */
function notice(row: NotificationRow, lang: 'zh' | 'en', timeZone: string) {
  return {
    id: row.id,
    template: row.template,
    text: textFor(row, lang, timeZone),
    case: row.case_id ? { id: row.case_id, caseNo: row.case_no } : null,
    createdAt: row.created_at,
  };
}

export const inboxRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/inbox',
    tag: 'notifications',
    summary: 'My notifications (overdue warnings, escalations, closures), newest first, with the unread count',
    access: STAFF,
    query: z.object({ unread: z.enum(['true', 'false']).optional() }).strict(),
    async handle({ deps, user, query, req }) {
      const rows = await inboxNotices(deps.db, user.id, query.unread === 'true');
      const unread = await inboxUnreadCount(deps.db, user.id);
      const lang = language(req);
      return {
        unread,
        items: rows.map((r) => ({ ...notice(r, lang, deps.timeZone), readAt: r.read_at })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/inbox/:id/read',
    tag: 'notifications',
    summary: 'Mark one of my notifications read',
    access: STAFF,
    params: IdParam,
    async handle({ deps, user, params }) {
      const row = await markInboxRead(deps.db, params.id, user.id);
      if (!row) throw problems.notFound({ zh: '通知不存在。', en: 'No such notification.' });
      return { id: params.id, readAt: row.read_at };
    },
  }),
  route({
    method: 'get',
    path: '/outbox',
    tag: 'notifications',
    summary: 'Text messages to petitioners no SMS provider sent, for the first responder to pass on (admins: all)',
    access: HANDLERS,
    async handle({ deps, user, req }) {
      // A rating notice is stored without its token: the link is filled in here from the link itself, while it is open.
      const rows = await outboxNotices(deps.db, user.id, user.roles.includes('admin'), deps.now().toISOString());
      const lang = language(req);
      const withLink = (r: (typeof rows)[number]) => {
        if (r.template !== 'rating-link') return notice(r, lang, deps.timeZone);
        const url = r.link_token_enc
          ? `${deps.publicUrl.replace(/\/$/, '')}/rate/${deps.pii.decrypt(Buffer.from(r.link_token_enc))}`
          : null;
        const text =
          lang === 'zh'
            ? withRatingUrl(r.text, url)
            : renderNotification('rating-link', { ...r.params, ratingUrl: url ?? LINK_CLOSED.en }, 'en', deps.timeZone);
        return { ...notice(r, lang, deps.timeZone), text };
      };
      return {
        items: rows.map((r) => ({ ...withLink(r), phoneMasked: r.phone_masked, status: r.status, error: r.error })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/outbox/:id/passed-on',
    tag: 'notifications',
    summary: 'Record that a message in the outbox was passed on to the petitioner by hand',
    access: HANDLERS,
    params: IdParam,
    async handle({ deps, user, params }) {
      const row = await markPassedOn(deps.db, params.id, user.id, user.roles.includes('admin'));
      if (!row)
        throw problems.notFound({ zh: '待发短信不存在或已处理。', en: 'No such message waiting to be passed on.' });
      return { id: params.id, status: 'sent', sentAt: row.sent_at };
    },
  }),
  route({
    method: 'post',
    path: '/outbox/:id/reveal-phone',
    tag: 'notifications',
    summary:
      "The full phone number of one text waiting in the outbox, for the one who passes it on (its case's first responder; admins); logged in pii_access_log",
    access: HANDLERS,
    params: IdParam,
    async handle({ deps, user, params }) {
      // The same messages GET /outbox lists: SMS of a case, not yet passed on; a case accusing the reader does not exist for them.
      const row = await outboxMessage(deps.db, params.id);
      if (!row || row.accused_user_id === user.id)
        throw problems.notFound({ zh: '待发短信不存在或已处理。', en: 'No such message waiting to be passed on.' });
      if (row.first_responder_id !== user.id && !user.roles.includes('admin')) {
        throw problems.forbidden({
          zh: '只有本案首问责任人（或管理员）可以查看待转交短信的完整号码。',
          en: "Only the case's first responder (or an admin) may see the full number of a text to pass on.",
        });
      }
      if (!row.resident_id || !row.phone_enc || row.phone_enc.length === 0) {
        throw problems.notFound({ zh: '该短信没有可显示的号码。', en: 'This message has no number to show.' });
      }
      const phone = deps.pii.decrypt(Buffer.from(row.phone_enc));
      // Who saw which resident's number, and for which message; the number itself is never written anywhere.
      await logPersonalDataAccess(deps.db, {
        userId: user.id,
        residentId: row.resident_id,
        caseId: row.case_id,
        fields: ['phone'],
        purpose: `转交待发短信 / pass on text ${params.id}`,
      });
      return { id: params.id, phone };
    },
  }),
  route({
    method: 'get',
    path: '/cases/:id/rating-link',
    tag: 'cases',
    summary: "The case's open rating link (unused, not expired), for its first responder to give the petitioner",
    access: HANDLERS,
    params: IdParam,
    async handle({ deps, user, params }) {
      await reachableCase(deps, params.id, user);
      const row = await openRatingLinkOfCase(deps.db, params.id, deps.now().toISOString());
      if (row && row.first_responder_id !== user.id && !user.roles.includes('admin')) {
        throw problems.forbidden({
          zh: '只有本案首问责任人可以取用评价链接。',
          en: "Only the case's first responder may hand out its rating link.",
        });
      }
      if (!row)
        throw problems.notFound({ zh: '本案当前没有待用的评价链接。', en: 'The case has no open rating link now.' });
      const token = deps.pii.decrypt(Buffer.from(row.token_enc));
      await recordRatingLinkShown(deps.db, params.id, { round: row.round }, user.username, deps.now().toISOString());
      return { url: `${deps.publicUrl.replace(/\/$/, '')}/rate/${token}`, expiresAt: row.expires_at, round: row.round };
    },
  }),
];
