/**
 * Intake (the signed-in staff member becomes the first responder) and the possible duplicates shown before filing.
 *
 * Intake never half-happens: the case is committed first, then its `petition-handling` instance is started. A start
 * is claimed on the case row (so the request and the background starter never both start it) and looks for an
 * instance already carrying the case id (so a start whose answer was lost is not repeated). While the engine is
 * unreachable the case waits, marked as not started, and the starter retries until it is.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { maskIdNumber, maskPhone } from '../platform/pii';
import { type ApiDeps } from './deps';
import type { Queryable } from '../platform/db';
import { startProcessOnce } from '../platform/engine-client';
import { keyPersonsAwaitingCare, screenKeyPerson, startCare } from '../domain/key-persons';
import { compoundExists } from '../domain/grids';
import { insertResident, nameResident, residentByNumbers } from '../domain/residents';
import { userIdByUsername } from '../domain/users';
import { localDay } from '../domain/calendar';
import { resolveCategory } from '../domain/categories';
import { categoryFor } from './categories';
import { PROCESS_IDS } from '../bpmn/job-types';
import {
  finalCasesOfPerson,
  isFinalCase,
  linkFinalRepeat,
  recordFinalLink,
  casesAwaitingProcess,
  claimProcessStart,
  insertCase,
  isOpenToLink,
  linkedCaseSummary,
  nextCaseNo,
  openCasesOfPerson,
  processStartFailed,
  processStarted,
  recordRegistered,
} from '../domain/cases';

/** What the key-person rule needs, over the API's engine client. */
export const keyPersonDeps = (deps: ApiDeps) => ({
  db: deps.db,
  log: deps.log,
  startProcessOnce: (processId: string, variables: Record<string, unknown>, once: { name: string; value: string }) =>
    startProcessOnce(deps.engine(), processId, variables, once),
});

export const CHANNELS = ['walk-in', 'phone', 'hotline-12345', 'wechat', 'grid-report'] as const;
/** A claim older than this is taken to belong to a process that died while starting. */
const CLAIM_SECONDS = 60;

export const Phone = z.string().regex(/^1\d{10}$/, { message: '手机号应为 11 位数字 / a phone number has 11 digits' });
/** A petitioner's name, which may be left out (an empty one is none): shown as 未留姓名. */
export const PetitionerName = z
  .string()
  .trim()
  .max(50)
  .optional()
  .transform((name) => name || undefined);
const IdNumber = z.string().regex(/^\d{17}[\dXx]$/, { message: '身份证号应为 18 位 / an ID number has 18 characters' });

export const Intake = z
  .object({
    channel: z.enum(CHANNELS),
    category: z.string().trim().min(1).max(50),
    description: z.string().trim().min(1).max(5000),
    compoundId: z.uuid().optional(),
    // A phone or ID number without a name is kept (the resident has no name, shown as 未留姓名): the petitioner still
    // gets the SMS replies the law asks for and the rating link, and the duplicate and repeat checks still see them.
    petitioner: z
      .object({
        name: PetitionerName,
        phone: Phone.optional(),
        idNumber: IdNumber.optional(),
        consentPublishName: z.boolean().default(false),
      })
      .strict()
      .refine((p) => p.name || p.phone || p.idNumber, {
        message:
          '请填写信访人的姓名、手机号或身份证号中的至少一项；匿名信访请不填信访人 / give the petitioner’s name, phone or ID number (leave the petitioner out for an anonymous petition)',
        path: ['name'],
      })
      .optional(),
    /** Filing a repeat with no new facts: the new petition is linked to this open case and follows its progress. */
    duplicateOf: z.uuid().optional(),
    /** The petition reports or accuses someone (Art 30): the material is never shown to them. */
    accusation: z.boolean().default(false),
    /** The staff member accused, when it is one of ours: they can neither see nor handle the case. */
    accusedUsername: z.string().min(1).max(64).optional(),
  })
  .strict();

/** In a POST body, not the query string: addresses end up in logs, proxies and browser history. */
export const DuplicateLookup = z
  .object({ phone: Phone.optional(), idNumber: IdNumber.optional(), category: z.string().max(50).optional() })
  .strict();

