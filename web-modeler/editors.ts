/**
 * The three editors of the web modeler behind one small interface: Camunda 8's BPMN modeler (camunda-bpmn-js with its
 * properties panel and this project's element templates), Camunda's DMN modeler (camunda-dmn-js: the decision
 * requirements diagram and the decision tables) and the form editor (form-js). Each is loaded only when a model of
 * its kind is opened, so the page stays light. The BPMN editor carries the token simulation (bpmn-js-token-simulation
 * 0.39, made for bpmn-js 18 — the version camunda-bpmn-js 5.30 is built on, one copy of each in node_modules).
 */
import { el } from '../web/src/lib/shell';
import { t } from '../web/src/lib/i18n';
import { dmnText, translateModule } from './translate';
import { simulationInChinese } from './simulation';
import { panelTextsInChinese } from './panel-texts';
import { keepChinese } from '../web/src/lib/dom-texts';
import { formEditorText } from './form-editor-texts';

export interface ModelProblem {
  rule: string;
  elementId?: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface Editor {
  /** The model as it stands in the editor (XML, or the form's JSON). */
  content(): Promise<string>;
  /** Called after every edit. */
  onChange(listener: () => void): void;
  /** Marks the problems on the diagram (BPMN: a badge and a red outline on each element named). */
  mark(problems: ModelProblem[]): void;
  /** Brings an element into view and selects it. */
  reveal(elementId: string): void;
  /** The token simulation (the BPMN editor only): switched on and off, and told when it is. */
  simulation?: {
    toggle(active: boolean): void;
    onToggle(listener: (active: boolean) => void): void;
  };
  destroy(): void;
}

interface Container {
  canvas: HTMLElement;
  properties: HTMLElement;
  /** Where the DMN editor lists its views (diagram, decision tables). */
  views: HTMLElement;
}

/** Diagram-js services the BPMN editor uses. */
interface Overlays {
  add(
    elementId: string,
    type: string,
    overlay: { position: { top?: number; right?: number }; html: HTMLElement },
  ): string;
  remove(filter: { type: string }): void;
}
interface Canvas {
  zoom(level?: 'fit-viewport' | number): number;
  addMarker(elementId: string, marker: string): void;
  removeMarker(elementId: string, marker: string): void;
  scrollToElement(element: unknown): void;
}

export async function bpmnEditor(at: Container, xml: string, templates: unknown[]): Promise<Editor> {
  await import('camunda-bpmn-js/dist/assets/camunda-cloud-modeler.css');
  await import('bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css');
  const { default: Modeler } = await import('camunda-bpmn-js/lib/camunda-cloud/Modeler');
  const { default: TokenSimulation } = await import('bpmn-js-token-simulation');
  const modeler = new Modeler({
    container: at.canvas,
    propertiesPanel: { parent: at.properties },
    elementTemplates: templates,
    additionalModules: [translateModule, TokenSimulation],
  } as never);
  const stopTranslating = simulationInChinese(at.canvas);
  panelTextsInChinese(at.properties);
  // While simulating, the simulation keeps the diagram from edits; the properties panel is this page's to lock.
  modeler.on('tokenSimulation.toggleMode', ({ active }: { active: boolean }) => {
    at.properties.inert = active;
    at.properties.classList.toggle('simulating', active);
    // The simulation's buttons (start a token, choose a way) show from half size on: a whole process fitted into
    // the view is often smaller, so the simulation starts at three quarters, at the process's start.
    if (active && canvas.zoom() < 0.5) {
      canvas.zoom(0.75);
      const start = registry.filter((e) => e.type === 'bpmn:StartEvent')[0];
      if (start) canvas.scrollToElement(start);
    }
  });
  await modeler.importXML(xml);
  const canvas = modeler.get<Canvas>('canvas');
  const registry = modeler.get<{
    get(id: string): unknown;
    filter(fn: (e: { type: string }) => boolean): unknown[];
  }>('elementRegistry');
  canvas.zoom('fit-viewport');
  let marked: string[] = [];
  const reveal = (elementId: string) => {
    const element = registry.get(elementId);
    if (!element) return;
    canvas.scrollToElement(element);
    modeler.get<{ select(e: unknown): void }>('selection').select(element);
  };
  return {
    content: async () => (await modeler.saveXML({ format: true })).xml ?? '',
    onChange: (listener) => modeler.on('commandStack.changed', listener),
    mark(problems) {
      const overlays = modeler.get<Overlays>('overlays');
      overlays.remove({ type: 'lint' });
      for (const id of marked) if (registry.get(id)) canvas.removeMarker(id, 'lint-error');
      marked = [];
      const byElement = new Map<string, ModelProblem[]>();
      for (const p of problems)
        if (p.elementId && registry.get(p.elementId))
          byElement.set(p.elementId, [...(byElement.get(p.elementId) ?? []), p]);
      for (const [id, found] of byElement) {
        const errors = found.filter((p) => p.severity === 'error').length;
        const badge = el(
          'div',
          {
            class: `lint-badge ${errors ? 'error' : 'warning'}`,
            title: found.map((p) => p.message).join('\n'),
            'data-testid': `lint-${id}`,
          },
          String(found.length),
        );
        badge.addEventListener('click', () => reveal(id));
        overlays.add(id, 'lint', { position: { top: -12, right: 12 }, html: badge });
        if (errors) {
          canvas.addMarker(id, 'lint-error');
          marked.push(id);
        }
      }
    },
    reveal,
    simulation: {
      toggle: (active) => modeler.get<{ toggleMode(active: boolean): void }>('toggleMode').toggleMode(active),
      onToggle: (listener) =>
        modeler.on('tokenSimulation.toggleMode', ({ active }: { active: boolean }) => listener(active)),
    },
    destroy() {
      stopTranslating();
      at.properties.inert = false;
      at.properties.classList.remove('simulating');
      modeler.destroy();
    },
  };
}

interface DmnView {
  /** drd, decisionTable, literalExpression, … */
  type: string;
  element: { id: string; name?: string };
}
interface DmnModeler {
  importXML(xml: string): Promise<unknown>;
  saveXML(options: { format: boolean }): Promise<{ xml: string }>;
  getViews(): DmnView[];
  getActiveView(): DmnView | undefined;
  getActiveViewer(): { on(event: string, listener: () => void): void } | undefined;
  open(view: DmnView): Promise<unknown>;
  on(event: string, listener: (event: { views: DmnView[]; activeView: DmnView }) => void): void;
  destroy(): void;
}

export async function dmnEditor(at: Container, xml: string): Promise<Editor> {
  await import('camunda-dmn-js/dist/assets/camunda-cloud-modeler.css');
  const { CamundaCloudModeler } = (await import('camunda-dmn-js')) as unknown as {
    CamundaCloudModeler: new (options: unknown) => DmnModeler;
  };
  const modeler = new CamundaCloudModeler({
    container: at.canvas,
    drd: { propertiesPanel: { parent: at.properties }, additionalModules: [translateModule] },
    common: { additionalModules: [translateModule] },
  });
  // the decision table writes some of its texts without the translate service
  const stopTranslating = keepChinese(at.canvas, dmnText);
  const listeners: Array<() => void> = [];
  const watched = new WeakSet<object>();
  const watchActive = () => {
    const viewer = modeler.getActiveViewer();
    if (!viewer || watched.has(viewer)) return;
    watched.add(viewer);
    viewer.on('commandStack.changed', () => listeners.forEach((l) => l()));
  };
  const kindName = (type: string) =>
    type === 'drd' ? t('drd') : type === 'decisionTable' ? t('decisionTable') : t('literalExpression');
  const tabs = () => {
    const active = modeler.getActiveView();
    at.views.replaceChildren(
      ...modeler.getViews().map((view) => {
        const b = el(
          'button',
          {
            type: 'button',
            'aria-pressed': String(view.element === active?.element),
            'data-testid': `view-${view.element.id}`,
          },
          `${kindName(view.type)}：${view.element.name ?? view.element.id}`,
        );
        b.addEventListener('click', () => void modeler.open(view));
        return b;
      }),
    );
  };
  modeler.on('views.changed', () => {
    tabs();
    watchActive();
  });
  await modeler.importXML(xml);
  // A file with one decision opens on its table: that is what an admin comes to change.
  const tables = modeler.getViews().filter((v) => v.type === 'decisionTable');
  if (tables.length === 1) await modeler.open(tables[0]);
  tabs();
  watchActive();
  return {
    content: async () => (await modeler.saveXML({ format: true })).xml,
    onChange: (listener) => listeners.push(listener),
    mark: () => undefined,
    reveal(elementId) {
      const view = modeler.getViews().find((v) => v.element.id === elementId);
      if (view) void modeler.open(view);
    },
    destroy: () => {
      stopTranslating();
      modeler.destroy();
    },
  };
}

export async function formEditor(at: Container, json: string): Promise<Editor> {
  // form-js's own styles in full: the form as rendered (form-js.css: fields, inputs, the date picker), the editor
  // (palette, canvas, drag and drop) and its properties panel; without the first two the form is drawn bare.
  await import('@bpmn-io/form-js/dist/assets/form-js.css');
  await import('@bpmn-io/form-js-editor/dist/assets/form-js-editor.css');
  await import('@bpmn-io/form-js-editor/dist/assets/properties-panel.css');
  await import('@bpmn-io/form-js-editor/dist/assets/dragula.css');
  const { FormEditor } = await import('@bpmn-io/form-js-editor');
  const editor = new FormEditor({ container: at.canvas, propertiesPanel: { parent: at.properties } });
  const stopCanvas = keepChinese(at.canvas, formEditorText);
  const stopPanel = keepChinese(at.properties, formEditorText);
  await editor.importSchema(JSON.parse(json) as never);
  return {
    content: () => Promise.resolve(`${JSON.stringify(editor.saveSchema(), null, 2)}\n`),
    onChange: (listener) => editor.on('changed', listener),
    mark: () => undefined,
    reveal: () => undefined,
    destroy: () => {
      stopCanvas();
      stopPanel();
      editor.destroy();
    },
  };
}

/**
 * What a reader who may not edit (a leader) is shown: the model drawn by a viewer — bpmn-js's navigated viewer, dmn-js's
 * viewer, the form rendered as staff see it — with nothing that edits, so that nothing can be changed by mistake.
 */
export async function modelViewer(at: Container, kind: 'bpmn' | 'dmn' | 'form', content: string): Promise<Editor> {
  const readOnly = (destroy: () => void): Editor => ({
    content: () => Promise.resolve(content),
    onChange: () => undefined,
    mark: () => undefined,
    reveal: () => undefined,
    destroy,
  });
  if (kind === 'bpmn') {
    const { default: NavigatedViewer } = await import('bpmn-js/lib/NavigatedViewer');
    const viewer = new NavigatedViewer({ container: at.canvas });
    await viewer.importXML(content);
    viewer.get<{ zoom(level: string): void }>('canvas').zoom('fit-viewport');
    return readOnly(() => viewer.destroy());
  }
  if (kind === 'dmn') {
    await import('dmn-js/dist/assets/dmn-js-shared.css');
    await import('dmn-js/dist/assets/dmn-js-drd.css');
    await import('dmn-js/dist/assets/dmn-js-decision-table.css');
    const { default: DmnViewer } = (await import('dmn-js/lib/Viewer')) as unknown as {
      default: new (options: unknown) => Pick<DmnModeler, 'importXML' | 'getViews' | 'open' | 'destroy'>;
    };
    const viewer = new DmnViewer({ container: at.canvas });
    await viewer.importXML(content);
    const tables = viewer.getViews().filter((v) => v.type === 'decisionTable');
    if (tables.length === 1) await viewer.open(tables[0]);
    return readOnly(() => viewer.destroy());
  }
  await import('@bpmn-io/form-js/dist/assets/form-js.css');
  const { Form } = await import('@bpmn-io/form-js');
  const form = new Form({ container: at.canvas });
  await form.importSchema(JSON.parse(content) as never, {});
  return readOnly(() => form.destroy());
}
