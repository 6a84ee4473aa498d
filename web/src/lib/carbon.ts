/**
 * The Carbon design system (what Camunda's Tasklist and Operate are made of) as the pages use it: the g10 theme's
 * tokens, the component every page needs (the inline notification), the modal (loaded when first asked for) and the
 * components' built-in English labels given in the page's language. Components only some pages use (tables,
 * pagination, the date picker, selects, inputs) are registered by lib/carbon-table.ts and by those pages, so the
 * sign-in page does not load them (Carbon's components each carry their own compiled styles).
 */
import '@carbon/web-components/es/components/notification/inline-notification.js';
import './carbon-theme.css';
import { t } from './i18n';

export type NoticeKind = 'error' | 'success' | 'warning' | 'info';

const STATUS_WORD = { error: 'cdsError', success: 'cdsSuccess', warning: 'cdsWarning', info: 'cdsWarning' } as const;

/** The parts of a Carbon component the pages set as properties (the components' own types are not re-exported). */
interface CarbonNotification extends HTMLElement {
  ariaLabel: string | null;
  statusIconDescription: string;
  hideCloseButton: boolean;
}
interface CarbonInput extends HTMLElement {
  value: string;
}
interface CarbonModal extends HTMLElement {
  open: boolean;
}

/**
 * A Carbon inline notification: an error is an alert (read out at once), any other kind a status. The text is in the
 * light DOM (slot "title"), so it is found, read and translated like the page's own text; `attrs` carries a test id.
 */
export function notice(
  kind: NoticeKind,
  content: Array<Node | string>,
  attrs: Record<string, string> = {},
): HTMLElement {
  const node = document.createElement('cds-inline-notification') as CarbonNotification;
  node.setAttribute('kind', kind);
  node.setAttribute('low-contrast', '');
  node.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  node.classList.add('notice', kind === 'error' ? 'error' : kind === 'success' ? 'ok' : kind);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  // set as properties: as attributes they would name the alert itself
  node.ariaLabel = t('cdsClose');
  node.statusIconDescription = t(STATUS_WORD[kind]);
  node.hideCloseButton = kind !== 'success';
  const title = document.createElement('span');
  title.slot = 'title';
  title.append(...content);
  node.append(title);
  return node;
}

/** A Carbon text input with a visible label (the page registers cds-text-input, or askReason does). */
export function textInput(label: string, attrs: Record<string, string> = {}): CarbonInput {
  const node = document.createElement('cds-text-input') as CarbonInput;
  node.setAttribute('label', label);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

interface AskOptions {
  heading: string;
  text: string;
  label: string;
  confirm: string;
  danger?: boolean;
  testid?: string;
}

/** A whole number asked for beside the reason (data-testid "number"), between min and max. */
export interface NumberField {
  label: string;
  min: number;
  max: number;
  helper?: string;
}

/**
 * Asks for a reason in a Carbon modal before something that cannot be undone; resolves to the reason given, or null
 * when the reader steps back. The confirm button stays disabled while the reason is empty.
 */
export async function askReason(options: AskOptions): Promise<string | null> {
  return (await ask(options))?.reason ?? null;
}

/** Asks for a reason and a whole number (days, say) in a Carbon modal; null when the reader steps back. */
export async function askReasonAndNumber(
  options: AskOptions & { number: NumberField },
): Promise<{ reason: string; number: number } | null> {
  const answer = await ask(options, options.number);
  return answer ? { reason: answer.reason, number: answer.number ?? options.number.min } : null;
}

/** A Carbon number input, with its stepper buttons named in the page's language. */
function numberInput(field: NumberField): CarbonInput {
  const node = document.createElement('cds-number-input') as CarbonInput;
  node.setAttribute('label', field.label);
  node.setAttribute('min', String(field.min));
  node.setAttribute('max', String(field.max));
  node.setAttribute('step', '1');
  node.setAttribute('data-testid', 'number');
  node.setAttribute('increment-button-assistive-text', t('cdsIncrement'));
  node.setAttribute('decrement-button-assistive-text', t('cdsDecrement'));
  if (field.helper) node.setAttribute('helper-text', field.helper);
  return node;
}

/** The modal's header (with its close button) and its footer (step back, confirm). */
function frame(options: AskOptions): { header: HTMLElement; footer: HTMLElement; ok: HTMLElement } {
  const close = document.createElement('cds-modal-close-button');
  close.setAttribute('close-button-label', t('cdsClose'));
  const heading = document.createElement('cds-modal-heading');
  heading.textContent = options.heading;
  const header = document.createElement('cds-modal-header');
  header.append(close, heading);
  const back = document.createElement('cds-modal-footer-button');
  back.setAttribute('kind', 'secondary');
  back.setAttribute('data-modal-close', '');
  back.textContent = t('cdsBack');
  const ok = document.createElement('cds-modal-footer-button');
  ok.setAttribute('kind', options.danger ? 'danger' : 'primary');
  ok.setAttribute('data-testid', 'confirm');
  ok.setAttribute('disabled', '');
  ok.textContent = options.confirm;
  const footer = document.createElement('cds-modal-footer');
  footer.append(back, ok);
  return { header, footer, ok };
}

async function ask(options: AskOptions, field?: NumberField): Promise<{ reason: string; number?: number } | null> {
  await Promise.all([
    import('@carbon/web-components/es/components/modal/index.js'),
    import('@carbon/web-components/es/components/text-input/index.js'),
    ...(field ? [import('@carbon/web-components/es/components/number-input/index.js')] : []),
  ]);
  const modal = document.createElement('cds-modal') as CarbonModal;
  modal.setAttribute('prevent-close-on-click-outside', '');
  if (options.testid) modal.setAttribute('data-testid', options.testid);
  const { header, footer, ok } = frame(options);
  const reason = textInput(options.label, { 'data-testid': 'reason', required: '' });
  const number = field ? numberInput(field) : undefined;
  const body = document.createElement('cds-modal-body');
  const text = document.createElement('cds-modal-body-content');
  text.setAttribute('description', '');
  text.textContent = options.text;
  body.append(text, ...(number ? [number] : []), reason);
  modal.append(header, body, footer);
  /** The number given, when it is a whole number within its bounds. */
  const given = () => {
    const n = Number(number?.value);
    return field && number?.value && Number.isInteger(n) && n >= field.min && n <= field.max ? n : undefined;
  };
  const valid = () => !!reason.value.trim() && (!field || given() !== undefined);
  const check = () => ok.toggleAttribute('disabled', !valid());
  for (const input of [reason, number])
    for (const kind of ['input', 'cds-number-input']) input?.addEventListener(kind, check);
  document.body.append(modal);
  return new Promise((resolve) => {
    const finish = (answer: { reason: string; number?: number } | null) => {
      modal.open = false;
      // after Carbon's closing transition
      setTimeout(() => modal.remove(), 300);
      resolve(answer);
    };
    ok.addEventListener('click', () => {
      if (valid()) finish({ reason: reason.value.trim(), number: given() });
    });
    // the close button, the step-back button and Escape (Carbon fires this after a user's gesture only)
    modal.addEventListener('cds-modal-closed', () => finish(null));
    requestAnimationFrame(() => {
      modal.open = true;
    });
  });
}
