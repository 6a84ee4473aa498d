/**
 * 运维 (the operations console, admins): the Operate of this system. Without `?instance=`: every process version
 * with its instances running, completed and with incidents; a chosen version's diagram with its instances counted on
 * each element (running blue, incidents red) and its instances listed, incidents only if asked. With
 * `?instance=<key>`: that instance's diagram (where it stands, incidents in red), its incidents with a retry, its
 * jobs, its variables (mobile and ID numbers masked) with a way to set one, cancelling it with a reason, and what
 * admins did to it.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t, when, WORD_KEYS, type Word } from '../lib/i18n';

type Json = Record<string, unknown>;
interface Version {
  processDefinitionKey: string;
  processDefinitionId: string;
  name: string;
  version: number;
  running: number;
  completed: number;
  incidents: number;
}
interface Count {
  elementId: string;
  active: number;
  completed: number;
  canceled: number;
  incidents: number;
}
interface InstancePage {
  instance: Json;
  case: { id: string; caseNo: string } | null;
  xml: string;
  statistics: Count[];
  incidents: Json[];
  jobs: Json[];
  variables: Array<{ name: string; value: string; scopeKey: string; truncated: boolean }>;
  operations: Array<{ at: string; actor: string; action: string; target: string | null; detail: Json }>;
}

/** A state in words: of an instance, an incident (`opIncident`) or a job (`opJob`), the engine's own name if unknown. */
const state = (s: unknown, kind: 'opState' | 'opIncident' | 'opJob' = 'opState') => {
  const word = `${kind}${String(s)}`;
  if (word in WORD_KEYS) return t(word as Word);
  const fallback = `opState${String(s)}`;
  return fallback in WORD_KEYS ? t(fallback as Word) : String(s);
};
const table = (testId: string, head: Word[], rows: HTMLTableRowElement[]) =>
  rows.length === 0
    ? el('p', { 'data-testid': testId }, t('opNone'))
    : el(
        'table',
        { 'data-testid': testId },
        el('thead', {}, el('tr', {}, ...head.map((w) => el('th', {}, t(w))))),
        el('tbody', {}, ...rows),
      );
/** A value as a cell's text: JSON for anything but a string or number. */
const text = (v: unknown): string =>
  v === null || v === undefined
    ? '—'
    : typeof v === 'string'
      ? v
      : typeof v === 'number'
        ? String(v)
        : JSON.stringify(v);
const cell = (v: unknown) => el('td', {}, text(v));

/** The diagram with each element's counts as badges, and markers on the elements given; answers elements' names. */
async function diagram(
  box: HTMLElement,
  xml: string,
  counts: Count[],
  marks: Record<string, string[]>,
): Promise<(id: unknown) => string> {
  const viewer = new NavigatedViewer({ container: box });
  await viewer.importXML(xml);
  const canvas = viewer.get<{ zoom(level: string): void; addMarker(id: string, marker: string): void }>('canvas');
  const registry = viewer.get<{ get(id: string): unknown }>('elementRegistry');
  const overlays = viewer.get<{ add(id: string, overlay: { position: Json; html: HTMLElement }): void }>('overlays');
  canvas.zoom('fit-viewport');
  for (const c of counts) {
    if (!registry.get(c.elementId)) continue;
    if (c.active > 0)
      overlays.add(c.elementId, {
        position: { bottom: 10, left: -8 },
        html: el('span', { class: 'badge running', 'data-testid': `count-${c.elementId}` }, String(c.active)),
      });
    if (c.incidents > 0)
      overlays.add(c.elementId, {
        position: { bottom: 10, right: 8 },
        html: el('span', { class: 'badge incident', 'data-testid': `incidents-${c.elementId}` }, String(c.incidents)),
      });
  }
  for (const [marker, ids] of Object.entries(marks))
    for (const id of ids) if (registry.get(id)) canvas.addMarker(id, marker);
  return (id) => {
    const shape = registry.get(String(id)) as { businessObject?: { name?: string } } | undefined;
    return shape?.businessObject?.name ?? String(id);
  };
}

