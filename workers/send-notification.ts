/**
 * send-notification: tells someone about a case, as the task's `template` and `recipient` headers say.
 * - petitioner: an SMS to the resident's phone (decrypted only to send it), through the configured provider;
 *   a petitioner without a phone number gets no SMS: the case's first responder gets an inbox note with the text to
 *   pass on by phone or visit, and the job completes (`channel: 'inbox'`), because waiting would not give the
 *   resident a phone.
 * - first-responder: an inbox message to the case's first responder; leader / street-office: one to every active
 *   user with that role (none → the job fails: a warning nobody receives must show as an incident).
 * The case comes from `caseId`, or `caseIds` for an early warning (the leader gets one notice listing the cases,
 * each petitioner their own SMS).
 *
 * Every notice is a `notification` row written before anything is sent, unique per job and recipient. A retried
 * job finds its rows: a 'sent' one is not sent again (so a crash after sending, before completing, sends nothing
 * twice); an 'outbox' or 'failed' one is sent again with the same idempotency key, which a gateway that honours it
 * uses to drop a duplicate from a crash between sending and recording. A provider's refusal is recorded
 * ('failed', with its message) and fails the job with that message.
 */
import { JOB_TYPES, NOTIFICATION_TEMPLATES, RECIPIENTS } from '../bpmn/job-types';
import { maskPhone } from '../platform/pii';
import { screenPublicText } from '../domain/public-text';
import type { JobInput, JobWorker, WorkerDeps } from './job';
import {
  sqlNotificationStore,
  type CaseForNotice,
  type Channel,
  type NewNotice,
  type NotificationStore,
  type Recipient,
} from '../domain/notifications';
import {
  TEMPLATES,
  isNotificationTemplate,
  noPhoneNote,
  renderNotification,
  renderOverride,
  type NotificationParams,
  type NotificationTemplate,
} from '../domain/notification-templates';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sendNotification: JobWorker = {
  type: JOB_TYPES.sendNotification,
  handle: (job, deps) => notify(job, deps, sqlNotificationStore(deps.db)),
};

/** The worker's story, over any store (the unit tests use one in memory). */
export async function notify(
  job: JobInput,
  deps: WorkerDeps,
  store: NotificationStore,
): Promise<Record<string, unknown>> {
  const { template, recipient } = readHeaders(job.headers);
  const caseIds = await readCaseIds(job.variables, store);
  const cases = await store.loadCases(caseIds);
  const missing = caseIds.filter((id) => !cases.some((c) => c.id === id));
  if (missing.length > 0)
    throw new Error(
      `Case ${missing.join(', ')} does not exist: the process refers to a case that is not in the database`,
    );

  const channels =
    recipient === 'petitioner'
      ? await notifyPetitioners(job, deps, store, template, cases)
      : await notifyStaff(job, deps, store, template, recipient, cases);
  const channel = channels.every((c) => c === 'sms') ? 'sms' : channels.every((c) => c === 'inbox') ? 'inbox' : 'mixed';
  return { lastNotification: { template, recipient, channel } };
}

function readHeaders(headers: Record<string, string>): { template: NotificationTemplate; recipient: Recipient } {
  const template = headers.template ?? '';
  const recipient = headers.recipient ?? '';
  if (!isNotificationTemplate(template)) {
    throw new Error(
      `The task header "template" is "${template}"; allowed: ${Object.values(NOTIFICATION_TEMPLATES).join(', ')}`,
    );
  }
  if (!(Object.values(RECIPIENTS) as string[]).includes(recipient)) {
    throw new Error(`The task header "recipient" is "${recipient}"; allowed: ${Object.values(RECIPIENTS).join(', ')}`);
  }
  const audience = TEMPLATES[template].audience;
  if ((recipient === 'petitioner') !== (audience === 'petitioner')) {
    throw new Error(
      `The template "${template}" is written for ${audience === 'petitioner' ? 'the petitioner' : 'staff'}, not for recipient "${recipient}"`,
    );
  }
  return { template, recipient: recipient as Recipient };
}

