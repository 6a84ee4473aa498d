/** The case page: owner, both clocks, where it is on the diagram (active and completed steps, as Operate marks them), timeline. */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { call, requireMe } from '../lib/api';
import { attachmentsCard } from '../lib/attachments';
import { ratingList, type Rating } from '../lib/ratings';
import { legalCards, type LegalPage } from './case-legal';
import { procedureCard, type ProcedureActions } from './case-procedures';
import { el, notice, shell, showError } from '../lib/shell';
import { actorName, caseStatus, channelName, clockState, eventName, lang, t, when } from '../lib/i18n';

interface Clock {
  dueAt: string | null;
  state: string;
  /** The deadline cannot be computed until an admin adds this calendar year. */
  waitsForCalendar?: { year: number; reason: { zh: string; en: string } } | null;
}
interface CasePage {
  caseNo: string;
  channel: string;
  receivedAt: string;
  compound: string | null;
  petitioner: { name: string | null; phone: string | null } | null;
  category: string;
  status: string;
  description: string;
  owner: { username: string; displayName: string };
  clocks: { internal: Clock; legal: Clock };
  ratingLinkOpen: boolean;
  ratings: Rating[];
  /** The law's procedures the reader may start now (withdrawal, return, extension). */
  procedureActions?: ProcedureActions;
  timeline: Array<{ kind: string; detail: { name?: string; state?: string } | null; actor: string | null; at: string }>;
}

/** Shows the case; `message` (after a procedure was taken) is shown above it as a Carbon success notification. */
async function main(message?: string): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  if (message) {
    page.append(notice('success', [message], { 'data-testid': 'procedure-done' }));
    window.scrollTo(0, 0);
  }
  const id = new URLSearchParams(location.search).get('id') ?? '';
  try {
    const c = await call<CasePage>('GET', `/cases/${encodeURIComponent(id)}`);
    document.title = `${c.caseNo} · ${t('case')}`;
    const clock = (label: string, k: Clock) =>
      k.waitsForCalendar
        ? el(
            'li',
            { class: 'overdue', 'data-testid': 'clock-waits-for-calendar' },
            `${label}：${t('deadlinePending')}（${k.waitsForCalendar.reason[lang()]}）`,
          )
        : el(
            'li',
            { class: k.state === 'overdue' || k.state === 'missed' ? 'overdue' : '' },
            `${label}：${when(k.dueAt)}（${clockState(k.state)}）`,
          );
    page.append(
      el(
        'section',
        { class: 'card' },
        el('h1', {}, `${c.caseNo} · ${c.category}`),
        el('p', {}, c.description),
        el(
          'ul',
          {},
          el('li', {}, `${t('owner')}：${c.owner.displayName}`),
          el('li', { 'data-testid': 'case-status' }, `${t('status')}：${caseStatus(c.status)}`),
          clock(t('internalClock'), c.clocks.internal),
          clock(t('legalClock'), c.clocks.legal),
        ),
      ),
    );
    const print = el('button', { type: 'button', class: 'no-print', 'data-testid': 'print' }, t('printForm'));
    print.addEventListener('click', () => window.print());
    page.querySelector('section.card')?.append(print);
    // The law's procedures that apply now; once one is taken the page shows the case again, as recorded.
    const procedures = procedureCard(id, c, (done) => main(done));
    if (procedures) page.append(procedures);
    // The law's procedures: the legal clocks, reviews, the final link, and what the petitioner was told when.
    page.append(...legalCards(c as unknown as LegalPage, me, id));
    if (c.ratingLinkOpen && c.owner.username === me.username) await ratingLink(page, id);
    const canvas = el('div', { class: 'diagram', 'data-testid': 'diagram' });
    const where = el('section', { class: 'card', id: 'diagram' }, el('h2', {}, t('whereItStands')));
    page.append(where);
    const instance = new URLSearchParams(location.search).get('instance');
    const diagram = await call<Diagram>(
      'GET',
      `/cases/${encodeURIComponent(id)}/diagram${instance ? `?instance=${encodeURIComponent(instance)}` : ''}`,
    );
    // In a process the case's called: the way back to the one that called it.
    if (diagram.parent)
      where.append(
        el(
          'p',
          {},
          el(
            'a',
            {
              href: `/case.html?id=${encodeURIComponent(id)}&instance=${diagram.parent}#diagram`,
              'data-testid': 'diagram-back',
            },
            t('diagramBack'),
          ),
        ),
      );
    where.append(canvas);
    if (diagram.calls.length > 0)
      where.append(
        el(
          'p',
          { class: 'called', 'data-testid': 'called-processes' },
          `${t('diagramCalled')}：`,
          ...diagram.calls.flatMap((call) => [
            el(
              'a',
              { href: `/case.html?id=${encodeURIComponent(id)}&instance=${call.processInstanceKey}#diagram` },
              call.name,
            ),
            ' ',
          ]),
        ),
      );
    if (diagram.xml) await drawWhereItStands(canvas, diagram, id);
    // A step that was cut short (the other branch of a race, a cancelled timer) did not happen; a running one says so.
    const happened = c.timeline.filter((e) => e.kind !== 'step' || e.detail?.state !== 'TERMINATED');
    const stepName = (e: CasePage['timeline'][number]) =>
      `${e.detail?.name ?? ''}${e.detail?.state === 'ACTIVE' ? `（${t('inProgress')}）` : ''}`;
    const rows = happened.map((e) =>
      el(
        'tr',
        {},
        el('td', {}, when(e.at)),
        el('td', {}, e.kind === 'step' ? stepName(e) : eventName(e.kind)),
        el('td', {}, actorName(e.actor)),
      ),
    );
    page.append(
      el('section', { class: 'card' }, el('h2', {}, t('ratingsTitle')), ratingList(c.ratings)),
      el('section', { class: 'card' }, el('h2', {}, t('timeline')), el('table', {}, el('tbody', {}, ...rows))),
      await attachmentsCard(id),
      printForm(
        c,
        happened.map((e) => `${when(e.at)}\u3000${e.kind === 'step' ? stepName(e) : eventName(e.kind)}`),
      ),
    );
  } catch (error) {
    showError(page, error);
  }
}