export async function possibleDuplicates(deps: ApiDeps, lookup: z.infer<typeof DuplicateLookup>, readerId: string) {
  if (!lookup.phone && !lookup.idNumber) {
    throw problems.badRequest({
      zh: '请提供手机号或身份证号以查找重复信访。',
      en: 'Give a phone or ID number to look for duplicates.',
    });
  }
  const person = {
    phoneHash: lookup.phone ? deps.pii.lookupHash(lookup.phone) : null,
    idNumberHash: lookup.idNumber ? deps.pii.lookupHash(lookup.idNumber.toUpperCase()) : null,
    categoryCode: lookup.category ? ((await resolveCategory(deps.db, lookup.category))?.code ?? '') : '',
    readerId,
  };
  // Final cases too (re-review answered, Art 36): a new petition on the same request is linked to one as final.
  return [...(await openCasesOfPerson(deps.db, person)), ...(await finalCasesOfPerson(deps.db, person))];
}

export async function fileCase(deps: ApiDeps, userId: string, username: string, input: z.infer<typeof Intake>) {
  const saved = await deps.db.transaction(async (tx) => {
    const accusedId = await checkReferences(tx, userId, input);
    const category = await categoryFor(tx, input.category);
    const residentId = await residentOf(tx, deps, input);
    const year = localDay(deps.now(), deps.timeZone).slice(0, 4);
    const caseNo = await nextCaseNo(tx, year);
    const row = await insertCase(tx, {
      caseNo,
      channel: input.channel,
      category: category.nameZh,
      categoryCode: category.code,
      description: input.description,
      residentId,
      compoundId: input.compoundId ?? null,
      firstResponderId: userId,
      duplicateOf: input.duplicateOf ?? null,
      receivedAt: deps.now().toISOString(),
      accusation: input.accusation || accusedId !== null,
      accusedUserId: accusedId,
    });
    await recordRegistered(
      tx,
      row.id,
      { channel: input.channel, duplicateOf: input.duplicateOf ?? null },
      username,
      row.received_at,
    );
    const final = input.duplicateOf
      ? await linkIfFinal(tx, { id: row.id, caseNo }, input.duplicateOf, username, deps.now().toISOString())
      : false;
    return { id: row.id, caseNo, receivedAt: row.received_at, final };
  });
  if (input.duplicateOf) {
    // A linked repeat follows the open case's process and has none of its own; it still counts for the key-person
    // rule, and the petitioner is told where the open case stands.
    await screenKeyPerson(keyPersonDeps(deps), saved.id).catch((error: unknown) =>
      deps.log.warn({ caseId: saved.id, err: error }, 'key-person screening of a linked repeat waits for the engine'),
    );
    const open = await linkedCaseSummary(deps.db, input.duplicateOf);
    return {
      ...saved,
      processInstanceKey: null,
      processStarted: true,
      linkedTo: {
        id: input.duplicateOf,
        caseNo: open.case_no,
        status: open.status,
        firstResponder: open.first_responder,
        // A final case (re-review answered): the new petition is linked as final and not handled again (Art 36).
        final: saved.final,
      },
    };
  }
  const processInstanceKey = await startCaseProcess(deps, saved.id).catch((error: unknown) => {
    deps.log.warn({ caseId: saved.id, err: error }, 'the case is saved; its process starts when the engine answers');
    return null;
  });
  return { ...saved, processInstanceKey, processStarted: processInstanceKey !== null };
}

/**
 * Starts the case's `petition-handling` instance unless it runs already. Returns its key, or null when another
 * caller holds the start right now. Throws when the engine cannot be reached (the case stays marked not started).
 */
export async function startCaseProcess(deps: ApiDeps, caseId: string): Promise<string | null> {
  // The claim also marks the start attempted; `retry` says whether an earlier attempt was made (whose instance may
  // exist although its key was never recorded).
  const claimed = await claimProcessStart(deps.db, caseId, CLAIM_SECONDS);
  if (!claimed) return null;
  try {
    const key = await startProcessOnce(
      deps.engine(),
      PROCESS_IDS.petitionHandling,
      // receivedAt: the legal clocks (Art 22–23, 34) run from receipt, not from when the process could start (the
      // engine may have been away; compute-deadlines reads it for the acceptance phase).
      {
        caseNo: claimed.case_no,
        channel: claimed.channel,
        category: claimed.category,
        categoryCode: claimed.category_code,
        firstResponder: claimed.username,
        receivedAt: new Date(claimed.received_at).toISOString(),
      },
      { name: 'caseId', value: caseId },
      !claimed.retry,
    );
    await processStarted(deps.db, caseId, key);
    return key;
  } catch (error) {
    await processStartFailed(deps.db, caseId);
    throw error;
  }
}