async function readCaseIds(variables: Record<string, unknown>, store: NotificationStore): Promise<string[]> {
  const { caseId, caseIds, alertId } = variables;
  // An early warning's cases are the alert's, as they stand now, when the process carries the alert.
  if (typeof alertId === 'string' && UUID.test(alertId)) {
    const ids = await store.alertCaseIds(alertId);
    if (ids.length > 0) return ids;
  }
  const ids = typeof caseId === 'string' ? [caseId] : Array.isArray(caseIds) ? caseIds : undefined;
  if (!ids || ids.length === 0) {
    throw new Error(
      `The job needs the process variable "caseId" (or "caseIds" for an early warning), but it is ${caseId === undefined ? 'missing' : JSON.stringify(caseId)}`,
    );
  }
  const bad = ids.filter((id) => typeof id !== 'string' || !UUID.test(id));
  if (bad.length > 0) throw new Error(`Case ids must be UUIDs, got ${JSON.stringify(bad)}`);
  return [...new Set(ids as string[])];
}

/** Dates the process computed (compute-deadlines); each template uses the ones it names. */
function dateParams(variables: Record<string, unknown>): Partial<NotificationParams> {
  const out: Partial<NotificationParams> = {};
  for (const name of ['legalReplyDueAt', 'legalDueAt', 'slaDueAt', 'slaRedAt', 'reviewDueAt'] as const) {
    if (typeof variables[name] === 'string') out[name] = variables[name];
  }
  // A review's kind and outcome (petition-review): the `review-*` templates say which and how it ended.
  if (variables.kind === 'review' || variables.kind === 're-review') out.reviewKind = variables.kind;
  if (variables.reviewOutcome === 'upheld' || variables.reviewOutcome === 'revised')
    out.reviewOutcome = variables.reviewOutcome;
  return out;
}

/** What the law's written notices say besides dates: the reason staff gave, the authority, the days extended. */
function procedureParams(template: NotificationTemplate, v: Record<string, unknown>): Partial<NotificationParams> {
  const str = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  switch (template) {
    case 'not-accepted':
      return { reason: str(v.acceptanceReason) };
    case 'passed-on':
      return { reason: str(v.acceptanceReason), authority: str(v.passedOnTo) };
    case 'extension-granted':
      return {
        reason: str(v.extensionReasons),
        extensionDays: typeof v.extensionDays === 'number' ? v.extensionDays : undefined,
      };
    default:
      return {};
  }
}

function caseParams(job: JobInput, c: CaseForNotice): NotificationParams {
  return {
    ...dateParams(job.variables),
    caseNo: c.caseNo,
    category: c.category,
    compound: c.compound ?? undefined,
    owner: c.ownerName,
  };
}

async function notifyPetitioners(
  job: JobInput,
  deps: WorkerDeps,
  store: NotificationStore,
  template: NotificationTemplate,
  cases: CaseForNotice[],
): Promise<Channel[]> {
  const channels: Channel[] = [];
  const failures: Error[] = [];
  for (const c of cases) {
    // The owner's name is for staff notices; a petitioner's text carries none.
    const params = { ...caseParams(job, c), ...procedureParams(template, job.variables), owner: undefined };
    // A petitioner's text leaves for the public: typed parts (the category, an admin's wording) are screened for
    // phone and ID numbers and the case's people's names, as on the notice board and the rating page.
    const text = screenPublicText(await textOf(store, template, params, deps.timeZone), c.people ?? []);
    const base = {
      jobKey: job.jobKey,
      recipientKey: `petitioner:${c.id}`,
      caseId: c.id,
      template,
      recipientRole: 'petitioner' as const,
      params,
    };
    if (!c.phoneEnc) {
      await store.claim({
        ...base,
        recipientUserId: c.firstResponderId,
        channel: 'inbox',
        phoneMasked: null,
        text: noPhoneNote(text, 'zh'),
        status: 'sent',
        provider: null,
        at: deps.now(),
      });
      channels.push('inbox');
      continue;
    }
    channels.push('sms');
    const failure = await textPetitioner(deps, store, base, deps.pii.decrypt(Buffer.from(c.phoneEnc)), {
      stored: text,
      sent: text,
    });
    if (failure) {
      deps.log.warn(
        { jobKey: job.jobKey, caseId: c.id, provider: deps.sms.name, err: failure.message },
        'SMS not sent',
      );
      failures.push(failure);
    }
  }
  // The others went out (and will not go again); the job fails so the refused ones are retried.
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new Error(`${failures.length} of ${cases.length} SMS were not sent; the first: ${failures[0].message}`);
  return channels;
}

