/**
 * A key person's conversion on their file: the form staff record it with (role, day, consent, note — the same role
 * and consent the care process's confirm-conversion form asks), and the file's timeline: entry, visits, conversion,
 * exit, in the order they happened.
 */
import { call } from '../lib/api';
import { el, showError } from '../lib/shell';
import { t, when, type Word } from '../lib/i18n';

export const CONVERSION: Record<string, Word> = {
  volunteer: 'kpVolunteerRole',
  'residents-council': 'kpResidentsCouncil',
  'mediation-committee': 'kpMediationCommittee',
};

export interface Conversion {
  role: string;
  at: string;
  note?: string | null;
  recordedBy?: string | null;
}

interface FileForTimeline {
  enteredAt: string;
  exitedAt: string | null;
  exitReason: string | null;
  conversion: Conversion | null;
  visits: Array<{ at: string | null; state: string }>;
}

const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);
/** Today in Beijing time, YYYY-MM-DD. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** The conversion in words: role, day, note and who recorded it. */
export function conversionText(c: Conversion): string {
  const role = CONVERSION[c.role] ? t(CONVERSION[c.role]) : c.role;
  const by = c.recordedBy ? `${t('kpRecordedBy')}：${c.recordedBy}` : t('kpByCare');
  return `${role} · ${when(c.at)}${c.note ? ` · ${c.note}` : ''} · ${by}`;
}

/** The file's timeline, oldest first. */
export function timeline(p: FileForTimeline): HTMLElement {
  const events: Array<{ at: string; text: string; testId: string }> = [
    { at: p.enteredAt, text: t('kpEnteredEvent'), testId: 'kp-event-entered' },
    ...p.visits
      .filter((v) => v.at && v.state === 'COMPLETED')
      .map((v) => ({ at: v.at!, text: t('kpVisitDone'), testId: 'kp-event-visit' })),
  ];
  if (p.conversion)
    events.push({
      at: p.conversion.at,
      text: `${t('kpConvertedEvent')}${conversionText(p.conversion)}`,
      testId: 'kp-event-converted',
    });
  if (p.exitedAt)
    events.push({ at: p.exitedAt, text: `${t('kpExitedEvent')} · ${p.exitReason ?? ''}`, testId: 'kp-event-exited' });
  events.sort((a, b) => a.at.localeCompare(b.at));
  return el(
    'ol',
    { class: 'timeline', 'data-testid': 'kp-timeline' },
    ...events.map((e) => el('li', { 'data-testid': e.testId }, el('small', {}, when(e.at)), ' ', e.text)),
  );
}

/** The form recording a person's conversion; `done` runs once it is kept. */
export function conversionForm(personId: string, done: () => void): HTMLFormElement {
  const role = el('select', { name: 'role', 'data-testid': 'kp-conversion-role' });
  for (const [value, w] of Object.entries(CONVERSION)) role.append(el('option', { value }, t(w)));
  const day = el('input', {
    type: 'date',
    name: 'convertedOn',
    required: '',
    value: today(),
    max: today(),
    'data-testid': 'kp-conversion-day',
  });
  const consent = el('input', { type: 'checkbox', name: 'consent', 'data-testid': 'kp-conversion-consent' });
  const note = el('textarea', { name: 'note', rows: '2', maxlength: '1000', 'data-testid': 'kp-conversion-note' });
  const form = el(
    'form',
    { class: 'card stack', 'data-testid': 'kp-conversion-form' },
    el('h2', {}, t('kpRecordConversion')),
    el('p', { class: 'hint' }, t('kpConversionHint')),
    el('div', { class: 'row' }, field(t('kpConversionRole'), role), field(t('kpConversionDay'), day)),
    field(t('kpConversionNote'), note),
    el('label', {}, consent, ' ', t('kpConsent')),
    el(
      'div',
      {},
      el('button', { type: 'submit', class: 'primary', 'data-testid': 'kp-conversion-save' }, t('kpRecordConversion')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      role: role.value,
      convertedOn: day.value,
      // Sent as ticked: the API refuses a conversion without the person's consent, in words.
      consent: consent.checked,
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
    };
    call('POST', `/key-persons/${personId}/conversion`, body).then(done, (error: unknown) => showError(form, error));
  });
  return form;
}
