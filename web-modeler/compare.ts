/**
 * Comparing two versions of a process (比较版本): the admin (or a leader, who only reads) picks two saved or deployed
 * versions of the model — or a version and the diagram being edited — and sees them side by side, the old one with
 * what was removed marked and the new one with what was added, changed and only moved, a legend, and the list of
 * changes in words; a line of the list brings its element into view.
 */
import { el, showError } from '../web/src/lib/shell';
import { t } from '../web/src/lib/i18n';
import { changesBetween, type Change, type ChangeKind } from './diff';
import { w, type ModelerWord } from './words';

/** A version the admin can pick: a saved one by number, or what is in the editor. */
export interface Pickable {
  value: string;
  label: string;
  load(): Promise<string>;
}

interface Viewer {
  importXML(xml: string): Promise<unknown>;
  getDefinitions(): unknown;
  get<T>(service: string): T;
  destroy(): void;
}
interface Canvas {
  zoom(level: 'fit-viewport'): void;
  addMarker(elementId: string, marker: string): void;
  scrollToElement(element: unknown): void;
}

const MARK: Record<ChangeKind, { marker: string; badge: string; legend: ModelerWord }> = {
  added: { marker: 'diff-added', badge: '+', legend: 'legendAdded' },
  changed: { marker: 'diff-changed', badge: '✎', legend: 'legendChanged' },
  layoutChanged: { marker: 'diff-layout', badge: '⇄', legend: 'legendLayout' },
  removed: { marker: 'diff-removed', badge: '−', legend: 'legendRemoved' },
};

/** A read-only viewer of one side, its version named above it. */
async function side(host: HTMLElement, caption: string, xml: string, testid: string): Promise<Viewer> {
  const { default: NavigatedViewer } = await import('bpmn-js/lib/NavigatedViewer');
  const { default: zeebe } = await import('zeebe-bpmn-moddle/resources/zeebe.json');
  const canvas = el('div', { class: 'compare-canvas', 'data-testid': testid });
  host.append(el('figure', { class: 'compare-side' }, el('figcaption', {}, caption), canvas));
  const viewer = new NavigatedViewer({ container: canvas, moddleExtensions: { zeebe } }) as unknown as Viewer;
  await viewer.importXML(xml);
  viewer.get<Canvas>('canvas').zoom('fit-viewport');
  return viewer;
}

/** Marks each change on the side that shows it: removed on the old one, the rest on the new one. */
function mark(before: Viewer, after: Viewer, changes: Change[]): void {
  for (const change of changes) {
    const viewer = change.kind === 'removed' ? before : after;
    const registry = viewer.get<{ get(id: string): unknown }>('elementRegistry');
    if (!registry.get(change.elementId)) continue;
    const { marker, badge } = MARK[change.kind];
    viewer.get<Canvas>('canvas').addMarker(change.elementId, marker);
    viewer.get<{ add(id: string, type: string, overlay: object): string }>('overlays').add(change.elementId, 'diff', {
      position: { top: -10, left: -10 },
      html: el('span', { class: `diff-badge ${marker}`, title: change.text }, badge),
    });
  }
}

/** Brings the element into view on the side that shows the change. */
function reveal(before: Viewer, after: Viewer, change: Change): void {
  for (const viewer of change.kind === 'removed' ? [before] : [after, before]) {
    const element = viewer.get<{ get(id: string): unknown }>('elementRegistry').get(change.elementId);
    if (element) viewer.get<Canvas>('canvas').scrollToElement(element);
  }
}

function legend(): HTMLElement {
  return el(
    'ul',
    { class: 'diff-legend', 'data-testid': 'diff-legend' },
    ...(Object.keys(MARK) as ChangeKind[]).map((kind) =>
      el('li', {}, el('span', { class: `diff-swatch ${MARK[kind].marker}` }, MARK[kind].badge), w(MARK[kind].legend)),
    ),
  );
}

/** Compares `from` with `to` into `result`; answers how to let go of the two viewers. */
async function compare(result: HTMLElement, from: Pickable, to: Pickable): Promise<() => void> {
  result.replaceChildren(el('p', {}, w('compareLoading')));
  const [oldXml, newXml] = await Promise.all([from.load(), to.load()]);
  const sides = el('div', { class: 'compare-sides' });
  result.replaceChildren(legend(), sides);
  const before = await side(sides, `${w('compareFrom')}：${from.label}`, oldXml, 'compare-before');
  const after = await side(sides, `${w('compareTo')}：${to.label}`, newXml, 'compare-after');
  const changes = changesBetween(before.getDefinitions(), after.getDefinitions());
  mark(before, after, changes);
  const list = el('ol', { class: 'diff-changes', 'data-testid': 'diff-changes' });
  for (const change of changes) {
    const item = el('li', { class: MARK[change.kind].marker, 'data-testid': 'diff-change' }, change.text);
    item.dataset.kind = change.kind;
    item.dataset.elementId = change.elementId;
    item.addEventListener('click', () => reveal(before, after, change));
    list.append(item);
  }
  result.append(
    el('h3', {}, `${w('changes')}（${changes.length}）`),
    changes.length ? list : el('p', {}, w('compareSame')),
  );
  return () => {
    before.destroy();
    after.destroy();
  };
}

/**
 * The comparison card: two pickers (`from` defaults to the version the engine runs, `to` to the one open), the
 * compare button and, once compared, both sides with the changes. `onClose` is called when the admin closes it.
 */
export function comparePanel(choices: Pickable[], defaults: { from: string; to: string }, onClose: () => void) {
  const picker = (testid: string, value: string) => {
    const select = el('select', { 'data-testid': testid, 'aria-label': testid });
    select.append(...choices.map((c) => el('option', { value: c.value }, c.label)));
    select.value = value;
    return select;
  };
  const from = picker('compare-from', defaults.from);
  const to = picker('compare-to', defaults.to);
  const run = el('button', { type: 'button', class: 'primary', 'data-testid': 'compare-run' }, w('compareRun'));
  const close = el('button', { type: 'button', 'data-testid': 'compare-close' }, w('compareClose'));
  const result = el('div', { class: 'compare-result', 'data-testid': 'compare-result' });
  const card = el(
    'section',
    { class: 'card compare', 'data-testid': 'compare-panel' },
    el('h2', {}, w('compare')),
    el(
      'div',
      { class: 'toolbar' },
      el('label', {}, `${w('compareFrom')} `, from),
      el('label', {}, `${w('compareTo')} `, to),
      run,
      close,
    ),
    result,
  );
  let release: (() => void) | undefined;
  const pick = (select: HTMLSelectElement) => choices.find((c) => c.value === select.value)!;
  run.addEventListener('click', () => {
    release?.();
    release = undefined;
    compare(result, pick(from), pick(to)).then(
      (r) => (release = r),
      (error: unknown) => showError(result, error),
    );
  });
  close.addEventListener('click', () => {
    release?.();
    card.remove();
    onClose();
  });
  return { card, destroy: () => release?.() };
}

/** The versions of a model as choices, newest first: "v3 · 说明", the shipped one as such. */
export function versionLabel(v: { version: number; comment: string | null }, running: number): string {
  const notes = [v.version === 0 ? t('asShipped') : v.comment, v.version === running ? t('running') : null];
  return [`v${v.version}`, ...notes.filter(Boolean)].join(' · ');
}