/** The open rating link for its first responder: to pass on, or for the petitioner to scan on the spot. */
async function ratingLink(page: HTMLElement, caseId: string): Promise<void> {
  const card = el('section', { class: 'card', 'data-testid': 'rating-link' }, el('h2', {}, t('ratingLink')));
  page.append(card);
  try {
    const link = await call<{ url: string; expiresAt: string }>(
      'GET',
      `/cases/${encodeURIComponent(caseId)}/rating-link`,
    );
    const { toDataURL } = await import('qrcode');
    const qr = el('img', {
      src: await toDataURL(link.url, { margin: 1, width: 200 }),
      alt: link.url,
      width: '200',
      height: '200',
      'data-testid': 'rating-qr',
    });
    const url = el('input', {
      type: 'text',
      readonly: '',
      value: link.url,
      'data-testid': 'rating-url',
      'aria-label': t('ratingLink'),
    });
    const copy = el('button', { type: 'button' }, t('copy'));
    copy.addEventListener(
      'click',
      () => void navigator.clipboard?.writeText(link.url).then(() => (copy.textContent = t('copied'))),
    );
    card.append(
      el('p', {}, t('ratingLinkHint')),
      qr,
      el('p', { class: 'copy-row' }, url, ' ', copy),
      el('small', {}, `${t('validUntil')} ${when(link.expiresAt)}`),
    );
  } catch (error) {
    showError(card, error);
  }
}

void main();

interface Shape {
  id: string;
  type: string;
  parent?: Shape;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The case's diagram at a readable zoom, centred on where it stands: only the active steps marked (not the process
 * itself, nor a sub-process around an active step), completed steps and taken flows shown quietly. A finished case
 * is fitted whole.
 */
interface Diagram {
  xml: string | null;
  active: string[];
  completed: string[];
  flows: string[];
  /** The processes the call activities called, to open them. */
  calls: Array<{ elementId: string | null; processInstanceKey: string; name: string; state: string }>;
  /** The instance that called this one (null: the case's own process). */
  parent: string | null;
}

