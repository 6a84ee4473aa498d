/** The case page: owner, both clocks, where it is on the diagram (active and completed steps, as Operate marks them), timeline. */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t, when } from '../lib/i18n';

interface Clock { dueAt: string | null; state: string }
interface CasePage {
  caseNo: string;
  category: string;
  status: string;
  description: string;
  owner: { displayName: string };
  clocks: { internal: Clock; legal: Clock };
  timeline: Array<{ kind: string; detail: { name?: string; state?: string } | null; actor: string | null; at: string }>;
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const id = new URLSearchParams(location.search).get('id') ?? '';
  try {
    const c = await call<CasePage>('GET', `/cases/${encodeURIComponent(id)}`);
    document.title = `${c.caseNo} · ${t('case')}`;
    const clock = (label: string, k: Clock) => el('li', { class: k.state === 'overdue' || k.state === 'missed' ? 'overdue' : '' }, `${label}：${when(k.dueAt)}（${k.state}）`);
    page.append(
      el('section', { class: 'card' }, el('h1', {}, `${c.caseNo} · ${c.category}`), el('p', {}, c.description), el('ul', {}, el('li', {}, `${t('owner')}：${c.owner.displayName}`), el('li', {}, `${t('status')}：${c.status}`), clock(t('internalClock'), c.clocks.internal), clock(t('legalClock'), c.clocks.legal))),
    );
    const canvas = el('div', { class: 'diagram', 'data-testid': 'diagram' });
    page.append(el('section', { class: 'card' }, el('h2', {}, t('whereItStands')), canvas));
    const diagram = await call<{ xml: string | null; active: string[]; completed: string[]; flows: string[] }>('GET', `/cases/${encodeURIComponent(id)}/diagram`);
    if (diagram.xml) {
      const viewer = new NavigatedViewer({ container: canvas });
      await viewer.importXML(diagram.xml);
      const canvasApi = viewer.get<{ zoom(mode: string): void; addMarker(id: string, marker: string): void }>('canvas');
      canvasApi.zoom('fit-viewport');
      const registry = viewer.get<{ get(id: string): unknown }>('elementRegistry');
      const mark = (ids: string[], marker: string) => ids.filter((x) => registry.get(x)).forEach((x) => canvasApi.addMarker(x, marker));
      mark(diagram.completed, 'highlight-done');
      mark(diagram.flows, 'highlight-flow');
      mark(diagram.active, 'highlight-active');
    }
    const rows = c.timeline.map((e) => el('tr', {}, el('td', {}, when(e.at)), el('td', {}, e.kind === 'step' ? (e.detail?.name ?? '') : e.kind), el('td', {}, e.actor ?? '')));
    page.append(el('section', { class: 'card' }, el('h2', {}, t('timeline')), el('table', {}, el('tbody', {}, ...rows))));
  } catch (error) {
    showError(page, error);
  }
}

void main();