/** Retries the starts intake could not make (engine away, app killed between saving and starting). */
export function startCaseStarter(deps: ApiDeps, intervalMs = 5000): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const waiting = await casesAwaitingProcess(deps.db);
      for (const { id } of waiting) {
        const key = await startCaseProcess(deps, id);
        if (key) deps.log.info({ caseId: id, processInstanceKey: key }, 'case process started by the starter');
      }
      // Key persons entered while the engine was away (a linked repeat, a manual entry) get their care now.
      const uncared = await keyPersonsAwaitingCare(deps.db);
      for (const { id } of uncared) await startCare(keyPersonDeps(deps), id);
    } catch (error) {
      deps.log.warn({ err: error }, 'cases wait for their process: the engine or the database does not answer');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * What an intake names must exist: the compound; the accused, a user who is not the one filing (Art 30: a petition
 * accusing you is filed by someone else); the open case a repeat is linked to. Answers the accused's id.
 */
async function checkReferences(tx: Queryable, userId: string, input: z.infer<typeof Intake>): Promise<string | null> {
  if (input.compoundId) {
    if (!(await compoundExists(tx, input.compoundId)))
      throw problems.badRequest({ zh: '小区不存在。', en: 'The compound does not exist.' }, { field: 'compoundId' });
  }
  let accusedId: string | null = null;
  if (input.accusedUsername) {
    const accused = await userIdByUsername(tx, input.accusedUsername);
    if (!accused)
      throw problems.badRequest(
        { zh: '被反映人不是本系统用户。', en: 'The accused is not a user of this system.' },
        { field: 'accusedUsername' },
      );
    if (accused.id === userId) {
      throw problems.badRequest(
        {
          zh: '被反映人不能受理反映自己的信访件，请由其他工作人员登记。',
          en: 'A petition accusing you must be filed by someone else.',
        },
        { field: 'accusedUsername' },
      );
    }
    accusedId = accused.id;
  }
  if (input.duplicateOf) {
    if (!(await isOpenToLink(tx, input.duplicateOf)) && !(await isFinalCase(tx, input.duplicateOf)))
      throw problems.badRequest(
        {
          zh: '要关联的信访件不存在或已办结（复核终局的信访件除外）。',
          en: 'The case to link to does not exist or is closed (unless it is final after a re-review).',
        },
        { field: 'duplicateOf' },
      );
  }
  return accusedId;
}

/**
 * A repeat of a final case (its re-review answered, Art 36) is linked to it as final and closed at once, not handled
 * again; both timelines say so. Answers whether it was.
 */
async function linkIfFinal(
  tx: Queryable,
  repeat: { id: string; caseNo: string },
  finalId: string,
  username: string,
  at: string,
): Promise<boolean> {
  if (!(await isFinalCase(tx, finalId))) return false;
  const final = await linkedCaseSummary(tx, finalId);
  await linkFinalRepeat(tx, repeat.id, finalId, at);
  await recordFinalLink(
    tx,
    { caseId: repeat.id, caseNo: repeat.caseNo, finalId, finalCaseNo: final.case_no },
    username,
    at,
  );
  return true;
}

/**
 * The petitioner as a resident: the one already known by ID or phone number (blind indexes; an ID number wins), who
 * gets the name given if they had none, or a new one with the numbers encrypted and masked. None for an anonymous
 * petition.
 */
async function residentOf(tx: Queryable, deps: ApiDeps, input: z.infer<typeof Intake>): Promise<string | null> {
  let residentId: string | null = null;
  const p = input.petitioner;
  if (p) {
    const phoneHash = p.phone ? deps.pii.lookupHash(p.phone) : null;
    const idHash = p.idNumber ? deps.pii.lookupHash(p.idNumber.toUpperCase()) : null;
    const known = await residentByNumbers(tx, idHash, phoneHash);
    if (known) {
      residentId = known.id;
      // A resident first known only by a number gets the name they give later.
      if (p.name) await nameResident(tx, known.id, p.name);
    } else {
      residentId = await insertResident(tx, {
        name: p.name ?? null,
        compoundId: input.compoundId ?? null,
        phoneEnc: p.phone ? deps.pii.encrypt(p.phone) : null,
        phoneHash,
        phoneMasked: p.phone ? maskPhone(p.phone) : null,
        idNumberEnc: p.idNumber ? deps.pii.encrypt(p.idNumber.toUpperCase()) : null,
        idNumberHash: idHash,
        idNumberMasked: p.idNumber ? maskIdNumber(p.idNumber) : null,
        consentPublishName: p.consentPublishName,
      });
    }
  }
  return residentId;
}
