/**
 * Notices (通知) as they are kept: one `notification` row per job and recipient, written before anything is sent, and
 * what the notice workers read to write them (the cases, the people, the notice texts an admin replaced). The
 * sending itself is the workers' (send-notification, issue-rating-link).
 */
import type { Queryable } from '../platform/db';
import type { RECIPIENTS } from '../bpmn/job-types';
import type { NotificationParams, NotificationTemplate } from './notification-templates';
import { casePeopleNames } from './public-text';
import { casesOfAlert, noticeCases } from './cases';

export type Recipient = (typeof RECIPIENTS)[keyof typeof RECIPIENTS];
export type NoticeStatus = 'outbox' | 'sent' | 'failed';
export type Channel = 'sms' | 'inbox';

/** A case as notices see it; the phone stays encrypted until an SMS is sent. */
export interface CaseForNotice {
  id: string;
  caseNo: string;
  category: string;
  compound: string | null;
  firstResponderId: string;
  ownerName: string;
  phoneEnc: Buffer | null;
  /** Names the case records of people (petitioner, accused, service team): screened out of petitioners' texts. */
  people?: string[];
}

export interface NewNotice {
  jobKey: string;
  /** Unique within the job: 'petitioner:<case>', 'user:<user>' or 'user:<user>:<case>'. */
  recipientKey: string;
  caseId: string | null;
  template: NotificationTemplate;
  recipientRole: Recipient;
  recipientUserId: string | null;
  channel: Channel;
  phoneMasked: string | null;
  text: string;
  params: NotificationParams;
  status: NoticeStatus;
  provider: string | null;
  at: Date;
}

export interface NotificationStore {
  /** The cases, in the order asked; a missing id is not returned. */
  loadCases(caseIds: string[]): Promise<CaseForNotice[]>;
  /** The cases an early-warning alert holds now (complaints may join it after its process started). */
  alertCaseIds(alertId: string): Promise<string[]>;
  /** An admin's Chinese text for the template, when they replaced the built-in one. */
  templateOverride(template: string): Promise<string | null>;
  activeUsersWithRole(role: string): Promise<string[]>;
  /** Writes the notice unless this job already wrote it for this recipient; either way returns the stored row. */
  claim(notice: NewNotice): Promise<{ id: string; status: NoticeStatus }>;
  markSent(
    id: string,
    result: { status: 'sent' | 'outbox'; provider: string; providerMessageId?: string; at: Date },
  ): Promise<void>;
  markFailed(id: string, result: { provider: string; error: string }): Promise<void>;
}

/** The cases, in the order asked, with the names they record of people; a missing id is not returned. */
async function casesForNotice(db: Queryable, caseIds: string[]): Promise<CaseForNotice[]> {
  const rows = await noticeCases(db, caseIds);
  const people = await casePeopleNames(db, caseIds);
  return caseIds.flatMap((id) => {
    const r = rows.find((row) => row.id === id);
    return r
      ? [
          {
            id: r.id,
            caseNo: r.case_no,
            category: r.category,
            compound: r.compound,
            firstResponderId: r.first_responder_id,
            ownerName: r.owner_name,
            phoneEnc: r.phone_enc && r.phone_enc.length > 0 ? Buffer.from(r.phone_enc) : null,
            people: people.get(r.id) ?? [],
          },
        ]
      : [];
  });
}

/** Writes the notice unless the job already wrote it for this recipient; either way returns the stored row. */
async function claimNotice(db: Queryable, n: NewNotice): Promise<{ id: string; status: NoticeStatus }> {
  const [inserted] = await db.query<{ id: string; status: NoticeStatus }>(
    `INSERT INTO notification (job_key, recipient_key, case_id, template, recipient_role, recipient_user_id, channel,
         phone_masked, text, params, status, provider, created_at, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11, $12, $13, $14)
       ON CONFLICT (job_key, recipient_key) DO NOTHING
       RETURNING id, status`,
    [
      n.jobKey,
      n.recipientKey,
      n.caseId,
      n.template,
      n.recipientRole,
      n.recipientUserId,
      n.channel,
      n.phoneMasked,
      n.text,
      JSON.stringify(n.params),
      n.status,
      n.provider,
      n.at,
      n.status === 'sent' ? n.at : null,
    ],
  );
  if (inserted) return inserted;
  const [existing] = await db.query<{ id: string; status: NoticeStatus }>(
    'SELECT id, status FROM notification WHERE job_key = $1 AND recipient_key = $2',
    [n.jobKey, n.recipientKey],
  );
  return existing;
}

/** The store over the database. */
export function sqlNotificationStore(db: Queryable): NotificationStore {
  return {
    loadCases: (caseIds) => casesForNotice(db, caseIds),
    async templateOverride(template) {
      const [row] = await db.query<{ zh: string }>(
        'SELECT zh FROM notification_template_override WHERE template = $1',
        [template],
      );
      return row?.zh ?? null;
    },
    alertCaseIds: (alertId) => casesOfAlert(db, alertId),
    async activeUsersWithRole(role) {
      const rows = await db.query<{ id: string }>(
        'SELECT u.id FROM app_user u JOIN user_role ur ON ur.user_id = u.id WHERE ur.role_id = $1 AND u.active ORDER BY u.username',
        [role],
      );
      return rows.map((r) => r.id);
    },
    claim: (n) => claimNotice(db, n),
    async markSent(id, r) {
      await db.query(
        `UPDATE notification SET status = $2, provider = $3, provider_message_id = $4, error = NULL,
           sent_at = CASE WHEN $2 = 'sent' THEN $5::timestamptz END
         WHERE id = $1`,
        [id, r.status, r.provider, r.providerMessageId ?? null, r.at],
      );
    },
    async markFailed(id, r) {
      await db.query(`UPDATE notification SET status = 'failed', provider = $2, error = $3 WHERE id = $1`, [
        id,
        r.provider,
        r.error.slice(0, 1000),
      ]);
    },
  };
}

/** A notice text an admin replaced: the template, its Chinese text, who replaced it last, when. */
export interface TemplateOverrideRow {
  template: string;
  zh: string;
  updated_by: string;
  updated_at: Date;
}

/** Every notice text an admin replaced. */
export async function templateOverrides(db: Queryable): Promise<TemplateOverrideRow[]> {
  return db.query<TemplateOverrideRow>(
    'SELECT template, zh, updated_by, updated_at FROM notification_template_override',
  );
}

/** A notice text replaced (again, when it was before) by the user `username`. */
export async function saveTemplateOverride(
  db: Queryable,
  template: string,
  zh: string,
  username: string,
): Promise<void> {
  await db.query(
    `INSERT INTO notification_template_override (template, zh, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (template) DO UPDATE SET zh = $2, updated_by = $3, updated_at = now()`,
    [template, zh, username],
  );
}

/** The template's built-in text back in force (the admin's replacement dropped). */
export async function dropTemplateOverride(db: Queryable, template: string): Promise<void> {
  await db.query('DELETE FROM notification_template_override WHERE template = $1', [template]);
}

/** The user's inbox notification marked read (kept as read when it was); answers when it was read, if it is theirs. */
export async function markInboxRead(
  db: Queryable,
  notificationId: string,
  userId: string,
): Promise<{ read_at: Date } | undefined> {
  const [row] = await db.query<{ read_at: Date }>(
    `UPDATE notification SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND channel = 'inbox' AND recipient_user_id = $2 RETURNING read_at`,
    [notificationId, userId],
  );
  return row;
}