async function versions(page: HTMLElement, params: URLSearchParams): Promise<void> {
  const { items } = await call<{ items: Version[] }>('GET', '/ops/processes');
  // The version asked for; else the first with incidents, which is what needs a look.
  const chosen =
    items.find((v) => v.processDefinitionKey === params.get('process')) ??
    items.find((v) => v.incidents > 0) ??
    items[0];
  const rows = items.map((v) =>
    el(
      'tr',
      { class: v === chosen ? 'chosen' : '', 'data-testid': `version-${v.processDefinitionId}-${v.version}` },
      el('td', {}, el('a', { href: `/ops.html?process=${v.processDefinitionKey}` }, v.name)),
      cell(v.version),
      cell(v.running),
      cell(v.completed),
      el('td', { class: v.incidents > 0 ? 'overdue' : '' }, String(v.incidents)),
    ),
  );
  page.append(
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opProcesses')),
      table('versions', ['opProcess', 'opVersion', 'opRunning', 'opCompleted', 'opIncidents'], rows),
    ),
  );
  if (!chosen) return;
  const box = el('div', { class: 'diagram', 'data-testid': 'ops-diagram' });
  const list = el('section', { class: 'card', 'data-testid': 'instances' });
  page.append(el('section', { class: 'card' }, el('h2', {}, `${chosen.name} · v${chosen.version}`), box), list);
  const { xml, statistics } = await call<{ xml: string; statistics: Count[] }>(
    'GET',
    `/ops/processes/${chosen.processDefinitionKey}`,
  );
  await diagram(box, xml, statistics, {});
  await instances(list, chosen, params.get('incidents') === 'true');
}

async function instances(list: HTMLElement, version: Version, incidentsOnly: boolean): Promise<void> {
  const only = el('input', { type: 'checkbox', 'data-testid': 'only-incidents' });
  only.checked = incidentsOnly;
  only.addEventListener('change', () => {
    location.href = `/ops.html?process=${version.processDefinitionKey}${only.checked ? '&incidents=true' : ''}`;
  });
  const body = el('tbody');
  const more = el('button', { type: 'button', hidden: '' }, t('opMore'));
  list.append(
    el('h2', {}, t('opInstances')),
    el('label', { class: 'field inline' }, only, el('span', {}, t('opOnlyIncidents'))),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el('tr', {}, ...(['opInstance', 'caseNo', 'opState', 'opStarted'] as Word[]).map((w) => el('th', {}, t(w)))),
      ),
      body,
    ),
    more,
  );
  const load = async (after?: string) => {
    const query = new URLSearchParams({ processDefinitionKey: version.processDefinitionKey, limit: '50' });
    if (incidentsOnly) query.set('incidents', 'true');
    if (after) query.set('after', after);
    const answer = await call<{ items: Json[]; next: string | null }>('GET', `/ops/instances?${query.toString()}`);
    for (const i of answer.items) {
      const key = String(i.processInstanceKey);
      body.append(
        el(
          'tr',
          { 'data-testid': 'instance-row' },
          el('td', { class: 'num' }, el('a', { href: `/ops.html?instance=${key}` }, key)),
          cell(i.caseNo),
          el('td', { class: i.hasIncident ? 'overdue' : '' }, state(i.state)),
          cell(when(String(i.startDate))),
        ),
      );
    }
    more.hidden = !answer.next;
    more.onclick = () => void load(answer.next ?? undefined);
  };
  await load();
}

/** What to do on the instance, each followed by the instance as it now stands. */
function act(page: HTMLElement, key: string, path: string, body: Json): Promise<void> {
  return call<InstancePage>('POST', path, body).then(
    () => {
      location.href = `/ops.html?instance=${key}`;
    },
    (error: unknown) => showError(page, error),
  );
}

function incidentRows(
  page: HTMLElement,
  key: string,
  p: InstancePage,
  name: (id: unknown) => string,
): HTMLTableRowElement[] {
  return p.incidents.map((i) => {
    const retry = el('button', { type: 'button', 'data-testid': 'retry' }, t('opRetry'));
    retry.addEventListener('click', () => void act(page, key, `/ops/incidents/${String(i.incidentKey)}/retry`, {}));
    return el(
      'tr',
      { 'data-testid': 'incident-row' },
      cell(name(i.elementId)),
      cell(i.errorType),
      el('td', { class: 'clip' }, text(i.errorMessage)),
      cell(state(i.state, 'opIncident')),
      el('td', {}, i.state === 'ACTIVE' ? retry : ''),
    );
  });
}

