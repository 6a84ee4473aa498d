/**
 * The law's procedures staff start from the case page (信访工作条例): the petitioner's withdrawal, the unit's return
 * of a wrongly assigned case within 5 working days (Art 23), and an extension of the legal limit (Art 34). The API
 * says which apply now and to whom (api/procedures.ts, `procedureActions`); each asks its reasons in a Carbon modal.
 * A refusal is shown as the API words it; after a request is taken, the page waits for the case's process to record it
 * and then shows the case again.
 */
import { askReason, askReasonAndNumber } from '../lib/carbon';
import { call } from '../lib/api';
import { el, showError } from '../lib/shell';
import { t, when } from '../lib/i18n';

export interface ProcedureActions {
  withdraw: boolean;
  returnUntil: string | null;
  extension: boolean;
  extensionState: 'none' | 'pending' | 'granted';
  maxExtensionDays: number;
}

interface CaseNow {
  status: string;
  timeline: Array<{ kind: string }>;
}

/** How long the page waits for the case's process to record a procedure before it shows the case anyway. */
const SETTLE_MS = 10_000;

const count = (c: CaseNow, kind: string) => c.timeline.filter((e) => e.kind === kind).length;

/** Waits until the case's timeline has one more entry of `kind` than before; false when it did not in time. */
async function settled(caseId: string, kind: string, before: number): Promise<boolean> {
  const until = Date.now() + SETTLE_MS;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const c = await call<CaseNow>('GET', `/cases/${encodeURIComponent(caseId)}`);
    if (count(c, kind) > before) return true;
  }
  return false;
}

interface Procedure {
  /** The button's label and test id. */
  label: string;
  testid: string;
  danger?: boolean;
  /** Asks for what the request needs; null when the reader steps back. */
  ask: () => Promise<Record<string, unknown> | null>;
  path: string;
  /** The timeline entry the case's process writes once it took the request, and what the reader is told then. */
  recorded: string;
  done: string;
}

function procedures(a: ProcedureActions, legalDueAt: string | null): Procedure[] {
  const list: Procedure[] = [];
  if (a.returnUntil) {
    const until = when(a.returnUntil);
    list.push({
      label: t('procReturn'),
      testid: 'procedure-return',
      path: 'return',
      recorded: 'returned',
      done: t('procReturned'),
      ask: async () => {
        const reasons = await askReason({
          heading: t('procReturn'),
          text: t('procReturnText').replace('{until}', until),
          label: t('procReturnReasons'),
          confirm: t('procReturnConfirm'),
          testid: 'return-form',
        });
        return reasons ? { reasons } : null;
      },
    });
  }
  if (a.extension)
    list.push({
      label: t('procExtension'),
      testid: 'procedure-extension',
      path: 'extension',
      recorded: 'extension-requested',
      done: t('procExtensionAsked'),
      ask: async () => {
        const answer = await askReasonAndNumber({
          heading: t('procExtension'),
          text: t('procExtensionText').replace('{due}', when(legalDueAt)),
          label: t('procExtensionReasons'),
          confirm: t('procExtensionConfirm'),
          testid: 'extension-form',
          number: {
            label: t('procExtensionDays'),
            min: 1,
            max: a.maxExtensionDays,
            helper: t('procExtensionMax').replace('{max}', String(a.maxExtensionDays)),
          },
        });
        return answer ? { days: answer.number, reasons: answer.reason } : null;
      },
    });
  if (a.withdraw)
    list.push({
      label: t('procWithdraw'),
      testid: 'procedure-withdraw',
      danger: true,
      path: 'withdraw',
      recorded: 'withdrawn',
      done: t('procWithdrawn'),
      ask: async () => {
        const reason = await askReason({
          heading: t('procWithdraw'),
          text: t('procWithdrawText'),
          label: t('procWithdrawReason'),
          confirm: t('procWithdrawConfirm'),
          danger: true,
          testid: 'withdraw-form',
        });
        return reason ? { reason } : null;
      },
    });
  return list;
}

/**
 * The card of the procedures that apply now (none: no card, unless an extension awaits the leader). `shown` shows the
 * case again with a message once the process recorded the request.
 */
export function procedureCard(
  caseId: string,
  c: CaseNow & { procedureActions?: ProcedureActions; clocks: { legal: { dueAt: string | null } } },
  shown: (message: string) => Promise<void>,
): HTMLElement | null {
  const a = c.procedureActions;
  if (!a) return null;
  const list = procedures(a, c.clocks.legal.dueAt);
  if (list.length === 0 && a.extensionState !== 'pending') return null;
  const card = el(
    'section',
    { class: 'card no-print', 'data-testid': 'procedure-actions' },
    el('h2', {}, t('procActions')),
  );
  if (a.returnUntil)
    card.append(el('p', { 'data-testid': 'return-until' }, `${t('procReturnUntil')}：${when(a.returnUntil)}`));
  if (a.extensionState === 'pending')
    card.append(el('p', { 'data-testid': 'extension-pending' }, t('procExtensionPending')));
  const buttons = list.map((p) =>
    el(
      'button',
      { type: 'button', 'data-testid': p.testid, ...(p.danger ? { class: 'primary danger' } : {}) },
      p.label,
    ),
  );
  list.forEach((p, i) =>
    buttons[i].addEventListener('click', () => {
      void start(p);
    }),
  );
  if (buttons.length) card.append(el('p', { class: 'actions' }, ...buttons));

  async function start(p: Procedure): Promise<void> {
    const body = await p.ask();
    if (!body) return;
    for (const b of buttons) b.disabled = true;
    try {
      await call('POST', `/cases/${encodeURIComponent(caseId)}/${p.path}`, body);
      const recorded = await settled(caseId, p.recorded, count(c, p.recorded));
      await shown(recorded ? p.done : t('procStillRecording'));
    } catch (error) {
      for (const b of buttons) b.disabled = false;
      showError(card, error);
    }
  }
  return card;
}