async function drawWhereItStands(canvas: HTMLElement, diagram: Diagram, caseId: string): Promise<void> {
  const viewer = new NavigatedViewer({ container: canvas });
  await viewer.importXML(diagram.xml!);
  const canvasApi = viewer.get<{
    zoom(level: number | string): void;
    addMarker(id: string, marker: string): void;
    viewbox(box?: { x: number; y: number; width: number; height: number }): { width: number; height: number };
    getRootElement(): Shape;
  }>('canvas');
  const registry = viewer.get<{ get(id: string): Shape | undefined }>('elementRegistry');
  const overlays = viewer.get<{ add(id: string, overlay: { position: object; html: HTMLElement }): void }>('overlays');
  // Each called process opens from its call activity (the newest call when it ran more than once).
  for (const call of diagram.calls)
    if (call.elementId && registry.get(call.elementId))
      overlays.add(call.elementId, {
        position: { bottom: -6, left: 0 },
        html: el(
          'a',
          {
            class: 'open-called',
            href: `/case.html?id=${encodeURIComponent(caseId)}&instance=${call.processInstanceKey}#diagram`,
            'data-testid': `open-${call.elementId}`,
          },
          `${t('diagramOpen')} ›`,
        ),
      });
  const root = canvasApi.getRootElement();
  const shapes = (ids: string[]) => ids.map((x) => registry.get(x)).filter((e): e is Shape => !!e && e !== root);
  const active = shapes(diagram.active);
  // A container (sub-process) is active while a step inside it is: the step is where the case stands.
  const containers = new Set(active.map((e) => e.parent).filter(Boolean));
  const steps = active.filter((e) => !containers.has(e) && e.type !== 'bpmn:Process' && e.type !== 'bpmn:Participant');
  for (const e of shapes(diagram.completed))
    if (e.type !== 'bpmn:SubProcess') canvasApi.addMarker(e.id, 'highlight-done');
  for (const e of shapes(diagram.flows)) canvasApi.addMarker(e.id, 'highlight-flow');
  for (const e of steps) canvasApi.addMarker(e.id, 'highlight-active');
  if (steps.length === 0) {
    canvasApi.zoom('fit-viewport');
    return;
  }
  canvasApi.zoom(0.9);
  const { width, height } = canvasApi.viewbox();
  const step = steps[0];
  canvasApi.viewbox({
    x: step.x + step.width / 2 - width / 2,
    y: step.y + step.height / 2 - height / 2,
    width,
    height,
  });
}

/**
 * The registration form of a petition on paper (信访事项登记表), shown only when printed: the case's facts in the
 * boxes a paper form has, the handling so far, and lines for the signatures. Personal data stays masked as on screen.
 */
function printForm(c: CasePage, handling: string[]): HTMLElement {
  const row = (label: string, value: string) => el('tr', {}, el('th', {}, label), el('td', { colspan: '3' }, value));
  const petitioner = c.petitioner
    ? [c.petitioner.name ?? t('noNameGiven'), c.petitioner.phone].filter(Boolean).join('\u3000')
    : '—';
  return el(
    'section',
    { class: 'print-only', 'data-testid': 'print-form' },
    el('h1', {}, t('printTitle')),
    el(
      'table',
      { class: 'form-grid' },
      el(
        'tbody',
        {},
        el(
          'tr',
          {},
          el('th', {}, t('caseNo')),
          el('td', {}, c.caseNo),
          el('th', {}, t('printReceived')),
          el('td', {}, when(c.receivedAt)),
        ),
        el(
          'tr',
          {},
          el('th', {}, t('printChannel')),
          el('td', {}, channelName(c.channel)),
          el('th', {}, t('category')),
          el('td', {}, c.category),
        ),
        row(t('ccPetitioner'), petitioner),
        row(t('compound'), c.compound ?? '—'),
        row(t('description'), c.description),
        row(t('owner'), c.owner.displayName),
        row(t('printHandling'), handling.join('\n')),
        el(
          'tr',
          { class: 'signatures' },
          el('th', {}, t('printSignStaff')),
          el('td', {}, ''),
          el('th', {}, t('printSignPetitioner')),
          el('td', {}, ''),
        ),
        row(t('printDate'), ''),
      ),
    ),
  );
}