function variableForm(page: HTMLElement, key: string): HTMLFormElement {
  const name = el('input', { name: 'name', required: '', 'data-testid': 'var-name' });
  const value = el('input', { name: 'value', required: '', 'data-testid': 'var-value' });
  const form = el(
    'form',
    { class: 'toolbar', 'data-testid': 'var-form' },
    el('label', { class: 'field' }, el('span', {}, t('opName')), name),
    el('label', { class: 'field' }, el('span', {}, t('opValue')), value),
    el('button', { type: 'submit' }, t('opSetVariable')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(page, key, `/ops/instances/${key}/variables`, { name: name.value.trim(), value: value.value });
  });
  return form;
}

function cancelForm(page: HTMLElement, key: string): HTMLFormElement {
  const reason = el('input', { name: 'reason', required: '', 'data-testid': 'cancel-reason' });
  const form = el(
    'form',
    { class: 'toolbar', 'data-testid': 'cancel-form' },
    el('label', { class: 'field' }, el('span', {}, t('opReason')), reason),
    el('button', { type: 'submit', class: 'primary' }, t('opCancel')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(page, key, `/ops/instances/${key}/cancel`, { reason: reason.value });
  });
  return form;
}

async function instancePage(page: HTMLElement, key: string): Promise<void> {
  const p = await call<InstancePage>('GET', `/ops/instances/${encodeURIComponent(key)}`);
  const i = p.instance;
  const running = i.state === 'ACTIVE';
  page.append(
    el('p', {}, el('a', { href: `/ops.html?process=${String(i.processDefinitionKey)}` }, t('opBack'))),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, `${String(i.processDefinitionName ?? i.processDefinitionId)} · ${key}`),
      el('p', { 'data-testid': 'instance-state' }, `${t('opState')}：${state(i.state)}`),
      p.case ? el('p', {}, el('a', { href: `/case.html?id=${p.case.id}` }, p.case.caseNo)) : '',
      el('div', { class: 'diagram', 'data-testid': 'ops-diagram' }),
    ),
  );
  const withIncident = p.statistics.filter((c) => c.incidents > 0).map((c) => c.elementId);
  const active = p.statistics.filter((c) => c.active > 0 && c.incidents === 0).map((c) => c.elementId);
  const name = await diagram(page.querySelector('[data-testid="ops-diagram"]')!, p.xml, p.statistics, {
    'highlight-active': active,
    'highlight-incident': withIncident,
  });
  const jobRows = p.jobs.map((j) =>
    el(
      'tr',
      {},
      cell(name(j.elementId)),
      cell(j.type),
      cell(state(j.state, 'opJob')),
      cell(j.retries),
      cell(j.errorMessage),
    ),
  );
  const variableRows = p.variables.map((v) =>
    el(
      'tr',
      {},
      el('td', {}, v.name),
      el('td', { class: 'clip' }, v.value),
      cell(v.scopeKey === key ? '' : v.scopeKey),
    ),
  );
  const logRows = p.operations.map((o) =>
    el('tr', {}, cell(when(o.at)), cell(o.actor), cell(t(`op-${o.action}` as Word)), cell(o.target ?? o.detail.reason)),
  );
  page.append(
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opIncidents')),
      table(
        'incidents',
        ['opElement', 'opErrorType', 'opError', 'opState', 'opRetry'],
        incidentRows(page, key, p, name),
      ),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opJobs')),
      table('jobs', ['opElement', 'opJobType', 'opState', 'opRetries', 'opError'], jobRows),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opVariables')),
      table('variables', ['opName', 'opValue', 'opElement'], variableRows),
      running ? variableForm(page, key) : '',
    ),
    running ? el('section', { class: 'card' }, el('h2', {}, t('opCancel')), cancelForm(page, key)) : '',
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opLog')),
      table('operations', ['opWhen', 'opWho', 'opAction', 'opTarget'], logRows),
    ),
  );
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.classList.add('wide');
  page.append(el('h1', {}, t('navOps')));
  const params = new URLSearchParams(location.search);
  try {
    const key = params.get('instance');
    if (key) await instancePage(page, key);
    else await versions(page, params);
  } catch (error) {
    showError(page, error);
  }
}

void main();