/**
 * A text to a petitioner's phone, once per job and recipient: its row is written before sending (a retried job finds
 * it, and a row already sent is not sent again), then it is sent; the outbox provider delivers nothing and leaves it in
 * the outbox for staff to pass on. `stored` is the text the row keeps, `sent` what goes out (they differ where a secret,
 * the rating link's token, must not be stored). A refusal marks the row failed and is returned: the caller decides
 * whether its job fails at once.
 */
export async function textPetitioner(
  deps: WorkerDeps,
  store: NotificationStore,
  notice: Pick<NewNotice, 'jobKey' | 'recipientKey' | 'caseId' | 'template' | 'recipientRole' | 'params'>,
  phone: string,
  text: { stored: string; sent: string },
): Promise<Error | undefined> {
  const row = await store.claim({
    ...notice,
    recipientUserId: null,
    channel: 'sms',
    phoneMasked: maskPhone(phone),
    text: text.stored,
    status: 'outbox',
    provider: deps.sms.name,
    at: deps.now(),
  });
  if (row.status === 'sent') return undefined;
  let providerMessageId: string | undefined;
  try {
    ({ providerMessageId } = await deps.sms.send({
      to: phone,
      text: text.sent,
      idempotencyKey: `${notice.jobKey}:${notice.recipientKey}`,
    }));
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    await store.markFailed(row.id, { provider: deps.sms.name, error: failure.message });
    return failure;
  }
  await store.markSent(row.id, {
    status: deps.sms.name === 'outbox' ? 'outbox' : 'sent',
    provider: deps.sms.name,
    providerMessageId,
    at: deps.now(),
  });
  return undefined;
}

async function notifyStaff(
  job: JobInput,
  deps: WorkerDeps,
  store: NotificationStore,
  template: NotificationTemplate,
  recipient: Exclude<Recipient, 'petitioner'>,
  cases: CaseForNotice[],
): Promise<Channel[]> {
  const inbox = async (userId: string, recipientKey: string, caseId: string | null, params: NotificationParams) =>
    store.claim({
      jobKey: job.jobKey,
      recipientKey,
      caseId,
      template,
      recipientRole: recipient,
      recipientUserId: userId,
      channel: 'inbox',
      phoneMasked: null,
      text: await textOf(store, template, params, deps.timeZone),
      params,
      status: 'sent',
      provider: null,
      at: deps.now(),
    });

  if (recipient === 'first-responder') {
    for (const c of cases)
      await inbox(c.firstResponderId, `user:${c.firstResponderId}:${c.id}`, c.id, caseParams(job, c));
    return cases.map(() => 'inbox');
  }
  const users = await store.activeUsersWithRole(recipient);
  if (users.length === 0)
    throw new Error(`No active user has the role "${recipient}": give someone the role, then retry`);
  const params: NotificationParams =
    cases.length === 1
      ? caseParams(job, cases[0])
      : {
          caseNo: cases.map((c) => c.caseNo).join('、'),
          caseCount: cases.length,
          category: typeof job.variables.category === 'string' ? job.variables.category : cases[0].category,
          compound: cases[0].compound ?? undefined,
        };
  for (const userId of users) await inbox(userId, `user:${userId}`, cases.length === 1 ? cases[0].id : null, params);
  return users.map(() => 'inbox');
}

/** The Chinese text of a notice: an admin's replacement when there is one, else the built-in template. */
async function textOf(
  store: NotificationStore,
  template: NotificationTemplate,
  params: NotificationParams,
  timeZone: string,
): Promise<string> {
  const override = await store.templateOverride(template);
  return override ? renderOverride(override, params, timeZone) : renderNotification(template, params, 'zh', timeZone);
}
